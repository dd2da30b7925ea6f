import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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

describe('invites by one-time code (loopback)', function () {
  this.timeout(120_000);
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());
  const joinWithCode = (dataDir: string, code: string, port: number, ...more: string[]) =>
    cairn(dataDir, ['init', '--join-code', code, '--connect', `127.0.0.1:${port}`, '--timeout', '20', '--json', ...more]);

  it("a device elsewhere joins with a code through a coordinator that syncs over Wi-Fi, with the code's role; a code lets one device in, and not after its time", async () => {
    const [a, newcomer, late] = [await temp.make(), await temp.make(), await temp.make()];
    await device(a, 'alpha');
    const idOfA = (await cairnJson<{ deviceId: string }>(a, 'project')).deviceId;
    await cairnJson(a, 'obs', 'add', '--lat', '1', '--lon', '2', '--notes', 'for the remote member');
    const made = await cairnJson<{ code: string; expiresAt: string }>(a, 'invite', '--code', '--role', 'coordinator');
    expect(Object.keys(made).sort()).to.deep.equal(['code', 'expiresAt']);
    expect(made.code).to.match(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(Date.parse(made.expiresAt) - Date.now()).to.be.within(23.9 * 3_600_000, 24 * 3_600_000);
    const brief = await cairnJson<{ code: string; expiresAt: string }>(a, 'invite', '--code', '--expires', '0.0005');
    // The codes file keeps what proves a code, never the code.
    expect(await readFile(join(a, 'invite-codes.json'), 'utf8')).not.to.include(made.code.replaceAll('-', ''));

    const [codePort, wifiPort] = [await freePort(), await freePort()];
    const coordinator = await startCairn(a, ['sync', 'wifi', '--timeout', '60', '--json'], { CAIRN_CODE_PORT: String(codePort), CAIRN_WIFI_PORT: String(wifiPort) });
    // Typed as people type it: lower case, no dashes.
    const joined = await joinWithCode(newcomer, made.code.toLowerCase().replaceAll('-', ''), codePort, '--device-name', 'remote tablet');
    expect(joined.code, joined.stderr).to.equal(0);
    expect(JSON.parse(joined.stdout)).to.deep.equal({ projectName: 'Wi-Fi survey', role: 'coordinator', invitedBy: 'alpha' });

    const again = await joinWithCode(late, made.code, codePort);
    expect(errorOf(again.stderr).code, again.stderr).to.equal('ERR_INVITE_USED');
    expect(errorOf((await cairn(late, ['project', '--json'])).stderr).code, 'a refused device holds nothing').to.equal('ERR_NO_PROJECT');
    while (Date.parse(brief.expiresAt) > Date.now()) await new Promise((resolve) => setTimeout(resolve, 200));
    const expired = await joinWithCode(late, brief.code, codePort);
    expect(errorOf(expired.stderr).code, expired.stderr).to.equal('ERR_INVITE_EXPIRED');
    const unknown = await joinWithCode(late, '0000-0000-0000-0000', codePort);
    expect(errorOf(unknown.stderr).code, unknown.stderr).to.equal('ERR_NOT_FOUND');

    // A member now: it syncs, and the coordinator's run ends with it synced.
    const synced = await cairn(newcomer, ['sync', 'wifi', '--connect', `127.0.0.1:${wifiPort}`, '--timeout', '30', '--json']);
    expect(synced.code, synced.stderr).to.equal(0);
    expect((await coordinator.done).code).to.equal(0);
    expect((await observations(newcomer)).map((observation) => observation.notes)).to.deep.equal(['for the remote member']);
    const listed = await cairnJson<Listed[]>(a, 'members');
    expect(listed.find((member) => member.deviceName === 'remote tablet')).to.deep.include({ role: 'coordinator', status: 'active', addedBy: idOfA });
    expect((await cairnJson<Listed[]>(newcomer, 'members')).find((member) => member.self)).to.deep.include({ role: 'coordinator', status: 'active' });
  });

  it('refuses what cannot be: a participant making a code, a bad code or lifetime, a data dir with a project, no coordinator in reach', async () => {
    const [a, b, empty] = [await temp.make(), await temp.make(), await temp.make()];
    const key = await device(a, 'alpha');
    await device(b, 'beta', key);
    const refused = async (dataDir: string, args: string[]) => errorOf((await cairn(dataDir, [...args, '--json'])).stderr).code;
    expect(await refused(b, ['invite', '--code'])).to.equal('ERR_NOT_PERMITTED');
    expect(await refused(a, ['invite', '--code', '--expires', '0'])).to.equal('ERR_INVALID_INPUT');
    expect(await refused(a, ['invite', '--code', '--expires', 'soon'])).to.equal('ERR_INVALID_INPUT');
    expect(await refused(a, ['invite', '--code', '--connect', '127.0.0.1:1'])).to.equal('ERR_INVALID_INPUT');
    expect(await refused(a, ['invite', '--code', '--role', 'owner'])).to.equal('ERR_INVALID_INPUT');
    const { code } = await cairnJson<{ code: string }>(a, 'invite', '--code');
    expect(await refused(empty, ['init', '--join-code', 'not-a-code'])).to.equal('ERR_INVALID_INPUT');
    expect(await refused(empty, ['init', '--join-code', code, '--name', 'Mine'])).to.equal('ERR_INVALID_INPUT');
    expect(await refused(b, ['init', '--join-code', code])).to.equal('ERR_INVALID_INPUT');
    const port = await freePort();
    expect(await refused(empty, ['init', '--join-code', code, '--connect', `127.0.0.1:${port}`, '--timeout', '2'])).to.equal('ERR_TIMEOUT');
    expect(errorOf((await cairn(empty, ['project', '--json'])).stderr).code).to.equal('ERR_NO_PROJECT');
  });
});
