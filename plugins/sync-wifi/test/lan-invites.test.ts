import { expect } from 'chai';
import { cairn, cairnJson, device, freePort, observations, startCairn, TempDirs } from './helpers.js';

interface Listed {
  deviceId: string;
  deviceName: string;
  role: string;
  status: string;
  addedBy: string | null;
  self: boolean;
}

const errorOf = (stderr: string) => (JSON.parse(stderr) as { error: { code: string; message: string } }).error;

describe('invites on the local network (loopback)', function () {
  this.timeout(120_000);
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it('a device waiting to join gets the project from a coordinator, with the role it was offered, and syncs as a member', async () => {
    const [a, newcomer] = [await temp.make(), await temp.make()];
    await device(a, 'alpha');
    const idOfA = (await cairnJson<{ deviceId: string }>(a, 'project')).deviceId;
    await cairnJson(a, 'obs', 'add', '--lat', '1', '--lon', '2', '--notes', 'for members');
    const port = await freePort();
    const waiting = await startCairn(newcomer, ['join', '--device-name', 'field tablet', '--timeout', '30', '--json'], { CAIRN_INVITE_PORT: String(port) });
    const invited = await cairn(a, ['invite', '--connect', `127.0.0.1:${port}`, '--role', 'coordinator', '--json']);
    const joined = await waiting.done;
    expect(invited.code, invited.stderr).to.equal(0);
    expect(joined.code, joined.stderr).to.equal(0);
    const result = JSON.parse(invited.stdout) as { deviceId: string };
    expect(result).to.deep.include({ deviceName: 'field tablet', role: 'coordinator', decision: 'accepted' });
    expect(JSON.parse(joined.stdout)).to.deep.equal({ projectName: 'Wi-Fi survey', role: 'coordinator', invitedBy: 'alpha' });
    expect((await cairnJson<{ deviceId: string }>(newcomer, 'project')).deviceId).to.equal(result.deviceId);
    const listed = await cairnJson<Listed[]>(a, 'members');
    expect(listed.find((member) => member.deviceId === result.deviceId)).to.deep.include({ deviceName: 'field tablet', role: 'coordinator', status: 'active', addedBy: idOfA });

    // A member now: it syncs, and sees itself as coordinator once it has A's records.
    const wifiPort = await freePort();
    const server = await startCairn(a, ['sync', 'wifi', '--timeout', '30', '--json'], { CAIRN_WIFI_PORT: String(wifiPort) });
    expect((await cairn(newcomer, ['sync', 'wifi', '--connect', `127.0.0.1:${wifiPort}`, '--timeout', '30', '--json'])).code).to.equal(0);
    expect((await server.done).code).to.equal(0);
    expect((await observations(newcomer)).map((observation) => observation.notes)).to.deep.equal(['for members']);
    expect((await cairnJson<Listed[]>(newcomer, 'members')).find((member) => member.self)).to.deep.include({ role: 'coordinator', status: 'active' });
  });

  it('works the other way round: the coordinator waits, the device dials it', async () => {
    const [a, newcomer] = [await temp.make(), await temp.make()];
    await device(a, 'alpha');
    const port = await freePort();
    const waiting = await startCairn(a, ['invite', '--timeout', '30', '--json'], { CAIRN_INVITE_PORT: String(port) });
    const joined = await cairn(newcomer, ['join', '--connect', `127.0.0.1:${port}`, '--device-name', 'phone', '--json']);
    const invited = await waiting.done;
    expect(joined.code, joined.stderr).to.equal(0);
    expect(JSON.parse(invited.stdout)).to.deep.include({ deviceName: 'phone', role: 'participant', decision: 'accepted' });
    expect(JSON.parse(joined.stdout)).to.deep.include({ role: 'participant', invitedBy: 'alpha' });
  });

  it('refuses what cannot be: a participant inviting, a device with a project joining, a bad role', async () => {
    const [a, b] = [await temp.make(), await temp.make()];
    const key = await device(a, 'alpha');
    await device(b, 'beta', key);
    const port = await freePort();
    const participant = await cairn(b, ['invite', '--connect', `127.0.0.1:${port}`, '--json']);
    expect(participant.code).to.equal(1);
    expect(errorOf(participant.stderr).code).to.equal('ERR_NOT_PERMITTED');
    const member = await cairn(b, ['join', '--connect', `127.0.0.1:${port}`, '--json']);
    expect(errorOf(member.stderr).code).to.equal('ERR_INVALID_INPUT');
    const badRole = await cairn(a, ['invite', '--connect', `127.0.0.1:${port}`, '--role', 'owner', '--json']);
    expect(errorOf(badRole.stderr).code).to.equal('ERR_INVALID_INPUT');
    const noOne = await cairn(await temp.make(), ['join', '--connect', `127.0.0.1:${port}`, '--timeout', '2', '--json']);
    expect(errorOf(noOne.stderr).code).to.equal('ERR_TIMEOUT');
  });

  it('after a removal, an invited device is a member at once and reads what was sealed with the new key', async () => {
    const [a, b, newcomer] = [await temp.make(), await temp.make(), await temp.make()];
    const key = await device(a, 'alpha');
    const idOfB = (await cairnJson<{ deviceId: string }>(b, 'init', '--join', key, '--device-name', 'beta')).deviceId;
    const first = await freePort();
    const meeting = await startCairn(a, ['sync', 'wifi', '--timeout', '30', '--json'], { CAIRN_WIFI_PORT: String(first) });
    expect((await cairn(b, ['sync', 'wifi', '--connect', `127.0.0.1:${first}`, '--timeout', '30', '--json'])).code).to.equal(0);
    await meeting.done;
    await cairnJson(a, 'members', 'remove', idOfB);
    await cairnJson(a, 'obs', 'add', '--lat', '1', '--lon', '1', '--notes', 'sealed with the new key');
    const port = await freePort();
    const waiting = await startCairn(newcomer, ['join', '--timeout', '30', '--json'], { CAIRN_INVITE_PORT: String(port) });
    expect((await cairn(a, ['invite', '--connect', `127.0.0.1:${port}`, '--json'])).code).to.equal(0);
    expect((await waiting.done).code).to.equal(0);
    const wifiPort = await freePort();
    const server = await startCairn(a, ['sync', 'wifi', '--timeout', '30', '--json'], { CAIRN_WIFI_PORT: String(wifiPort) });
    const synced = await cairn(newcomer, ['sync', 'wifi', '--connect', `127.0.0.1:${wifiPort}`, '--timeout', '30', '--json']);
    expect(synced.code, synced.stderr).to.equal(0);
    await server.done;
    expect((await observations(newcomer)).map((observation) => observation.notes)).to.deep.equal(['sealed with the new key']);
  });
});
