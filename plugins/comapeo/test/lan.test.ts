import { expect } from 'chai';
import { runCairn, type CairnProcessResult } from '@cairn/core/testing';
import { Lan, TempDirs } from '@cairn/sdk/testing';
import type { ComapeoSyncResult, JoinResult } from '@cairn/plugin-comapeo/common/protocol.js';
import { Phone } from './phone.js';

// A LAN of two hosts in network namespaces (no route anywhere else): a CoMapeo phone on one,
// Cairn on the other, and no address given to either — they find each other by mDNS as
// `_comapeo._tcp`, the phone with a DNS-SD library of its own, as CoMapeo Mobile has.
describe('comapeo: on a LAN, found by mDNS (network namespaces)', function () {
  this.timeout(240_000);
  const dirs = new TempDirs();
  let lan: Lan;
  let phone: Phone | undefined;
  before(async () => (lan = await Lan.create(2)));
  after(async () => {
    await phone?.close();
    await lan?.dispose();
    await dirs.cleanup();
  });

  const cairn = (dataDir: string, ...args: string[]): Promise<CairnProcessResult> =>
    // An empty CAIRN_COMAPEO_HOST: announce on the host's LAN address, as a user's device does.
    runCairn(['--data-dir', dataDir, ...args, '--json'], { prefix: lan.prefix(0), env: { CAIRN_COMAPEO_HOST: '' } });
  const parsed = <T>(result: CairnProcessResult): T => {
    expect(result.code, result.stderr).to.equal(0);
    return JSON.parse(result.stdout) as T;
  };

  it('joins a phone that finds it with no address given, then finds the phone and syncs with it', async () => {
    phone = await Phone.start(await dirs.make('cairn-lan-phone-'), 'Field phone', { lan: { prefix: lan.prefix(1) } });
    const projectId = await phone.call<string>('createProject', { projectName: 'Lakeside' });
    const dataDir = await dirs.make('cairn-lan-');

    const invited = phone.call<{ decision: string }>('inviteFirstPeer', { projectId, role: 'participant' });
    const joined = parsed<JoinResult>(await cairn(dataDir, 'comapeo', 'join', '--timeout', '60'));
    expect(joined).to.deep.include({ projectName: 'Lakeside', projectId, invitedBy: 'Field phone' });
    expect((await invited).decision).to.equal('ACCEPT');

    // From here the phone only announces itself: Cairn finds it by browsing.
    await phone.call('stopBrowsing');
    await phone.call('startSync', { projectId });
    await phone.call('create', { projectId, kind: 'observation', value: { lat: 10, lon: 20, tags: { notes: 'Heron nest' }, attachments: [] } });
    const synced = parsed<ComapeoSyncResult>(await cairn(dataDir, 'comapeo', 'sync', '--timeout', '60'));
    expect(synced.peers.map((peer) => peer.deviceName)).to.deep.equal(['Field phone']);
    expect(synced.received.observations).to.equal(1);
    const listed = parsed<Array<{ notes: string }>>(await cairn(dataDir, 'obs', 'list'));
    expect(listed.map((observation) => observation.notes)).to.deep.equal(['Heron nest']);
  });
});
