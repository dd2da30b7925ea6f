import './loopback.js';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startTestHost, type TestHost } from '@cairn/core/testing';
import { TempDirs } from '@cairn/sdk/testing';
import type { ComapeoStatus, ComapeoSyncResult } from '@cairn/plugin-comapeo/common/protocol.js';
import { Phone } from './phone.js';

const pluginDir = fileURLToPath(new URL('..', import.meta.url));

type Doc = { deleted: boolean; tags: Record<string, unknown> };

// A coordinator's phone removes a lost phone from the project; Cairn, told so by the coordinator,
// refuses it from then on: nothing either side wrote after the removal reaches the other.
describe('comapeo: a device CoMapeo has removed is refused', function () {
  this.timeout(240_000);
  const dirs = new TempDirs();
  let cairn: TestHost | undefined;
  const phones: Phone[] = [];
  after(async () => {
    await Promise.all([cairn?.dispose(), ...phones.map((phone) => phone.close())]);
    await dirs.cleanup();
  });
  const phone = async (name: string) => {
    const started = await Phone.start(await dirs.make('cairn-phone-'), name);
    phones.push(started);
    return started;
  };

  it('gets nothing from a removed phone and gives it nothing', async () => {
    const coordinator = await phone('Coordinator');
    const lost = await phone('Lost phone');
    const projectId = await coordinator.call<string>('createProject', { projectName: 'Watch' });
    const { port: coordinatorPort } = await coordinator.info();
    const { deviceId: lostId } = await lost.info();

    cairn = await startTestHost({ plugins: [pluginDir] });
    const cairnInvited = coordinator.call('inviteFirstPeer', { projectId, role: 'participant' });
    await cairn!.cliJson('comapeo', 'join', '--connect', `127.0.0.1:${coordinatorPort}`, '--timeout', '60');
    await cairnInvited;
    const lostJoined = lost.call('acceptNextInvite');
    await lost.call('connect', { port: coordinatorPort });
    await coordinator.call('inviteNamed', { projectId, name: 'Lost phone' });
    await lostJoined;
    await coordinator.call('startSync', { projectId });

    // The removal reaches Cairn from the coordinator.
    await coordinator.call('remove', { projectId, deviceId: lostId });
    await cairn!.cliJson<ComapeoSyncResult>('comapeo', 'sync', '--connect', `127.0.0.1:${coordinatorPort}`, '--timeout', '60');
    const status = await cairn!.cliJson<ComapeoStatus>('comapeo', 'status');
    expect(status.project!.members.map((member) => member.name)).to.not.include('Lost phone');

    // The lost phone goes out of reach, and comes back later: its connections are new ones.
    await lost.close();
    const back = await Phone.start(lost.storageDir, 'Lost phone');
    phones.push(back);
    const { port: lostPort } = await back.info();
    await back.call('startSync', { projectId });
    await back.call('create', { projectId, kind: 'observation', value: { lat: 1, lon: 1, tags: { notes: 'written after the removal' }, attachments: [] } });
    await cairn!.cliJson('obs', 'add', '--lat', '2', '--lon', '2', '--notes', 'for members only');
    const refused = await cairn.cli('comapeo', 'sync', '--connect', `127.0.0.1:${lostPort}`, '--wait-peers', '2', '--timeout', '10', '--json');
    expect(refused.exitCode).to.equal(1);
    expect(refused.stderr).to.contain('ERR_TIMEOUT');
    const notes = (await cairn!.cliJson<Array<{ notes: string }>>('obs', 'list')).map((observation) => observation.notes);
    expect(notes).to.not.include('written after the removal');
    const onLost = await back.call<Doc[]>('list', { projectId, kind: 'observation' });
    expect(onLost.map((doc) => doc.tags.notes)).to.not.include('for members only');
  });
});
