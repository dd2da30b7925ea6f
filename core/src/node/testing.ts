import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
  return {
    dataDir,
    execute: <T>(commandId: string, ...args: unknown[]) => host.commands.execute<T>(commandId, args),
    commands: () => host.commands.list().map((command) => command.id),
    plugins: () => host.plugins.list(),
    plugin: (id) => host.plugins.info(id),
    enable: (id) => host.plugins.enable(id),
    disable: (id) => host.plugins.disable(id),
    cli: async (...args: string[]): Promise<CliResult> => {
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
