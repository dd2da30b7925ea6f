import './loopback.js';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startTestHost, type TestHost } from '@cairn/core/testing';
import { TempDirs } from '@cairn/sdk/testing';
import type { ComapeoStatus, InviteResult, JoinResult } from '@cairn/plugin-comapeo/common/protocol.js';
import { Phone } from './phone.js';

const pluginDir = fileURLToPath(new URL('..', import.meta.url));

// Real CoMapeo phones (@comapeo/core in processes of their own) and Cairn, on loopback: each side
// is reached by the address its discovery server listens on (the test gives it, as --connect does).
describe('comapeo: joining by invite and inviting a phone', function () {
  this.timeout(180_000);
  const dirs = new TempDirs();
  const hosts: TestHost[] = [];
  const phones: Phone[] = [];
  afterEach(async () => {
    await Promise.all([...hosts.splice(0).map((host) => host.dispose()), ...phones.splice(0).map((phone) => phone.close())]);
    await dirs.cleanup();
  });

  const host = async (project?: string): Promise<TestHost> => {
    const started = await startTestHost({ plugins: [pluginDir], ...(project !== undefined && { project }) });
    hosts.push(started);
    return started;
  };
  const phone = async (name: string): Promise<Phone> => {
    const started = await Phone.start(await dirs.make('cairn-phone-'), name);
    phones.push(started);
    return started;
  };

  it("joins a phone's project by its invite, and makes a Cairn project of its name when there is none", async () => {
    const coordinator = await phone('Ana’s phone');
    const { deviceId: phoneId, port } = await coordinator.info();
    const projectId = await coordinator.call<string>('createProject', { projectName: 'Forest patrol' });
    const cairn = await host();

    const invited = coordinator.call<{ deviceId: string; decision: string }>('inviteFirstPeer', { projectId, role: 'participant' });
    const joined = await cairn.cliJson<JoinResult>('comapeo', 'join', '--connect', `127.0.0.1:${port}`, '--timeout', '60');
    expect(joined).to.deep.equal({ projectName: 'Forest patrol', projectId, role: 'participant', invitedBy: 'Ana’s phone' });
    expect((await invited).decision).to.equal('ACCEPT');

    const status = await cairn.cliJson<ComapeoStatus>('comapeo', 'status');
    expect((await invited).deviceId).to.equal(status.deviceId);
    expect(status.project).to.deep.include({ projectName: 'Forest patrol', projectId, role: 'participant' });
    expect(status.project!.members.map(({ deviceId, role }) => ({ deviceId, role })).sort((a, b) => a.deviceId.localeCompare(b.deviceId))).to.deep.equal(
      [
        { deviceId: phoneId, role: 'coordinator' },
        { deviceId: status.deviceId, role: 'participant' },
      ].sort((a, b) => a.deviceId.localeCompare(b.deviceId)),
    );
    expect((await cairn.cliJson<{ projectName: string }>('project')).projectName, 'the Cairn project is named after it').to.equal('Forest patrol');

    // A participant cannot invite.
    const refused = await cairn.cli('comapeo', 'invite', '--timeout', '5');
    expect(refused.exitCode).to.equal(1);
    expect(refused.stderr).to.contain('ERR_NOT_PERMITTED');
  });

  it('invites a phone in reach, by its name, as a coordinator of its own CoMapeo project', async () => {
    const cairn = await host('River watch');
    const created = await cairn.cliJson<{ projectId: string }>('comapeo', 'create');
    const field = await phone('Field phone');
    const { deviceId: phoneId, port } = await field.info();

    const accepted = field.call<{ projectId: string; invitedBy: string }>('acceptNextInvite');
    const invite = await cairn.cliJson<InviteResult>('comapeo', 'invite', '--connect', `127.0.0.1:${port}`, '--device', 'Field phone', '--timeout', '60');
    expect(invite).to.deep.equal({ deviceId: phoneId, deviceName: 'Field phone', role: 'participant', decision: 'accept' });
    const joined = await accepted;
    expect(joined.projectId).to.equal(created.projectId);

    const status = await cairn.cliJson<ComapeoStatus>('comapeo', 'status');
    expect(joined.invitedBy).to.equal(status.deviceName);
    const onThePhone = await field.call<Array<{ deviceId: string; roleName: string }>>('members', { projectId: created.projectId });
    expect(onThePhone.map((member) => member.deviceId).sort()).to.deep.equal([phoneId, status.deviceId].sort());

    // Invited again: nothing is sent, and it says so.
    const again = await cairn.cliJson<InviteResult>('comapeo', 'invite', '--connect', `127.0.0.1:${port}`, '--device', 'Field phone', '--timeout', '60');
    expect(again.decision).to.equal('already');
  });

  it('says what is wrong with bad input, and times out waiting for an invite that never comes', async () => {
    const cairn = await host('River watch');
    const bad = await cairn.cli('comapeo', 'join', '--connect', 'nowhere', '--timeout', '1');
    expect(bad.exitCode).to.equal(1);
    expect(bad.stderr).to.contain('ERR_INVALID_INPUT').and.contain('HOST:PORT');
    const notLinked = await cairn.cli('comapeo', 'invite');
    expect(notLinked.stderr).to.contain('ERR_NOT_FOUND').and.contain('cairn comapeo create');
    const role = await cairn.cli('comapeo', 'invite', '--role', 'boss');
    expect(role.stderr).to.contain('ERR_INVALID_INPUT').and.contain('participant or coordinator');
    const waited = await cairn.cli('comapeo', 'join', '--timeout', '2');
    expect(waited.exitCode).to.equal(1);
    expect(waited.stderr).to.contain('ERR_TIMEOUT').and.contain('No CoMapeo invite came');
  });
});
