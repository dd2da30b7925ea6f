import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runCairn, type CairnProcessResult } from '@cairn/core/testing';

const run = promisify(execFile);

/**
 * A LAN of real hosts on this machine: one network namespace per host, each with a veth pair
 * whose other end is on a bridge, an address in a private /24, and no route anywhere else (no
 * internet, as in the field). Needs root (and iproute2).
 */
export class Lan {
  private constructor(
    private readonly id: string,
    readonly addresses: string[],
  ) {}

  static async create(hosts: number): Promise<Lan> {
    if (process.getuid?.() !== 0) {
      throw new Error('The LAN tests make network namespaces, which needs root: run npm test as root (CI does).');
    }
    // Short names: interface names have at most 15 characters.
    const id = `${process.pid % 10_000}${Math.floor(Math.random() * 100)}`;
    const subnet = `10.${200 + (process.pid % 50)}.${Math.floor(Math.random() * 250)}`;
    const lan = new Lan(id, Array.from({ length: hosts }, (_, index) => `${subnet}.${index + 10}`));
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

  /** Runs `cairn` on a host of the LAN, to its end. */
  cairn(index: number, dataDir: string, args: string[]): Promise<CairnProcessResult> {
    return runCairn(['--data-dir', dataDir, ...args], { prefix: ['ip', 'netns', 'exec', this.namespace(index)], env: { CAIRN_WIFI_HOST: '' } });
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
