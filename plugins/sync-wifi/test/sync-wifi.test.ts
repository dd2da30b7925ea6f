import { randomBytes, createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { expect } from 'chai';
import { folderBytes } from '@cairn/sdk/testing';
import { cairn, cairnJson, device, freePort, observations, startCairn, TempDirs } from './helpers.js';

interface PeerLine {
  deviceId: string;
  deviceName: string;
  result: string;
  sent: { observations: number; attachments: number; bytes: number };
  received: { observations: number; attachments: number; bytes: number };
}

const parse = (stdout: string) => JSON.parse(stdout) as { peers: PeerLine[] };

describe('sync over Wi-Fi (loopback)', function () {
  this.timeout(180_000);
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it('syncs two devices both ways, photos byte for byte, and prints each peer', async () => {
    const a = await temp.make();
    const b = await temp.make();
    const key = await device(a, 'alpha');
    const idOfB = (await cairnJson<{ deviceId: string }>(b, 'init', '--join', key, '--device-name', 'beta')).deviceId;
    const photo = join(await temp.make(), 'heron.jpg');
    await writeFile(photo, randomBytes(700_000));
    const fromA = await cairnJson<{ id: string }>(a, 'obs', 'add', '--lat', '1', '--lon', '2', '--notes', 'from alpha', '--photo', photo);
    await cairnJson(b, 'obs', 'add', '--lat', '3', '--lon', '4', '--notes', 'from beta', '--tag', 'kind=nest');

    const port = await freePort();
    const first = await startCairn(a, ['sync', 'wifi', '--timeout', '30', '--json'], { CAIRN_WIFI_PORT: String(port) });
    const second = await cairn(b, ['sync', 'wifi', '--connect', `127.0.0.1:${port}`, '--timeout', '30', '--json']);
    const firstDone = await first.done;
    expect(second.code, second.stderr).to.equal(0);
    expect(firstDone.code, firstDone.stderr).to.equal(0);

    const [peerOfB] = parse(second.stdout).peers;
    expect(Object.keys(peerOfB!).sort()).to.deep.equal(['deviceId', 'deviceName', 'received', 'result', 'sent']);
    expect(peerOfB).to.deep.include({ deviceName: 'alpha', result: 'ok' });
    expect(peerOfB!.received).to.deep.include({ observations: 1, attachments: 1 });
    expect(peerOfB!.sent).to.deep.include({ observations: 1, attachments: 0 });
    expect(parse(firstDone.stdout).peers[0]).to.deep.include({ deviceId: idOfB, deviceName: 'beta', result: 'ok' });

    expect(await observations(b)).to.deep.equal(await observations(a));
    const copy = join(await temp.make(), 'copy.jpg');
    await cairnJson(b, 'obs', 'attachment', fromA.id, 'heron.jpg', '--out', copy);
    const sha = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');
    expect(await sha(copy)).to.equal(await sha(photo));
  });

  it('waits for as many devices as asked: three devices converge', async () => {
    const [a, b, c] = [await temp.make(), await temp.make(), await temp.make()];
    const key = await device(a, 'alpha');
    await device(b, 'beta', key);
    await device(c, 'gamma', key);
    for (const [dataDir, notes] of [[a, 'alpha'], [b, 'beta'], [c, 'gamma']] as const) {
      await cairnJson(dataDir, 'obs', 'add', '--lat', '1', '--lon', '1', '--notes', `from ${notes}`);
    }
    const port = await freePort();
    // B and C know only A's address; through A's DHT node they find each other too.
    const hub = await startCairn(a, ['sync', 'wifi', '--wait-peers', '2', '--timeout', '60', '--json'], { CAIRN_WIFI_PORT: String(port) });
    const [fromB, fromC] = await Promise.all([
      cairn(b, ['sync', 'wifi', '--wait-peers', '2', '--connect', `127.0.0.1:${port}`, '--timeout', '60', '--json']),
      cairn(c, ['sync', 'wifi', '--wait-peers', '2', '--connect', `127.0.0.1:${port}`, '--timeout', '60', '--json']),
    ]);
    const hubDone = await hub.done;
    expect([hubDone.code, fromB.code, fromC.code], hubDone.stderr + fromB.stderr + fromC.stderr).to.deep.equal([0, 0, 0]);
    expect(parse(hubDone.stdout).peers.map((peer) => peer.deviceName).sort()).to.deep.equal(['beta', 'gamma']);
    expect(parse(fromB.stdout).peers.map((peer) => peer.deviceName).sort()).to.deep.equal(['alpha', 'gamma']);
    expect(parse(fromC.stdout).peers.map((peer) => peer.deviceName).sort()).to.deep.equal(['alpha', 'beta']);
    const everywhere = await observations(a);
    expect(everywhere.map((observation) => observation.notes).sort()).to.deep.equal(['from alpha', 'from beta', 'from gamma']);
    expect(await observations(b)).to.deep.equal(everywhere);
    expect(await observations(c)).to.deep.equal(everywhere);
  });

  it('refuses bad input with a coded error before anything starts', async () => {
    const a = await temp.make();
    await device(a, 'alpha');
    const cases: Array<[string[], RegExp]> = [
      [['--connect', 'not-an-address'], /^error \[ERR_INVALID_INPUT\]: connect: 'not-an-address' is not an address like 192\.168\.1\.20:49737/],
      [['--connect', '10.0.0.1:70000'], /ERR_INVALID_INPUT/],
      [['--wait-peers', '0'], /^error \[ERR_INVALID_INPUT\]: wait-peers: give a whole number/],
      [['--timeout', '-3'], /^error \[ERR_INVALID_INPUT\]: timeout: give a number of seconds above 0/],
    ];
    for (const [args, expected] of cases) {
      const result = await cairn(a, ['sync', 'wifi', ...args]);
      expect(result.code, args.join(' ')).to.equal(1);
      expect(result.stderr).to.match(expected);
    }
    const empty = await temp.make();
    const noProject = await cairn(empty, ['sync', 'wifi', '--timeout', '1']);
    expect(noProject.code).to.equal(1);
    expect(noProject.stderr).to.contain('[ERR_NO_PROJECT]');
  });

  it('ends with ERR_TIMEOUT when no device comes, and says what to check', async () => {
    const a = await temp.make();
    await device(a, 'alpha');
    const started = Date.now();
    const result = await cairn(a, ['sync', 'wifi', '--timeout', '1.5', '--json']);
    expect(result.code).to.equal(1);
    const { error } = JSON.parse(result.stderr) as { error: { code: string; message: string } };
    expect(error.code).to.equal('ERR_TIMEOUT');
    expect(error.message).to.match(/^0 of 1 device synced within 2 s\. No other device of this project was found/);
    expect(Date.now() - started).to.be.lessThan(15_000);
  });

  it('gives nothing to a device of another project that connects, and is not disturbed by it', async () => {
    const [a, b, outsider] = [await temp.make(), await temp.make(), await temp.make()];
    const key = await device(a, 'alpha');
    await device(b, 'beta', key);
    await cairnJson(outsider, 'init', '--name', 'Someone else', '--device-name', 'outsider');
    await cairnJson(a, 'obs', 'add', '--lat', '1', '--lon', '1', '--notes', 'members only');
    const port = await freePort();
    const member = await startCairn(a, ['sync', 'wifi', '--timeout', '30', '--json'], { CAIRN_WIFI_PORT: String(port) });
    const stranger = await startCairn(outsider, ['sync', 'wifi', '--connect', `127.0.0.1:${port}`, '--timeout', '4', '--json']);
    // Noise on the listening port (not the DHT's, not Noise's handshake) is dropped: it disturbs nothing.
    const noise = createSocket('udp4');
    for (let index = 0; index < 200; index += 1) noise.send(randomBytes(1 + (index % 1200)), port, '127.0.0.1');
    const strangerDone = await stranger.done;
    noise.close();
    const fromB = await cairn(b, ['sync', 'wifi', '--connect', `127.0.0.1:${port}`, '--timeout', '30', '--json']);
    const memberDone = await member.done;
    expect(strangerDone.code).to.equal(1);
    expect((JSON.parse(strangerDone.stderr) as { error: { code: string } }).error.code).to.equal('ERR_TIMEOUT');
    expect(await cairnJson<unknown[]>(outsider, 'obs', 'list')).to.deep.equal([]);
    expect([memberDone.code, fromB.code]).to.deep.equal([0, 0]);
    expect(parse(memberDone.stdout).peers.map((peer) => peer.deviceName)).to.deep.equal(['beta']);
    expect((await observations(b)).map((observation) => observation.notes)).to.deep.equal(['members only']);
  });

  it('refuses a removed device, and says so to it, with nothing exchanged', async () => {
    const [a, b] = [await temp.make(), await temp.make()];
    const key = await device(a, 'alpha');
    const idOfB = (await cairnJson<{ deviceId: string }>(b, 'init', '--join', key, '--device-name', 'beta')).deviceId;
    const port = await freePort();
    const first = await startCairn(a, ['sync', 'wifi', '--timeout', '30', '--json'], { CAIRN_WIFI_PORT: String(port) });
    expect((await cairn(b, ['sync', 'wifi', '--connect', `127.0.0.1:${port}`, '--timeout', '30', '--json'])).code).to.equal(0);
    expect((await first.done).code).to.equal(0);

    await cairnJson(a, 'members', 'remove', idOfB);
    await cairnJson(a, 'obs', 'add', '--lat', '1', '--lon', '1', '--notes', 'after the removal');
    // Time enough for both processes to start on a busy machine: each waits it out, then says why.
    const again = await startCairn(a, ['sync', 'wifi', '--timeout', '10', '--json'], { CAIRN_WIFI_PORT: String(port) });
    const removed = await cairn(b, ['sync', 'wifi', '--connect', `127.0.0.1:${port}`, '--timeout', '10', '--json']);
    const member = await again.done;
    expect(removed.code).to.equal(1);
    // Each side ends with the reason, not with a wait that timed out.
    expect(JSON.parse(removed.stderr)).to.have.nested.property('error.code', 'ERR_REMOVED');
    expect(JSON.parse(removed.stderr).error.message).to.match(/this device is no longer a member/);
    expect(JSON.parse(member.stderr)).to.have.nested.property('error.code', 'ERR_REMOVED');
    expect((await observations(b)).map((observation) => observation.notes)).to.not.include('after the removal');
    const listed = await cairnJson<Array<{ deviceId: string; status: string }>>(a, 'members');
    expect(listed.find((entry) => entry.deviceId === idOfB)).to.deep.include({ status: 'removed' });
  });

  it('a device that vanishes mid-sync ends the session with an error, and a retry completes', async () => {
    const [a, b] = [await temp.make(), await temp.make()];
    const key = await device(a, 'alpha');
    await device(b, 'beta', key);
    await cairnJson(a, 'run', 'cairn.project.loadSampleData', '60000');
    const total = (await cairnJson<{ observations: number }>(a, 'project')).observations;
    const port = await freePort();

    const member = await startCairn(a, ['sync', 'wifi', '--timeout', '40', '--json'], { CAIRN_WIFI_PORT: String(port) });
    const doomed = await startCairn(b, ['sync', 'wifi', '--connect', `127.0.0.1:${port}`, '--timeout', '40']);
    // Killed once data has begun to arrive (its store grows), long before all of it is there.
    const before = await folderBytes(join(b, 'corestore'));
    const deadline = Date.now() + 60_000;
    while ((await folderBytes(join(b, 'corestore'))) < before + 1_000_000 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    doomed.child.kill('SIGKILL');
    await doomed.done;
    const memberDone = await member.done;
    expect(memberDone.code).to.equal(1);
    const { error } = JSON.parse(memberDone.stderr) as { error: { code: string; message: string } };
    expect(error.code).to.equal('ERR_TIMEOUT');
    // The session with beta ended with its own error (it did not hang until the end).
    expect(error.message).to.match(/beta: (the peer 'beta' (stopped responding|closed)|The connection to the peer 'beta' closed)/);
    const partial = (await cairnJson<{ observations: number }>(b, 'project')).observations;
    expect(partial, 'the kill landed mid-sync').to.be.lessThan(total);

    const retry = await startCairn(a, ['sync', 'wifi', '--timeout', '60', '--json'], { CAIRN_WIFI_PORT: String(port) });
    const resumed = await cairn(b, ['sync', 'wifi', '--connect', `127.0.0.1:${port}`, '--timeout', '60', '--json']);
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect((await retry.done).code).to.equal(0);
    const [peer] = parse(resumed.stdout).peers;
    expect(peer!.received.observations, 'only what was missing moved').to.equal(total - partial);
    expect((await cairnJson<{ observations: number }>(b, 'project')).observations).to.equal(total);
  });

  it('goes away with its plugin: cairn sync wifi says how to enable it, and comes back', async () => {
    const a = await temp.make();
    await device(a, 'alpha');
    expect((await cairn(a, ['plugins', 'disable', 'sync-wifi'])).code).to.equal(0);
    const disabled = await cairn(a, ['sync', 'wifi', '--timeout', '1']);
    expect(disabled.code).to.equal(1);
    expect(disabled.stderr).to.match(/\[ERR_PLUGIN_DISABLED\].*sync-wifi.*cairn plugins enable sync-wifi/);
    expect((await cairn(a, ['plugins', 'enable', 'sync-wifi'])).code).to.equal(0);
    const back = await cairn(a, ['sync', 'wifi', '--timeout', '1', '--json']);
    expect((JSON.parse(back.stderr) as { error: { code: string } }).error.code).to.equal('ERR_TIMEOUT');
  });
});
