import { join } from 'node:path';
import { expect } from 'chai';
import { runCairnJson } from '@cairn/core/testing';
import { folderBytes } from '@cairn/sdk/testing';
import { TempDirs } from '../helpers.js';
import { Internet } from './netns.js';

function cairnJson<T>(dataDir: string, ...args: string[]): Promise<T> {
  return runCairnJson<T>(['--data-dir', dataDir, ...args]);
}

const notes = async (dataDir: string) => (await cairnJson<Array<{ notes: string }>>(dataDir, 'obs', 'list')).map((observation) => observation.notes).sort();
const errorOf = (stderr: string) => (JSON.parse(stderr) as { error: { code: string } }).error;

/**
 * Sync over the internet as field teams meet it: two homes behind NAT routers, a DHT and an
 * archive on the public side, and no route out of the namespaces (test/internet/netns.ts).
 */
describe('sync over the internet through two NAT routers (network namespaces, no route out)', function () {
  this.timeout(300_000);
  const temp = new TempDirs();
  let internet: Internet;
  before(async () => (internet = await Internet.create()));
  after(async () => {
    await internet?.dispose();
    await temp.cleanup();
  });

  it('two devices in two homes meet through both NATs; through an archive, one gets what the other brought while it was away; an outsider gets nothing', async () => {
    const [a, b, archiveDir, outsider] = [await temp.make(), await temp.make(), await temp.make(), await temp.make()];
    const { projectKey } = await cairnJson<{ projectKey: string }>(a, 'init', '--name', 'Territory survey', '--device-name', 'alpha');
    await cairnJson(b, 'init', '--join', projectKey, '--device-name', 'beta');
    await cairnJson(archiveDir, 'init', '--join', projectKey, '--device-name', 'archive');
    await cairnJson(outsider, 'init', '--name', 'Another survey', '--device-name', 'outsider');
    await cairnJson(a, 'obs', 'add', '--lat', '1', '--lon', '2', '--notes', 'first, from home 1');
    const sync = ['sync', 'internet', ...internet.bootstrap, '--timeout', '90', '--json'];

    // Directly, home to home: the only way between them is a hole punched through both routers.
    const [fromA, fromB] = await Promise.all([internet.cairn(1, a, sync), internet.cairn(2, b, sync)]);
    expect(fromA.code, fromA.stderr).to.equal(0);
    expect(fromB.code, fromB.stderr).to.equal(0);
    expect(await notes(b)).to.deep.equal(['first, from home 1']);

    // The archive on the public side: A syncs with it and goes away; B, later, gets A's news from it.
    const archive = await internet.start('server', archiveDir, ['archive', ...internet.bootstrap, '--port', '49737', '--json']);
    await cairnJson(a, 'obs', 'add', '--lat', '3', '--lon', '4', '--notes', 'second, while beta was away');
    const toArchive = await internet.cairn(1, a, sync);
    expect(toArchive.code, toArchive.stderr).to.equal(0);
    expect((JSON.parse(toArchive.stdout) as { peers: Array<{ deviceName: string }> }).peers.map((peer) => peer.deviceName)).to.deep.equal(['archive']);
    const fromArchive = await internet.cairn(2, b, sync);
    expect(fromArchive.code, fromArchive.stderr).to.equal(0);
    expect(await notes(b)).to.deep.equal(['first, from home 1', 'second, while beta was away']);

    // An outsider on the public side that reaches the archive's door gets nothing.
    const refused = await internet.cairn('dht', outsider, ['sync', 'internet', '--bootstrap', `${internet.dhtHost}:9`, '--connect', `${internet.serverHost}:49737`, '--timeout', '8', '--json']);
    expect(refused.code).to.equal(1);
    expect(errorOf(refused.stderr).code).to.equal('ERR_TIMEOUT');
    expect(await notes(outsider)).to.deep.equal([]);

    archive.child.kill('SIGTERM');
    const stopped = await archive.done;
    expect(stopped.code, stopped.stderr).to.equal(0);
    const lines = stopped.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.event === 'session').map((line) => line.deviceName)).to.deep.equal(['alpha', 'beta']);
    expect(lines.at(-1)).to.include({ event: 'stop', reason: 'SIGTERM', sessions: 2 });
  });

  it("loses nothing when a home's line goes down mid-sync: back up, a retry moves the rest", async () => {
    const [a, b] = [await temp.make(), await temp.make()];
    const { projectKey } = await cairnJson<{ projectKey: string }>(a, 'init', '--name', 'Line cut', '--device-name', 'alpha');
    await cairnJson(b, 'init', '--join', projectKey, '--device-name', 'beta');
    await cairnJson(a, 'run', 'cairn.project.loadSampleData', '40000');
    await cairnJson(b, 'obs', 'add', '--lat', '1', '--lon', '1', '--notes', 'kept by beta');
    const total = (await cairnJson<{ observations: number }>(a, 'project')).observations;
    const sync = (seconds: number) => ['sync', 'internet', ...internet.bootstrap, '--timeout', String(seconds), '--json'];

    const first = [internet.cairn(1, a, sync(20)), internet.cairn(2, b, sync(20))];
    // Home 2's line is cut once data has begun to arrive.
    const before = await folderBytes(join(b, 'corestore'));
    const deadline = Date.now() + 60_000;
    while ((await folderBytes(join(b, 'corestore'))) < before + 1_000_000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await internet.homeLink(2, false);
    const interrupted = await Promise.all(first);
    expect(interrupted.map((result) => result.code), 'neither side completed with the line down').to.deep.equal([1, 1]);
    expect((await cairnJson<{ observations: number }>(b, 'project')).observations, 'the line went down mid-sync').to.be.lessThan(total + 1);

    await internet.homeLink(2, true);
    const retry = await Promise.all([internet.cairn(1, a, sync(90)), internet.cairn(2, b, sync(90))]);
    expect(retry.map((result) => result.code), retry.map((result) => result.stderr).join('\n')).to.deep.equal([0, 0]);
    expect((await cairnJson<{ observations: number }>(b, 'project')).observations).to.equal(total + 1);
    expect((await cairnJson<{ observations: number }>(a, 'project')).observations).to.equal(total + 1);
  });
});
