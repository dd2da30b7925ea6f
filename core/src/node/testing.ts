import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliResult, TestHost, TestHostOptions } from '@cairn/sdk/testing';
import { runCli } from './cli/main.js';
import { CairnHost } from './host.js';
import { ProjectService } from './project/project-service.js';

// The shapes are the SDK's (plugins are written against the SDK); the host implements them.
export type { CliResult, TestHost, TestHostOptions };

/**
 * A headless Cairn host for plugin tests, `@cairn/core/testing`: the real host in a data dir of
 * its own, with the given plugins loaded as development plugins (enabled) and the startup plugins
 * activated. It lives in the host package because it is the host; the SDK (`@cairn/sdk/testing`)
 * holds only its types and helpers that need no host, since the SDK does not depend on the host.
 *
 * ```js
 * import { startTestHost } from '@cairn/core/testing';
 * const host = await startTestHost({ plugins: [fileURLToPath(new URL('..', import.meta.url))] });
 * assert.equal((await host.execute('hello.greet', 'Ada')).greeting, 'Hello, Ada!');
 * await host.dispose();
 * ```
 */
export async function startTestHost(options: TestHostOptions = {}): Promise<TestHost> {
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'cairn-test-')));
  const host = new CairnHost({
    dataDir,
    ...(!options.builtins && { builtinPluginsDir: null }),
    developmentPlugins: (options.plugins ?? []).map((plugin) => resolve(plugin)),
    ...(options.activationTimeoutMs !== undefined && { activationTimeoutMs: options.activationTimeoutMs }),
    ...(options.deactivationTimeoutMs !== undefined && { deactivationTimeoutMs: options.deactivationTimeoutMs }),
  });
  try {
    await host.start();
    if (typeof options.project === 'object') {
      await host.container.get(ProjectService).create({ join: options.project.join, deviceName: options.project.deviceName ?? 'test-device' });
    } else if (options.project) {
      const name = typeof options.project === 'string' ? options.project : 'Test project';
      await host.container.get(ProjectService).create({ name, deviceName: 'test-device' });
    }
    await host.plugins.activateStartup();
  } catch (error) {
    await host.dispose();
    if (temporary) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  let disposed = false;
  const cli = async (...args: string[]): Promise<CliResult> => {
    let stdout = '';
    let stderr = '';
    const exitCode = await runCli(args, {
      host,
      streams: {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
      },
    });
    return { exitCode, stdout, stderr };
  };
  return {
    dataDir,
    execute: <T>(commandId: string, ...args: unknown[]) => host.commands.execute<T>(commandId, args),
    commands: () => host.commands.list().map((command) => command.id),
    plugins: () => host.plugins.list(),
    plugin: (id) => host.plugins.info(id),
    enable: (id) => host.plugins.enable(id),
    disable: (id) => host.plugins.disable(id),
    cli,
    cliJson: async <T>(...args: string[]): Promise<T> => {
      const { exitCode, stdout, stderr } = await cli(...args, '--json');
      if (exitCode !== 0) throw new Error(`cairn ${args.join(' ')} exited ${exitCode}: ${stderr.trim()}`);
      return JSON.parse(stdout) as T;
    },
    logs: () => host.logs.list(),
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      await host.dispose();
      if (temporary) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CairnProcessResult {
  /** Null when the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CairnProcess {
  child: ChildProcess;
  done: Promise<CairnProcessResult>;
}

export interface CairnProcessOptions {
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Runs it through another program first, e.g. `['ip', 'netns', 'exec', 'lan-1']`. */
  prefix?: string[];
}

// The same file seen from src/node/ and from dist/node/.
const cairnBinPath = fileURLToPath(new URL('../../bin/cairn.js', import.meta.url));

/** The `cairn` executable of the host package (this one). */
export function cairnBin(): string {
  return cairnBinPath;
}

/**
 * Starts the `cairn` CLI as a process, as users run it: for what only a real process shows (exit
 * codes, kill -9, two devices at once). `done` settles when it exits.
 */
export async function startCairn(args: string[], options: CairnProcessOptions = {}): Promise<CairnProcess> {
  const [command, ...prefixArgs] = [...(options.prefix ?? []), process.execPath];
  const child = spawn(command!, [...prefixArgs, cairnBin(), ...args], {
    env: { ...process.env, ...options.env },
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CairnProcessResult>((settle, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => settle({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Runs the `cairn` CLI as a process to its end. */
export async function runCairn(args: string[], options: CairnProcessOptions = {}): Promise<CairnProcessResult> {
  return (await startCairn(args, options)).done;
}

/** Runs a `cairn … --json` command that must succeed, and parses what it printed. */
export async function runCairnJson<T = unknown>(args: string[], options: CairnProcessOptions = {}): Promise<T> {
  const result = await runCairn([...args, '--json'], options);
  if (result.code !== 0) throw new Error(`cairn ${args.join(' ')} failed (exit ${String(result.code)}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}
