import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { runCairn, startCairn, type CairnProcess, type CairnProcessResult } from '@cairn/core/testing';
import { repoRoot } from '../helpers.js';

const run = promisify(execFile);

async function sh(command: string, ...args: string[]): Promise<void> {
  try {
    await run(command, args);
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr?.trim() || (error as Error).message}`, { cause: error });
  }
}

/**
 * The internet, on this machine: a "public" segment (a bridge, 203.0.113.0/24, a range kept for
 * documentation) with a small HyperDHT network on one host and a server on another, and two homes,
 * each a device behind a NAT router (iptables MASQUERADE) of its own. There is no route out of
 * the namespaces: nothing reaches a real network. Needs root, iproute2 and iptables.
 */
export class Internet {
  readonly dhtHost = '203.0.113.2';
  readonly serverHost = '203.0.113.3';
  private dht: ChildProcess | null = null;
  /** The testnet's bootstrap nodes, as `--bootstrap` takes them. */
  bootstrap: string[] = [];

  private constructor(private readonly id: string) {}

  static async create(): Promise<Internet> {
    if (process.getuid?.() !== 0) throw new Error('The internet tests make network namespaces, which needs root: run npm test as root (CI does).');
    // Short names: interface names have at most 15 characters.
    const net = new Internet(`${process.pid % 1000}${Math.floor(Math.random() * 100)}`);
    try {
      await net.build();
    } catch (error) {
      await net.dispose();
      throw error;
    }
    return net;
  }

  private ns(name: 'dht' | 'srv' | `r${number}` | `h${number}`): string {
    return `cnet-${this.id}-${name}`;
  }

  /** Where a command runs: on the DHT host, the server, or in a home. */
  prefix(where: 'dht' | 'server' | 1 | 2): string[] {
    return ['ip', 'netns', 'exec', this.ns(where === 'dht' ? 'dht' : where === 'server' ? 'srv' : `h${where}`)];
  }

  private async build(): Promise<void> {
    const bridge = `cpub${this.id}`;
    await sh('ip', 'link', 'add', bridge, 'type', 'bridge');
    await sh('ip', 'link', 'set', bridge, 'up');
    const publicHost = async (ns: string, link: string, address: string, name: string) => {
      await sh('ip', 'link', 'add', link, 'type', 'veth', 'peer', 'name', name, 'netns', ns);
      await sh('ip', 'link', 'set', link, 'master', bridge, 'up');
      await sh('ip', '-n', ns, 'addr', 'add', `${address}/24`, 'dev', name);
      await sh('ip', '-n', ns, 'link', 'set', name, 'up');
      await sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
    };
    for (const [name, address] of [['dht', this.dhtHost], ['srv', this.serverHost]] as const) {
      await sh('ip', 'netns', 'add', this.ns(name));
      await publicHost(this.ns(name), `cp${this.id}${name}`, address, 'eth0');
    }
    for (const home of [1, 2]) {
      const router = this.ns(`r${home}`);
      const house = this.ns(`h${home}`);
      await sh('ip', 'netns', 'add', router);
      await sh('ip', 'netns', 'add', house);
      await publicHost(router, `cp${this.id}r${home}`, `203.0.113.${10 + home}`, 'wan');
      await sh('ip', '-n', router, 'link', 'add', 'lan', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', house);
      await sh('ip', '-n', router, 'addr', 'add', `192.168.${home}.1/24`, 'dev', 'lan');
      await sh('ip', '-n', router, 'link', 'set', 'lan', 'up');
      await sh('ip', '-n', house, 'addr', 'add', `192.168.${home}.10/24`, 'dev', 'eth0');
      await sh('ip', '-n', house, 'link', 'set', 'eth0', 'up');
      await sh('ip', '-n', house, 'link', 'set', 'lo', 'up');
      await sh('ip', '-n', house, 'route', 'add', 'default', 'via', `192.168.${home}.1`);
      const inRouter = (...args: string[]) => sh('ip', 'netns', 'exec', router, ...args);
      await inRouter('sysctl', '-q', '-w', 'net.ipv4.ip_forward=1');
      await inRouter('iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE');
      // Unsolicited packets from outside are dropped before conntrack commits them: otherwise the
      // first punch packet makes an entry that has the NAT remap the port, and every punch fails.
      await inRouter('iptables', '-A', 'INPUT', '-i', 'wan', '-m', 'conntrack', '--ctstate', 'NEW', '-j', 'DROP');
      await inRouter('iptables', '-A', 'FORWARD', '-i', 'wan', '-m', 'conntrack', '--ctstate', 'NEW', '-j', 'DROP');
    }
    // The stand-in for the public DHT: ten nodes on the DHT host (a punch needs several to agree on how a router maps ports).
    const script =
      "import { createRequire } from 'node:module';" +
      `const createTestnet = createRequire(${JSON.stringify(`${repoRoot}/package.json`)})('hyperdht/testnet');` +
      `const testnet = await createTestnet(10, { host: ${JSON.stringify(this.dhtHost)} });` +
      'console.log(JSON.stringify(testnet.bootstrap));';
    const dht = spawn('ip', ['netns', 'exec', this.ns('dht'), process.execPath, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.dht = dht;
    const nodes = await new Promise<Array<{ host: string; port: number }>>((resolve, reject) => {
      let out = '';
      dht.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))) as Array<{ host: string; port: number }>);
      });
      dht.once('exit', (code) => reject(new Error(`The DHT of the stand-in internet exited (${code}) before it was up.`)));
    });
    this.bootstrap = nodes.flatMap(({ host, port }) => ['--bootstrap', `${host}:${port}`]);
  }

  /** Pulls the cable between a home's router and the internet (or plugs it back). */
  async homeLink(home: 1 | 2, up: boolean): Promise<void> {
    await sh('ip', 'link', 'set', `cp${this.id}r${home}`, up ? 'up' : 'down');
  }

  cairn(where: 'dht' | 'server' | 1 | 2, dataDir: string, args: string[]): Promise<CairnProcessResult> {
    return runCairn(['--data-dir', dataDir, ...args], { prefix: this.prefix(where) });
  }

  start(where: 'dht' | 'server' | 1 | 2, dataDir: string, args: string[]): Promise<CairnProcess> {
    return startCairn(['--data-dir', dataDir, ...args], { prefix: this.prefix(where) });
  }

  async dispose(): Promise<void> {
    this.dht?.kill('SIGKILL');
    for (const name of ['dht', 'srv', 'r1', 'h1', 'r2', 'h2'] as const) await sh('ip', 'netns', 'delete', this.ns(name)).catch(() => undefined);
    for (const link of ['dht', 'srv', 'r1', 'r2']) await sh('ip', 'link', 'delete', `cp${this.id}${link}`).catch(() => undefined);
    await sh('ip', 'link', 'delete', `cpub${this.id}`).catch(() => undefined);
  }
}
