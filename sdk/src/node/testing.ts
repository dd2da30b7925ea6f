/**
 * A headless Cairn host for plugin tests. It runs the real host (the `@cairn/core` package,
 * which a plugin author has as a dev dependency) in a temporary data dir, with the plugins
 * under test loaded and enabled:
 *
 * ```js
 * import { startTestHost } from '@cairn/sdk/testing';
 * const host = await startTestHost({ plugins: [new URL('..', import.meta.url).pathname] });
 * assert.equal(await host.execute('hello.greet', 'Ada'), 'Hello, Ada!');
 * await host.dispose();
 * ```
 */
import { CairnError, ErrorCodes } from '../common/errors.js';
import type { LogRecord, PluginInfo } from '../common/plugin-info.js';

export interface TestHostOptions {
  /** Folders of plugin packages to load, enabled, as development plugins. */
  plugins?: string[];
  /** Data dir to use; a fresh temporary one (removed by `dispose`) when left out. */
  dataDir?: string;
  /** Also load Cairn's built-in plugins. Default false, so a test sees only its own plugins. */
  builtins?: boolean;
  /**
   * Create a project in the data dir before the plugins start, so `ctx.project` works: `true` for
   * a new one, its name, or `{ join: key }` to join one (a second device). Left out, the data dir
   * has no project (`ERR_NO_PROJECT`).
   */
  project?: boolean | string | { join: string; deviceName?: string };
  /** Bounds on `activate` and `deactivate`, in milliseconds. */
  activationTimeoutMs?: number;
  deactivationTimeoutMs?: number;
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface TestHost {
  readonly dataDir: string;
  /** Runs a command as the workbench or `cairn run` would, activating its plugin when needed. */
  execute<T = unknown>(commandId: string, ...args: unknown[]): Promise<T>;
  /** Ids of the commands that can run now. */
  commands(): string[];
  plugins(): PluginInfo[];
  /** One plugin's info; throws `ERR_NOT_FOUND` for an unknown id. */
  plugin(id: string): PluginInfo;
  enable(id: string): Promise<PluginInfo>;
  disable(id: string): Promise<PluginInfo>;
  /** Runs the `cairn` CLI in this host, e.g. `cli('run', 'hello.greet', '"Ada"')`. */
  cli(...args: string[]): Promise<CliResult>;
  /** Everything logged so far by the host and the plugins. */
  logs(): LogRecord[];
  /** Deactivates every plugin and removes the temporary data dir. */
  dispose(): Promise<void>;
}

interface CoreTestingModule {
  startTestHost(options: TestHostOptions): Promise<TestHost>;
}

// Held in a variable so TypeScript does not try to resolve the host package while building
// the SDK (the host depends on the SDK, not the other way round).
const coreTestingEntry = '@cairn/core/testing';

export async function startTestHost(options: TestHostOptions = {}): Promise<TestHost> {
  let core: CoreTestingModule;
  try {
    core = (await import(coreTestingEntry)) as CoreTestingModule;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
      throw new CairnError(
        ErrorCodes.NOT_FOUND,
        'The test host needs the Cairn host package: add @cairn/core to your devDependencies.',
        { cause: error },
      );
    }
    throw error;
  }
  return core.startTestHost(options);
}
