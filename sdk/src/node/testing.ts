/**
 * What plugin tests share with the host, without depending on it: the shape of the headless test
 * host (`TestHost`, `TestHostOptions`, `CliResult`) and helpers that need no host (`TempDirs`,
 * `folderBytes`, and `Lan`: real hosts in network namespaces).
 *
 * The test host itself is the host, so it comes from the host package, `@cairn/core/testing`
 * (a plugin's dev dependency), as do the helpers that run the `cairn` CLI as a process
 * (`runCairn`, `startCairn`): the SDK is the contract plugins are written against and does not
 * depend on the host that implements it.
 *
 * ```js
 * import { startTestHost } from '@cairn/core/testing';
 * const host = await startTestHost({ plugins: [new URL('..', import.meta.url).pathname] });
 * assert.equal((await host.execute('hello.greet', 'Ada')).greeting, 'Hello, Ada!');
 * await host.dispose();
 * ```
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LogRecord, PluginInfo } from '../common/plugin-info.js';

/** What `startTestHost` of `@cairn/core/testing` takes. */
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

/** A headless host running in a data dir of its own: what `startTestHost` of `@cairn/core/testing` gives. */
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
  /** Runs `cairn … --json`, which must succeed (else it throws with the exit code and stderr), and parses what it printed. */
  cliJson<T = unknown>(...args: string[]): Promise<T>;
  /** Everything logged so far by the host and the plugins. */
  logs(): LogRecord[];
  /** Deactivates every plugin and removes the temporary data dir. */
  dispose(): Promise<void>;
}

/** Temporary folders made by a test, all removed by `cleanup()` (call it in `afterEach`). */
export class TempDirs {
  private readonly dirs: string[] = [];

  async make(prefix = 'cairn-'): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

/** Bytes of the files under `path` (0 while it does not exist): to see a store grow, say. */
export async function folderBytes(path: string): Promise<number> {
  const info = await stat(path).catch(() => null);
  if (info === null) return 0;
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path).catch(() => [])) total += await folderBytes(join(path, entry));
  return total;
}

const run = promisify(execFile);

/**
 * A LAN of real hosts on this machine: one network namespace per host, each with a veth pair
 * whose other end is on a bridge, an address in a private /24, and no route anywhere else (no
 * internet, as in the field). Needs root (and iproute2).
 */
export class Lan {
  /** Made by `create`, which builds the network. */
  constructor(
    private readonly id: string,
    readonly addresses: string[],
  ) {}

  /** Builds a LAN of `hosts` hosts (a subclass's `create` makes one of its own kind). */
  static async create<L extends Lan>(this: new (id: string, addresses: string[]) => L, hosts: number): Promise<L> {
    if (process.getuid?.() !== 0) {
      throw new Error('The LAN tests make network namespaces, which needs root: run npm test as root (CI does).');
    }
    // Short names: interface names have at most 15 characters.
    const id = `${process.pid % 10_000}${Math.floor(Math.random() * 100)}`;
    const subnet = `10.${200 + (process.pid % 50)}.${Math.floor(Math.random() * 250)}`;
    const lan = new this(id, Array.from({ length: hosts }, (_, index) => `${subnet}.${index + 10}`));
    try {
      await ip('link', 'add', lan.bridge, 'type', 'bridge');
      await ip('link', 'set', lan.bridge, 'up');
      for (let index = 0; index < hosts; index += 1) {
        const ns = lan.namespace(index);
        await ip('netns', 'add', ns);
        await ip('link', 'add', lan.hostLink(index), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
        await ip('link', 'set', lan.hostLink(index), 'master', lan.bridge, 'up');
        await ip('-n', ns, 'addr', 'add', `${lan.addresses[index]}/24`, 'dev', 'eth0');
        await ip('-n', ns, 'link', 'set', 'eth0', 'up');
        await ip('-n', ns, 'link', 'set', 'lo', 'up');
      }
    } catch (error) {
      await lan.dispose();
      throw error;
    }
    return lan;
  }

  private get bridge(): string {
    return `cbr${this.id}`;
  }

  namespace(index: number): string {
    return `cairn-${this.id}-${index}`;
  }

  /** The bridge side of a host's cable: pulling it is taking the host off the network. */
  private hostLink(index: number): string {
    return `cv${this.id}h${index}`;
  }

  async linkDown(index: number): Promise<void> {
    await ip('link', 'set', this.hostLink(index), 'down');
  }

  async linkUp(index: number): Promise<void> {
    await ip('link', 'set', this.hostLink(index), 'up');
  }

  /** What runs a command on a host of the LAN: put it before the command (`ip netns exec …`). */
  prefix(index: number): string[] {
    return ['ip', 'netns', 'exec', this.namespace(index)];
  }

  async dispose(): Promise<void> {
    for (let index = 0; index < this.addresses.length; index += 1) {
      await ip('netns', 'delete', this.namespace(index)).catch(() => undefined);
      await ip('link', 'delete', this.hostLink(index)).catch(() => undefined);
    }
    await ip('link', 'delete', this.bridge).catch(() => undefined);
  }
}

async function ip(...args: string[]): Promise<void> {
  try {
    await run('ip', args);
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`ip ${args.join(' ')} failed: ${stderr?.trim() || (error as Error).message}`, { cause: error });
  }
}
