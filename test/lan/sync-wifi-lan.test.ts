import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCairn, runCairnJson } from '@cairn/core/testing';
import { folderBytes } from '@cairn/sdk/testing';
import { TempDirs } from '../helpers.js';
import { Lan } from './netns.js';

function cairnJson<T>(dataDir: string, ...args: string[]): Promise<T> {
  return runCairnJson<T>(['--data-dir', dataDir, ...args]);
}

async function contents(dataDir: string): Promise<Array<Record<string, unknown>>> {
  const listed = await cairnJson<Array<Record<string, unknown>>>(dataDir, 'obs', 'list', '--limit', '1000000');
  return listed
    .map(({ id, version, lat, lon, notes, tags, attachments, forks }) => ({ id, version, lat, lon, notes, tags, attachments, forks }))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
}


describe('sync over Wi-Fi on a LAN of three hosts (network namespaces, no route out)', function () {
  this.timeout(300_000);
  const temp = new TempDirs();
  let lan: Lan;
  before(async () => (lan = await Lan.create(3)));
  after(async () => {
    await lan?.dispose();
    await temp.cleanup();
  });

  it('two members find each other with no address given and end with the same data; the outsider gets nothing', async () => {
    const [alpha, beta, outsider] = [await temp.make(), await temp.make(), await temp.make()];
    const { projectKey } = await cairnJson<{ projectKey: string }>(alpha, 'init', '--name', 'LAN survey', '--device-name', 'alpha');
    await cairnJson(beta, 'init', '--join', projectKey, '--device-name', 'beta');
    await cairnJson(outsider, 'init', '--name', 'Another project', '--device-name', 'outsider');
    const photo = join(await temp.make(), 'otter.jpg');
    await writeFile(photo, randomBytes(400_000));
    await cairnJson(alpha, 'obs', 'add', '--lat', '-3.1', '--lon', '-60.0', '--notes', 'otter den', '--photo', photo);
    await cairnJson(alpha, 'run', 'cairn.project.loadSampleData', '500');
    await cairnJson(beta, 'obs', 'add', '--lat', '-3.2', '--lon', '-60.1', '--notes', 'from beta');
    await cairnJson(outsider, 'obs', 'add', '--lat', '10', '--lon', '10', '--notes', 'not for them');

    const started = Date.now();
    const runs = [
      lan.cairn(0, alpha, ['sync', 'wifi', '--timeout', '30', '--json']),
      lan.cairn(1, beta, ['sync', 'wifi', '--timeout', '30', '--json']),
      lan.cairn(2, outsider, ['sync', 'wifi', '--timeout', '8', '--json']),
    ];
    const [fromAlpha, fromBeta, fromOutsider] = await Promise.all(runs);
    expect(fromAlpha!.code, fromAlpha!.stderr).to.equal(0);
    expect(fromBeta!.code, fromBeta!.stderr).to.equal(0);
    const peerOfBeta = (JSON.parse(fromBeta!.stdout) as { peers: Array<{ deviceName: string; result: string; received: { observations: number; attachments: number } }> }).peers;
    expect(peerOfBeta.map(({ deviceName, result }) => ({ deviceName, result }))).to.deep.equal([{ deviceName: 'alpha', result: 'ok' }]);
    expect(peerOfBeta[0]!.received).to.deep.include({ observations: 501, attachments: 1 });
    expect(Date.now() - started, 'found and synced well within the time given').to.be.lessThan(30_000);

    expect(await contents(beta)).to.deep.equal(await contents(alpha));
    // The outsider ran on the same network the whole time: it found no member, got nothing, gave nothing.
    expect(fromOutsider!.code).to.equal(1);
    expect((JSON.parse(fromOutsider!.stderr) as { error: { code: string } }).error.code).to.equal('ERR_TIMEOUT');
    expect((await contents(outsider)).map((observation) => observation.notes)).to.deep.equal(['not for them']);
    expect((await contents(alpha)).some((observation) => observation.notes === 'not for them')).to.equal(false);
  });

  it('a coordinator finds a device waiting to join by its name (mDNS, no address given) and invites it; another waiting device is left alone', async () => {
    const [alpha, tablet, other] = [await temp.make(), await temp.make(), await temp.make()];
    await cairnJson(alpha, 'init', '--name', 'Invited survey', '--device-name', 'alpha');
    const waiting = lan.cairn(1, tablet, ['join', '--device-name', 'tablet', '--timeout', '30', '--json']);
    const bystander = lan.cairn(2, other, ['join', '--device-name', 'bystander', '--timeout', '10', '--json']);
    const invited = await lan.cairn(0, alpha, ['invite', '--device', 'tablet', '--role', 'coordinator', '--timeout', '30', '--json']);
    const [joined, left] = await Promise.all([waiting, bystander]);
    expect(invited.code, invited.stderr).to.equal(0);
    expect(JSON.parse(invited.stdout)).to.deep.include({ deviceName: 'tablet', role: 'coordinator', decision: 'accepted' });
    expect(joined.code, joined.stderr).to.equal(0);
    expect(JSON.parse(joined.stdout)).to.deep.equal({ projectName: 'Invited survey', role: 'coordinator', invitedBy: 'alpha' });
    expect(left.code).to.equal(1);
    expect((JSON.parse(left.stderr) as { error: { code: string } }).error.code).to.equal('ERR_TIMEOUT');
    // The bystander holds no project: nothing was offered to it.
    expect((await runCairn(['--data-dir', other, 'project', '--json'])).code).to.equal(1);
  });

  it('a device joins with an invite code, finding the coordinator that holds it on the network (mDNS, no address given)', async () => {
    const [alpha, tablet] = [await temp.make(), await temp.make()];
    await cairnJson(alpha, 'init', '--name', 'Coded survey', '--device-name', 'alpha');
    await cairnJson(alpha, 'obs', 'add', '--lat', '5', '--lon', '6', '--notes', 'by code');
    const { code } = await cairnJson<{ code: string }>(alpha, 'invite', '--code');
    const coordinator = lan.cairn(0, alpha, ['sync', 'wifi', '--timeout', '60', '--json']);
    const joined = await lan.cairn(1, tablet, ['init', '--join-code', code, '--device-name', 'tablet', '--timeout', '30', '--json']);
    expect(joined.code, joined.stderr).to.equal(0);
    expect(JSON.parse(joined.stdout)).to.deep.equal({ projectName: 'Coded survey', role: 'participant', invitedBy: 'alpha' });
    const synced = await lan.cairn(1, tablet, ['sync', 'wifi', '--timeout', '30', '--json']);
    expect(synced.code, synced.stderr).to.equal(0);
    expect((await coordinator).code).to.equal(0);
    expect((await contents(tablet)).map((observation) => observation.notes)).to.deep.equal(['by code']);
  });

  it('loses nothing when the link goes down mid-sync: back up, a retry completes', async () => {
    const [alpha, beta] = [await temp.make(), await temp.make()];
    const { projectKey } = await cairnJson<{ projectKey: string }>(alpha, 'init', '--name', 'Cable pulled', '--device-name', 'alpha');
    await cairnJson(beta, 'init', '--join', projectKey, '--device-name', 'beta');
    await cairnJson(alpha, 'run', 'cairn.project.loadSampleData', '60000');
    await cairnJson(beta, 'obs', 'add', '--lat', '1', '--lon', '1', '--notes', 'kept by beta');
    const total = (await cairnJson<{ observations: number }>(alpha, 'project')).observations;

    const first = [lan.cairn(0, alpha, ['sync', 'wifi', '--timeout', '15', '--json']), lan.cairn(1, beta, ['sync', 'wifi', '--timeout', '15', '--json'])];
    // Beta's cable is pulled once data has begun to arrive.
    const before = await folderBytes(join(beta, 'corestore'));
    const deadline = Date.now() + 60_000;
    while ((await folderBytes(join(beta, 'corestore'))) < before + 1_000_000 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await lan.linkDown(1);
    const interrupted = await Promise.all(first);
    expect(interrupted.map((result) => result.code), 'neither side completed with the cable out').to.deep.equal([1, 1]);
    const partial = (await cairnJson<{ observations: number }>(beta, 'project')).observations;
    expect(partial, 'the link went down mid-sync').to.be.lessThan(total + 1);

    await lan.linkUp(1);
    const retry = await Promise.all([lan.cairn(0, alpha, ['sync', 'wifi', '--timeout', '60', '--json']), lan.cairn(1, beta, ['sync', 'wifi', '--timeout', '60', '--json'])]);
    expect(retry.map((result) => result.code), retry.map((result) => result.stderr).join('\n')).to.deep.equal([0, 0]);
    expect((await cairnJson<{ observations: number }>(beta, 'project')).observations).to.equal(total + 1);
    expect(await contents(beta)).to.deep.equal(await contents(alpha));
  });
});
