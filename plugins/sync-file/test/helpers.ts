import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const pluginDir = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const cairnBin = join(repoRoot, 'core', 'bin', 'cairn.js');

export class TempDirs {
  private readonly dirs: string[] = [];

  async make(prefix = 'cairn-sync-file-'): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `cairn` as a process, as users run it. */
export function cairn(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cairnBin, '--data-dir', dataDir, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a `cairn … --json` command that must succeed, and parses its output. */
export async function cairnJson<T = Record<string, unknown>>(dataDir: string, ...args: string[]): Promise<T> {
  const result = await cairn(dataDir, [...args, '--json']);
  if (result.code !== 0) throw new Error(`cairn ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
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
