import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnHost, type HostOptions } from '@cairn/core';
import { runCairn as runCairnProcess } from '@cairn/core/testing';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const cairnBin = join(repoRoot, 'core', 'bin', 'cairn.js');
export const fixtures = join(repoRoot, 'test', 'fixtures');

/** A folder of fixture plugins, used as the host's built-in plugins folder. */
export function pluginSet(name: string): string {
  return join(fixtures, 'plugin-sets', name);
}

export { TempDirs } from '@cairn/sdk/testing';

/** Hosts made by a test, disposed by `cleanup()`. */
export class Hosts {
  private readonly hosts: CairnHost[] = [];

  async start(options: HostOptions): Promise<CairnHost> {
    const host = new CairnHost({ activationTimeoutMs: 2_000, deactivationTimeoutMs: 1_000, ...options });
    this.hosts.push(host);
    await host.start();
    return host;
  }

  async cleanup(): Promise<void> {
    for (const host of this.hosts.splice(0)) await host.dispose();
  }
}

/** Messages the host logged, in order. */
export function logMessages(host: CairnHost, source?: string): string[] {
  return host.logs
    .list()
    .filter((record) => source === undefined || record.source === source)
    .map((record) => record.message);
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cairn` as a real process, as a user would (from the repository root unless told). */
export function runCairn(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<ProcessResult> {
  return runCairnProcess(args, { cwd: repoRoot, ...options });
}

export function runProcess(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, ...options.env },
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
