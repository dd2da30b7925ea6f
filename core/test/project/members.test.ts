import { createHash } from 'node:crypto';
import { expect } from 'chai';
import type { Project } from '@cairn/core/node/project/project.js';
import type { StoredVersion } from '@cairn/core/common/documents.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { duplexPair } from '@cairn/sdk';
import { RelayStore } from '@cairn/core/node/project/relay-store.js';
import { ReplicationSession } from '@cairn/core/node/project/replication.js';
import { decodeBlock, LOCKED } from '@cairn/core/node/project/document-blocks.js';
import { connect, Devices, quietLog, rejection, sha256Of, state, sync } from './helpers.js';

describe('members and roles', function () {
  this.timeout(60_000);
  const devices = new Devices();
  afterEach(() => devices.cleanup());

  it('makes the creator coordinator and a device that joins with the key a participant, on both devices alike', async () => {
    const [a, b] = await devices.project(2);
    await sync(a!, b!);
    for (const device of [a!, b!]) {
      const members = await device.members.list();
      const byId = new Map(members.map((member) => [member.deviceId, member]));
      expect(byId.get(a!.store.deviceId)).to.deep.include({ deviceName: 'device-0', role: 'coordinator', status: 'active', addedBy: a!.store.deviceId });
      expect(byId.get(b!.store.deviceId)).to.deep.include({ deviceName: 'device-1', role: 'participant', status: 'active', addedBy: null });
    }
    // Participants add, edit and delete observations; only coordinators change categories.
    const [written] = await b!.createObservations([{ lat: 1, lon: 2, notes: 'by a participant' }]);
    await b!.updateObservation(written!.id, { notes: 'edited by a participant' });
    const refused = await rejection(() => b!.createPreset({ name: 'Tree', geometry: ['point'] }));
    expect(refused.code).to.equal('ERR_NOT_PERMITTED');
    expect(refused.message).to.match(/Only coordinators/);
    const inviting = await rejection(() => b!.members.setRole(b!.store.deviceId, 'coordinator'));
    expect(inviting.code).to.equal('ERR_NOT_PERMITTED');
    expect(b!.listPresets()).to.have.length(0);
  });

  it('ignores on receipt a category change and a role change a participant forged', async () => {
    const [a, b, c] = await devices.project(3);
    await a!.createPreset({ id: 'tree', name: 'Tree', geometry: ['point'] });
    await sync(a!, b!);
    await sync(b!, c!);
    const tree = b!.getPreset('tree');
    // B writes past its own checks, straight into its log: a category edit, and a record making it coordinator.
    await forge(b!, [
      { type: 'preset', docId: 'tree', links: [tree.version], createdAt: tree.createdAt, createdBy: a!.store.deviceId, updatedAt: later(), deleted: false, value: { ...presetValue(tree), name: 'Forged' } as StoredVersion<'preset'>['value'] },
      memberRecord(b!, b!.store.deviceId, { role: 'coordinator', status: 'active', from: 0 }),
      memberRecord(b!, c!.store.deviceId, { role: 'participant', status: 'removed', from: 0 }),
    ]);
    await sync(b!, a!);
    await sync(b!, c!);
    for (const device of [a!, b!, c!]) {
      expect(device.getPreset('tree').name).to.equal('Tree');
      expect(device.store.roster.role(b!.store.deviceId)).to.equal('participant');
      expect(device.store.roster.status(c!.store.deviceId)).to.equal('active');
    }
    // C still syncs with A: the forged removal counted nowhere.
    await sync(c!, a!);
  });

  it('lets a coordinator give roles, and a promoted device change categories from then on', async () => {
    const [a, b] = await devices.project(2);
    await sync(a!, b!);
    await a!.members.setRole(b!.store.deviceId, 'coordinator');
    await sync(a!, b!);
    expect(b!.store.roster.isCoordinator(b!.store.deviceId)).to.equal(true);
    await b!.createPreset({ id: 'river', name: 'River', geometry: ['point'] });
    await sync(a!, b!);
    expect(a!.getPreset('river').name).to.equal('River');
    // Now two coordinators: A may step down, and B is then the last one.
    await a!.members.setRole(a!.store.deviceId, 'participant');
    await sync(a!, b!);
    expect((await rejection(() => b!.members.leave())).code).to.equal('ERR_LAST_COORDINATOR');
    const lengthBefore = b!.store.own.docs.length;
    expect((await rejection(() => b!.members.setRole(b!.store.deviceId, 'participant'))).code).to.equal('ERR_LAST_COORDINATOR');
    expect((await rejection(() => b!.members.remove(b!.store.deviceId))).code).to.equal('ERR_LAST_COORDINATOR');
    expect(b!.store.own.docs.length).to.equal(lengthBefore);
  });

  it('refuses every sync with a removed device, and takes nothing it wrote later from anyone', async () => {
    const [a, b, c] = await devices.project(3);
    await a!.createObservations([{ lat: 1, lon: 1, notes: 'from A' }]);
    await sync(a!, b!);
    await sync(a!, c!);
    const [before] = await b!.createObservations([{ lat: 2, lon: 2, notes: 'B before its removal' }]);
    await sync(b!, a!);
    await a!.members.remove(b!.store.deviceId);
    // B, not knowing yet, writes on, and C (not knowing either) takes it.
    const [after] = await b!.createObservations([{ lat: 3, lon: 3, notes: 'B after its removal' }]);
    await sync(b!, c!);
    expect(c!.getObservation(after!.id).notes).to.equal('B after its removal');

    // A refuses B, and says why.
    const [fromA, fromB] = await settledSync(a!, b!);
    expect(fromA).to.deep.include({ code: 'ERR_REMOVED' });
    expect(fromA.message).to.match(/is no longer a member/);
    expect(fromB).to.deep.include({ code: 'ERR_REMOVED' });
    expect(fromB.message).to.match(/this device is no longer a member/);

    // C relays B's later writes to A: A keeps what B wrote before, not after.
    await sync(c!, a!);
    expect(a!.getObservation(before!.id).notes).to.equal('B before its removal');
    expect((await rejection(() => a!.getObservation(after!.id))).code).to.equal('ERR_NOT_FOUND');
    // And C, once it knows, drops them too (its index is rebuilt), refusing B from then on.
    expect((await rejection(() => c!.getObservation(after!.id))).code).to.equal('ERR_NOT_FOUND');
    expect(state(c!)).to.deep.equal(state(a!));
    const [fromC] = await settledSync(c!, b!);
    expect(fromC).to.deep.include({ code: 'ERR_REMOVED' });
    for (const device of [a!, c!]) {
      const member = (await device.members.list()).find((candidate) => candidate.deviceId === b!.store.deviceId);
      expect(member).to.deep.include({ status: 'removed' });
    }
  });

  it('lets a removed device back under a new identity only once a coordinator admits it', async () => {
    const [a, b] = await devices.project(2);
    await a!.createObservations([{ lat: 1, lon: 1, notes: 'members only' }]);
    await sync(a!, b!);
    await a!.members.remove(b!.store.deviceId);
    // B's user keeps the key and joins again from a new data dir: a new device id.
    const again = await devices.join(a!.info().projectKey, 'device-1 again');
    const [fromA, fromAgain] = await settledSync(a!, again);
    expect(fromA).to.deep.include({ code: 'ERR_NOT_PERMITTED' });
    expect(fromA.message).to.match(/asks to join/);
    expect(fromAgain).to.deep.include({ code: 'ERR_NOT_PERMITTED' });
    expect(fromAgain.message).to.match(/not admitted/);
    expect(again.countObservations()).to.equal(0);
    const asking = (await a!.members.list()).find((member) => member.deviceId === again.store.deviceId);
    expect(asking).to.deep.include({ status: 'asking', deviceName: 'device-1 again' });

    await a!.members.admit(again.store.deviceId.slice(0, 12));
    await sync(a!, again);
    expect(again.countObservations()).to.equal(1);
    expect((await again.members.list()).find((member) => member.self)).to.deep.include({ role: 'participant', status: 'active', addedBy: a!.store.deviceId });
  });

  it('gives a project from before roles its creator as coordinator and every device seen as participant, keeping what they wrote', async () => {
    // A project as an older Cairn made it: no membership records at all.
    const first = await devices.join('ab'.repeat(32), 'creator');
    const second = await devices.join('ab'.repeat(32), 'member');
    await first.updateSettings({ name: 'Old project' });
    await second.createPreset({ id: 'legacy', name: 'From before roles', geometry: ['point'] });
    await sync(first, second);
    expect(first.store.roster.legacy).to.equal(true);

    // The creator runs this Cairn: it records the roster on opening.
    const dataDir = (first.store as unknown as { dataDir: string }).dataDir;
    const upgraded = await devices.reopen(first, dataDir);
    expect(upgraded.store.roster.legacy).to.equal(false);
    await sync(upgraded, second);
    for (const device of [upgraded, second]) {
      expect(device.store.roster.role(upgraded.store.deviceId)).to.equal('coordinator');
      expect(device.store.roster.role(second.store.deviceId)).to.equal('participant');
      expect(device.getPreset('legacy').name).to.equal('From before roles');
    }
    expect((await rejection(() => second.createPreset({ name: 'Now refused', geometry: ['point'] }))).code).to.equal('ERR_NOT_PERMITTED');
  });

  it('keeps a removal over a concurrent role change, the same on every device', async () => {
    const [a, b, c] = await devices.project(3);
    await sync(a!, b!);
    await sync(a!, c!);
    await a!.members.setRole(b!.store.deviceId, 'coordinator');
    await sync(a!, b!);
    await sync(b!, c!);
    // Concurrently: A removes C, B makes C a coordinator.
    await a!.members.remove(c!.store.deviceId);
    await b!.members.setRole(c!.store.deviceId, 'coordinator');
    await sync(a!, b!);
    for (const device of [a!, b!]) expect(device.store.roster.status(c!.store.deviceId)).to.equal('removed');
    expect(await a!.members.list()).to.deep.equal((await b!.members.list()).map((member) => ({ ...member, self: member.deviceId === a!.store.deviceId })).sort((x, y) => Number(y.self) - Number(x.self)));
  });
});

describe('key rotation on removal', function () {
  this.timeout(60_000);
  const devices = new Devices();
  afterEach(() => devices.cleanup());

  it('seals what is written after a removal with a key the removed device never gets, in the cores and in a sync file', async () => {
    const [a, b, c] = await devices.project(3);
    await a!.createObservations([{ lat: 1, lon: 1, notes: 'before the removal' }]);
    await sync(a!, b!);
    await sync(a!, c!);
    await a!.members.remove(b!.store.deviceId);
    expect(a!.store.keyring.current).to.not.equal(null);

    const photo = join(await devices.dir(), 'photo.jpg');
    const marker = 'PHOTO-AFTER-REMOVAL-'.repeat(10_000);
    await writeFile(photo, marker);
    const [secret] = await a!.createObservations([{ lat: 2, lon: 2, notes: 'after-removal-secret', attachments: [{ path: photo }] }]);
    await sync(a!, c!);
    // C, still a member, got the key sealed to it, and reads everything.
    expect(c!.getObservation(secret!.id).notes).to.equal('after-removal-secret');
    expect((await sha256Of(await c!.readAttachment(secret!.id, "photo.jpg")))).to.equal(createHash("sha256").update(marker).digest("hex"));

    // A sync file written by A, read the way B can read it: with the project key, which B kept.
    const fileDir = await devices.dir();
    const relay = await RelayStore.open(fileDir, a!.store.keys, quietLog);
    const [deviceSide, fileSide] = duplexPair();
    await Promise.all([
      a!.replicate(deviceSide, { initiator: true }, new Set([relay.deviceId])).done,
      new ReplicationSession({ store: relay, deviceName: 'Sync file', deviceType: 'file' }, fileSide, { initiator: false }).done,
    ]);
    await relay.close();
    const asB = await RelayStore.open(fileDir, b!.store.keys, quietLog);
    try {
      const scan = await scanCores(asB.allDevices(), b!.store.keyring.key.bind(b!.store.keyring));
      expect(scan.sealedBlocks).to.be.greaterThan(0);
      expect(scan.text).to.contain('before the removal');
      expect(scan.text).to.not.contain('after-removal-secret');
      expect(scan.text).to.not.contain('PHOTO-AFTER-REMOVAL');
    } finally {
      await asB.close();
    }
    // And A's own cores, as stored on its disk.
    const own = await scanCores(a!.store.allDevices(), () => undefined);
    expect(own.text).to.not.contain('after-removal-secret');
    expect(own.text).to.not.contain('PHOTO-AFTER-REMOVAL');
  });

  it('opens what a coordinator sealed even when a concurrent demotion of it arrived first (found by the property test)', async () => {
    const [a, b, c] = await twoCoordinators(devices);
    // Concurrently: B removes A (a new key, sealed to B and C) and writes under it; A, not knowing, demotes B.
    await b!.members.remove(a!.store.deviceId);
    const [sealed] = await b!.createObservations([{ lat: 1, lon: 1, notes: 'under the new key' }]);
    await a!.members.setRole(b!.store.deviceId, 'participant');
    // C hears of the demotion first (from A), then of the removal and the sealed data (from B).
    await sync(c!, a!);
    await sync(b!, c!);
    // The removal came first: A's later demotion counts for nothing, and C reads what B sealed.
    expect(c!.store.roster.status(a!.store.deviceId)).to.equal('removed');
    expect(c!.getObservation(sealed!.id).notes).to.equal('under the new key');
    expect(state(c!)).to.deep.equal(state(b!));
  });

  it('keeps a removal a coordinator made before, unseen, it was demoted, and the key it sealed with (found by the property test)', async () => {
    const [a, b, c] = await twoCoordinators(devices);
    // Concurrently: A removes C (a new key, sealed to A and B); B, not knowing, demotes A; A then writes under the new key.
    await a!.members.remove(c!.store.deviceId);
    await b!.members.setRole(a!.store.deviceId, 'participant');
    const [sealed] = await a!.createObservations([{ lat: 2, lon: 2, notes: 'written after the removal' }]);
    await sync(a!, b!);
    // The removal came first and stands; the demotion applies after it, and B opens what A sealed.
    expect(b!.store.roster.status(c!.store.deviceId)).to.equal('removed');
    expect(b!.store.roster.role(a!.store.deviceId)).to.equal('participant');
    expect(b!.getObservation(sealed!.id).notes).to.equal('written after the removal');
    expect(b!.store.roster.entries()).to.deep.equal(a!.store.roster.entries());
    expect(state(b!)).to.deep.equal(state(a!));
  });

  it('seals the key of a removal that did not stand to the device it meant to leave out: what was written under it reads everywhere (found by the property test)', async () => {
    const [a, b, c] = await twoCoordinators(devices);
    // B demotes A first; A, not knowing, removes B (a new key, sealed to A and C) and writes under it.
    await b!.members.setRole(a!.store.deviceId, 'participant');
    await a!.members.remove(b!.store.deviceId);
    const [sealed] = await a!.createObservations([{ lat: 4, lon: 4, notes: 'under a key B was left out of' }]);
    const written = a!.store.own.docs.length;
    // A, counting B out, would not sync with it: C brings A the demotion.
    await sync(b!, c!);
    await sync(a!, c!);
    // The demotion came first: the removal does not stand, and A seals its key to B, a member still.
    expect(a!.store.roster.status(b!.store.deviceId)).to.equal('active');
    await until(() => a!.store.own.docs.length > written);
    await sync(a!, b!);
    expect(b!.getObservation(sealed!.id).notes).to.equal('under a key B was left out of');
    expect(state(b!)).to.deep.equal(state(a!));
  });

  it('gives a device admitted after a removal the keys of the epochs before it', async () => {
    const [a, b] = await devices.project(2);
    await sync(a!, b!);
    await a!.members.remove(b!.store.deviceId);
    await a!.createObservations([{ lat: 3, lon: 3, notes: 'sealed with the new key' }]);
    const newcomer = await devices.join(a!.info().projectKey, 'newcomer');
    await rejection(() => sync(a!, newcomer));
    await a!.members.admit(newcomer.store.deviceId);
    await sync(a!, newcomer);
    expect(newcomer.queryObservations().map((observation) => observation.notes)).to.include('sealed with the new key');
  });
});

/** Every block of every core, decrypted with the project key alone: what a device without the epoch keys can read. */
async function scanCores(
  cores: Array<{ docs: { length: number; get(block: number, options: { wait: boolean }): Promise<Buffer | null> }; drive: { blobs: { core: { length: number; get(block: number, options: { wait: boolean }): Promise<Buffer | null> } } | null } }>,
  keyOf: (id: string) => Buffer | undefined,
): Promise<{ text: string; sealedBlocks: number }> {
  let text = '';
  let sealedBlocks = 0;
  for (const device of cores) {
    for (let block = 0; block < device.docs.length; block += 1) {
      const buffer = await device.docs.get(block, { wait: false });
      if (buffer === null) continue;
      text += buffer.toString('utf8');
      if (decodeBlock(buffer, keyOf) === LOCKED) sealedBlocks += 1;
    }
    // The blobs as far as they are open here (waiting for a drive's header that never came would hang).
    const blobs = device.drive.blobs;
    for (let block = 0; blobs !== null && block < blobs.core.length; block += 1) text += (await blobs.core.get(block, { wait: false }))?.toString('latin1') ?? '';
  }
  return { text, sealedBlocks };
}

/** Both sides' errors of a sync that must fail. */
async function settledSync(a: Project, b: Project): Promise<[{ code: string; message: string }, { code: string; message: string }]> {
  const [left, right, close] = await connect('pipe');
  try {
    const first = a.replicate(left, { initiator: true });
    const second = b.replicate(right, { initiator: false });
    return await Promise.all([rejection(first.done), rejection(second.done)]);
  } finally {
    close();
  }
}

/** Appends versions to a device's own log without any of its checks, as a modified Cairn could. */
async function forge(device: Project, versions: StoredVersion[]): Promise<void> {
  await device.store.own.docs.append(Buffer.from(JSON.stringify({ v: 1, entries: versions })));
  await device.store.catchUp(device.store.deviceId);
}

function memberRecord(writer: Project, subject: string, value: { role: 'coordinator' | 'participant'; status: 'active' | 'removed'; from: number }): StoredVersion {
  const now = later();
  return { type: 'member', docId: subject, links: [], createdAt: now, createdBy: writer.store.deviceId, updatedAt: now, deleted: false, value };
}

function presetValue(preset: ReturnType<Project['getPreset']>): Record<string, unknown> {
  const { id: _id, version: _version, createdAt: _created, updatedAt: _updated, ...value } = preset;
  return value;
}

/** A time after everything written so far, so a forged edit would win if it counted. */
function later(): string {
  return new Date(Date.now() + 60_000).toISOString();
}

/** Resolves once `condition` holds (what a device does on its own, after an event, is awaited so). */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Three devices that know each other, A and B coordinators (both may act at once), C a participant. */
async function twoCoordinators(devices: Devices): Promise<Project[]> {
  const [a, b, c] = await devices.project(3);
  await sync(a!, b!);
  await sync(b!, c!);
  await a!.members.setRole(b!.store.deviceId, 'coordinator');
  await sync(a!, b!);
  return [a!, b!, c!];
}
