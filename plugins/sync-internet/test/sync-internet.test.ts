import { expect } from 'chai';
import createTestnet from 'hyperdht/testnet.js';
import { runCairn, runCairnJson, startCairn } from '@cairn/core/testing';
import { TempDirs } from '@cairn/sdk/testing';

/**
 * On loopback: a small DHT of three nodes on 127.0.0.1 stands in for the public one, every device
 * binds its DHT node to 127.0.0.1 and is told the testnet's bootstrap nodes — no packet leaves
 * this computer, and HyperDHT's public bootstrap nodes are never asked. (The internet with NAT
 * routers is simulated in network namespaces: test/internet.)
 */
const loopback = { CAIRN_INTERNET_HOST: '127.0.0.1' };

interface Printed {
  peers: Array<{ deviceId: string; deviceName: string; result: string; sent: { observations: number } | null; received: { observations: number } | null }>;
}

const errorOf = (stderr: string) => (JSON.parse(stderr) as { error: { code: string; message: string } }).error;

describe('sync over the internet (loopback DHT)', function () {
  this.timeout(120_000);
  const temp = new TempDirs();
  let testnet: Awaited<ReturnType<typeof createTestnet>>;
  let bootstrap: string[];
  before(async () => {
    testnet = await createTestnet(3, { host: '127.0.0.1' });
    bootstrap = testnet.bootstrap.flatMap(({ host, port }) => ['--bootstrap', `${host}:${port}`]);
  });
  after(() => testnet?.destroy());
  afterEach(() => temp.cleanup());

  const cli = (dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}) => runCairn(['--data-dir', dataDir, ...args], { env: { ...loopback, ...env } });
  const json = <T>(dataDir: string, ...args: string[]) => runCairnJson<T>(['--data-dir', dataDir, ...args], { env: loopback });
  const notes = async (dataDir: string) => (await json<Array<{ notes: string }>>(dataDir, 'obs', 'list')).map((observation) => observation.notes).sort();

  it('two devices meet on the DHT and end with the same data; each prints the other', async () => {
    const [a, b] = [await temp.make(), await temp.make()];
    const { projectKey } = await json<{ projectKey: string }>(a, 'init', '--name', 'Spread survey', '--device-name', 'alpha');
    await json(b, 'init', '--join', projectKey, '--device-name', 'beta');
    await json(a, 'obs', 'add', '--lat', '1', '--lon', '2', '--notes', 'from alpha');
    await json(b, 'obs', 'add', '--lat', '3', '--lon', '4', '--notes', 'from beta');

    const first = await startCairn(['--data-dir', a, 'sync', 'internet', ...bootstrap, '--timeout', '60', '--json'], { env: loopback });
    const second = await cli(b, ['sync', 'internet', ...bootstrap, '--timeout', '60', '--json']);
    const done = await first.done;
    expect(second.code, second.stderr).to.equal(0);
    expect(done.code, done.stderr).to.equal(0);
    const fromB = JSON.parse(second.stdout) as Printed;
    expect(fromB.peers.map(({ deviceName, result }) => ({ deviceName, result }))).to.deep.equal([{ deviceName: 'alpha', result: 'ok' }]);
    expect(fromB.peers[0]!.received!.observations).to.equal(1);
    expect((JSON.parse(done.stdout) as Printed).peers.map((peer) => peer.deviceName)).to.deep.equal(['beta']);
    expect(await notes(a)).to.deep.equal(['from alpha', 'from beta']);
    expect(await notes(b)).to.deep.equal(['from alpha', 'from beta']);
  });

  it('gives nothing to a device of another project on the same DHT, and ends with ERR_TIMEOUT when no member comes', async () => {
    const [a, stranger] = [await temp.make(), await temp.make()];
    await json(a, 'init', '--name', 'Private survey', '--device-name', 'alpha');
    await json(a, 'obs', 'add', '--lat', '1', '--lon', '2', '--notes', 'private');
    await json(stranger, 'init', '--name', 'Another survey', '--device-name', 'stranger');
    const [alone, other] = await Promise.all([
      cli(a, ['sync', 'internet', ...bootstrap, '--timeout', '6', '--json']),
      cli(stranger, ['sync', 'internet', ...bootstrap, '--timeout', '6', '--json']),
    ]);
    expect(alone.code).to.equal(1);
    expect(errorOf(alone.stderr).code).to.equal('ERR_TIMEOUT');
    expect(errorOf(other.stderr).code).to.equal('ERR_TIMEOUT');
    expect(await notes(stranger)).to.deep.equal([]);
    // Said plainly, every run, on the terminal: what becomes visible.
    const told = await cli(a, ['sync', 'internet', ...bootstrap, '--timeout', '1']);
    expect(told.stderr).to.match(/warning: .*IP address is visible to the DHT/);
    expect(told.stderr).to.include('ERR_TIMEOUT');
  });

  it('refuses bad input before anything starts', async () => {
    const a = await temp.make();
    await json(a, 'init', '--name', 'Survey', '--device-name', 'alpha');
    for (const args of [
      ['--bootstrap', 'nowhere'],
      ['--bootstrap', '127.0.0.1:70000'],
      ['--wait-peers', '0'],
      ['--timeout', '-1'],
    ]) {
      const refused = await cli(a, ['sync', 'internet', ...args, '--json']);
      expect(errorOf(refused.stderr).code, args.join(' ')).to.equal('ERR_INVALID_INPUT');
    }
    const noProject = await cli(await temp.make(), ['sync', 'internet', ...bootstrap, '--json']);
    expect(errorOf(noProject.stderr).code).to.equal('ERR_NO_PROJECT');
  });

  it('an archive keeps what one member brought for another that comes later, reachable by address where the DHT is blocked, and stops cleanly', async () => {
    const [archiveDir, a, b, c] = [await temp.make(), await temp.make(), await temp.make(), await temp.make()];
    const { projectKey } = await json<{ projectKey: string }>(a, 'init', '--name', 'Spread survey', '--device-name', 'alpha');
    for (const [dir, name] of [[archiveDir, 'archive'], [b, 'beta'], [c, 'gamma']] as const) await json(dir, 'init', '--join', projectKey, '--device-name', name);
    await json(a, 'obs', 'add', '--lat', '1', '--lon', '2', '--notes', 'from alpha');

    const archive = await startCairn(['--data-dir', archiveDir, 'archive', ...bootstrap, '--host', '127.0.0.1', '--json'], { env: loopback });
    const lines: Array<Record<string, unknown>> = [];
    let buffered = '';
    const started = new Promise<Record<string, unknown>>((resolve) =>
      archive.child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
          const line = JSON.parse(buffered.slice(0, end)) as Record<string, unknown>;
          buffered = buffered.slice(end + 1);
          lines.push(line);
          if (line.event === 'start') resolve(line);
        }
      }),
    );
    const { address } = (await started) as { address: string };
    expect(address).to.match(/^127\.0\.0\.1:\d+$/);

    // A syncs with the archive and leaves; B, never online with A, gets A's data from it.
    expect((await cli(a, ['sync', 'internet', ...bootstrap, '--timeout', '60', '--json'])).code).to.equal(0);
    const later = await cli(b, ['sync', 'internet', ...bootstrap, '--timeout', '60', '--json']);
    expect(later.code, later.stderr).to.equal(0);
    expect((JSON.parse(later.stdout) as Printed).peers.map((peer) => peer.deviceName)).to.deep.equal(['archive']);
    expect(await notes(b)).to.deep.equal(['from alpha']);

    // C's DHT is out of reach (a bootstrap node where nothing answers): it reaches the archive by address.
    const byAddress = await cli(c, ['sync', 'internet', '--bootstrap', '127.0.0.1:9', '--connect', address, '--timeout', '60', '--json']);
    expect(byAddress.code, byAddress.stderr).to.equal(0);
    expect(await notes(c)).to.deep.equal(['from alpha']);

    archive.child.kill('SIGTERM');
    const stopped = await archive.done;
    expect(stopped.code, stopped.stderr).to.equal(0);
    const sessions = lines.filter((line) => line.event === 'session');
    expect(sessions.map((line) => line.deviceName).sort()).to.deep.equal(['alpha', 'beta', 'gamma']);
    expect(sessions.find((line) => line.deviceName === 'alpha')).to.deep.include({ received: { observations: 1, attachments: 0, bytes: (sessions.find((line) => line.deviceName === 'alpha')!.received as { bytes: number }).bytes } });
    for (const line of sessions) expect(line).to.have.keys(['event', 'deviceId', 'deviceName', 'sent', 'received', 'ms']);
    expect(lines.at(-1)).to.deep.equal({ event: 'stop', reason: 'SIGTERM', sessions: 3 });
    // It keeps all the data, and wrote none of its own.
    expect(await notes(archiveDir)).to.deep.equal(['from alpha']);
  });
});
