import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCairn, runCairnJson, type CairnProcessResult } from '@cairn/core/testing';
import { TempDirs } from '@cairn/sdk/testing';

export const pluginDir = fileURLToPath(new URL('..', import.meta.url));

/** Temp dirs made by a test (`make('cairn-usb-')` for a stick), removed by `cleanup()`. */
export { TempDirs };

export type Result = CairnProcessResult;

/** `cairn` as a process, as users run it. */
export function cairn(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return runCairn(['--data-dir', dataDir, ...args], { env });
}

/** Runs a `cairn … --json` command that must succeed, and parses its output. */
export function cairnJson<T = Record<string, unknown>>(dataDir: string, ...args: string[]): Promise<T> {
  return runCairnJson<T>(['--data-dir', dataDir, ...args], {});
}

/** A new project in `dataDir` (or joined by key); resolves with its key. */
export async function device(dataDir: string, name: string, join?: string): Promise<string> {
  const info = join
    ? await cairnJson<{ projectKey: string }>(dataDir, 'init', '--join', join, '--device-name', name)
    : await cairnJson<{ projectKey: string }>(dataDir, 'init', '--name', 'File survey', '--device-name', name);
  return info.projectKey;
}

/** SHA-256 of every file below `dir` (path → hash): compares a folder byte for byte. */
export async function hashTree(dir: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  const walk = async (current: string) => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) hashes[full.slice(dir.length)] = createHash('sha256').update(await readFile(full)).digest('hex');
    }
  };
  await walk(dir);
  return hashes;
}

export async function hashFile(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

export async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}
