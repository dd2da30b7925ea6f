import './loopback.js';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startTestHost, type TestHost } from '@cairn/core/testing';
import { TempDirs } from '@cairn/sdk/testing';
import type { Observation, Track } from '@cairn/sdk';
import type { ComapeoSyncResult, JoinResult } from '@cairn/plugin-comapeo/common/protocol.js';
import { Phone } from './phone.js';

const pluginDir = fileURLToPath(new URL('..', import.meta.url));
const pluginsDir = fileURLToPath(new URL('../..', import.meta.url));
/** A fixture plugin that reads and writes through the SDK what the CLI has no command for (tracks, a category's icon). */
const probe = fileURLToPath(new URL('../test/fixtures/probe', import.meta.url));

type Doc = { docId: string; versionId: string; links: string[]; deleted: boolean; tags: Record<string, unknown>; attachments: Array<Record<string, string>>; [field: string]: unknown };

const PAW_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><circle cx="12" cy="12" r="9" fill="#aa3300"/></svg>';
const LEAF_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M4 20C4 8 12 4 20 4C20 12 16 20 4 20Z"/></svg>';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** Bytes that differ from any other test's: what a camera or a recorder wrote. */
const bytesOf = (seed: number, length: number) => Buffer.from(Array.from({ length }, (_, index) => (index * seed + (index >> 8)) % 251));

// A real CoMapeo phone (@comapeo/core in a process of its own) and a Cairn device joined to its
// project, on loopback; the cases build on each other, in order, as a team's days do.
describe('comapeo: the bridge, both ways, with a phone', function () {
  this.timeout(300_000);
  const dirs = new TempDirs();
  let phone: Phone;
  let cairn: TestHost;
  let projectId: string;
  let connect: string;
  let dir: string;

  const sync = () => cairn.cliJson<ComapeoSyncResult>('comapeo', 'sync', '--connect', connect, '--timeout', '60');
  const onPhone = async (kind = 'observation') => phone.call<Doc[]>('list', { projectId, kind });
  const phoneDoc = async (predicate: (doc: Doc) => boolean): Promise<Doc> => {
    for (let tries = 0; tries < 50; tries += 1) {
      const found = (await onPhone()).find(predicate);
      if (found !== undefined) return found;
      await sleep(100);
    }
    throw new Error('the phone never had the document');
  };
  const cairnObs = (id: string) => cairn.cliJson<Observation>('obs', 'get', id);
  const files = async (name: string, bytes: Buffer) => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  };

  before(async () => {
    dir = await dirs.make('cairn-bridge-files-');
    phone = await Phone.start(await dirs.make('cairn-phone-'), 'Ana’s phone');
    const { port } = await phone.info();
    connect = `127.0.0.1:${port}`;
    projectId = await phone.call<string>('createProject', { projectName: 'Forest patrol' });
    cairn = await startTestHost({ plugins: [pluginDir, join(pluginsDir, 'observations'), join(pluginsDir, 'sync-file'), probe] });
    const invited = phone.call('inviteFirstPeer', { projectId, role: 'participant' });
    await cairn.cliJson<JoinResult>('comapeo', 'join', '--connect', connect, '--timeout', '60');
    await invited;
    await phone.call('startSync', { projectId });
  });
  after(async () => {
    await Promise.all([cairn?.dispose(), phone?.close()]);
    await dirs.cleanup();
  });

  const photo = { original: bytesOf(7, 180_000), preview: bytesOf(11, 40_000), thumbnail: bytesOf(13, 6_000) };
  const audio = bytesOf(17, 50_000);
  let fromPhone: Doc;

  it("brings the phone's observation into Cairn: place, notes, tags, category, times, author, GPS metadata, photo variants and audio byte for byte", async () => {
    const field = await phone.call<Doc>('create', { projectId, kind: 'field', value: { tagKey: 'species', type: 'text', label: 'Species' } });
    const icon = await phone.call<{ docId: string; versionId: string }>('createIcon', { projectId, name: 'paw', svg: PAW_SVG });
    const preset = await phone.call<Doc>('create', {
      projectId,
      kind: 'preset',
      value: { name: 'Animal sighting', geometry: ['point'], tags: { type: 'animal' }, addTags: {}, removeTags: {}, fieldRefs: [{ docId: field.docId, versionId: field.versionId }], terms: ['fauna'], color: '#aa3300', iconRef: icon },
    });
    const photoRef = await phone.call<Record<string, string>>('createBlob', {
      projectId,
      files: { original: await files('p.jpg', photo.original), preview: await files('p-preview.jpg', photo.preview), thumbnail: await files('p-thumb.jpg', photo.thumbnail) },
      mimeType: 'image/jpeg',
    });
    const audioRef = await phone.call<Record<string, string>>('createBlob', { projectId, files: { original: await files('call.m4a', audio) }, mimeType: 'audio/mp4' });
    const position = { timestamp: '2026-11-30T09:59:58.000Z', mocked: false, coords: { latitude: -3.1, longitude: -60.02, altitude: 41.5, accuracy: 4.2, heading: 180, speed: 0.3 } };
    fromPhone = await phone.call<Doc>('create', {
      projectId,
      kind: 'observation',
      value: {
        lat: -3.1001,
        lon: -60.0201,
        tags: { type: 'animal', species: 'jaguar', notes: 'Tracks by the river', count: 2 },
        attachments: [photoRef, audioRef],
        metadata: { manualLocation: false, position, positionProvider: { locationServicesEnabled: true, gpsAvailable: true } },
        presetRef: { docId: preset.docId, versionId: preset.versionId },
      },
    });

    const result = await sync();
    expect(result.peers).to.have.length(1);
    expect(result.peers[0]).to.include({ deviceName: 'Ana’s phone', deviceType: 'mobile', result: 'ok' });
    expect(result.received).to.deep.equal({ observations: 1, attachments: 2, categories: 2, tracks: 0 });

    const observation = await cairnObs(fromPhone.docId);
    const phoneInfo = await phone.info();
    expect(observation).to.deep.include({
      lat: -3.1001,
      lon: -60.0201,
      notes: 'Tracks by the river',
      tags: { type: 'animal', species: 'jaguar', count: 2 },
      category: preset.docId,
      createdAt: fromPhone.createdAt,
      updatedAt: fromPhone.updatedAt,
      createdBy: phoneInfo.deviceId,
      metadata: { manualLocation: false, timestamp: position.timestamp, accuracy: 4.2, altitude: 41.5, heading: 180, speed: 0.3 },
    });
    const [photoAttachment, audioAttachment] = observation.attachments;
    expect(photoAttachment).to.deep.include({ hash: sha256(photo.original), mimeType: 'image/jpeg', size: photo.original.length });
    expect(photoAttachment!.variants).to.deep.equal({
      preview: { hash: sha256(photo.preview), mimeType: 'image/jpeg', size: photo.preview.length },
      thumbnail: { hash: sha256(photo.thumbnail), mimeType: 'image/jpeg', size: photo.thumbnail.length },
    });
    expect(audioAttachment).to.deep.include({ hash: sha256(audio), mimeType: 'audio/mp4', size: audio.length });
    expect(audioAttachment!.name).to.match(/\.m4a$/);
    for (const [variant, bytes] of [['original', photo.original], ['preview', photo.preview], ['thumbnail', photo.thumbnail]] as const) {
      const out = join(dir, `out-${variant}`);
      await cairn.cliJson('obs', 'attachment', fromPhone.docId, photoAttachment!.name, '--variant', variant, '--out', out);
      expect(sha256(await readFile(out)), variant).to.equal(sha256(bytes));
    }

    const presets = await cairn.cliJson<Array<{ id: string; name: string; color: string; fields: string[]; hasIconSvg: boolean }>>('presets', 'list');
    expect(presets).to.deep.include({ ...presets.find((listed) => listed.id === preset.docId), name: 'Animal sighting', color: '#aa3300', fields: [field.docId], hasIconSvg: true });
    expect((await cairn.execute<{ iconSvg: string }>('probe.preset', preset.docId)).iconSvg, "the phone's icon, as it drew it").to.equal(PAW_SVG);
  });

  let fromCairn: Observation;
  let sentVersion: string;

  it('sends a Cairn observation to the phone, its photo byte for byte and its category as a CoMapeo one', async () => {
    const [sighting] = (await cairn.cliJson<Array<{ id: string; name: string }>>('presets', 'list')).filter((listed) => listed.name === 'Animal sighting');
    const photoPath = await files('desk.jpg', bytesOf(19, 120_000));
    const audioPath = await files('otters.m4a', bytesOf(23, 30_000));
    fromCairn = await cairn.cliJson<Observation>('obs', 'add', '--lat', '-3.2', '--lon', '-60.1', '--notes', 'Seen from the boat', '--category', sighting!.id, '--tag', 'species=otter', '--photo', photoPath, '--photo', audioPath);

    const result = await sync();
    expect(result.sent).to.deep.equal({ observations: 1, attachments: 2, categories: 0, tracks: 0 });
    const doc = await phoneDoc((candidate) => candidate.tags['cairn:id'] === fromCairn.id);
    expect(doc).to.deep.include({ lat: -3.2, lon: -60.1 });
    expect(doc.tags).to.deep.equal({ notes: 'Seen from the boat', species: 'otter', 'cairn:id': fromCairn.id });
    expect((doc.presetRef as { docId: string }).docId).to.equal(sighting!.id);
    expect(doc.attachments.map((attachment) => attachment.type)).to.deep.equal(['photo', 'audio']);
    sentVersion = doc.versionId;
    expect(await phone.call('blobHash', { projectId, ref: doc.attachments[0], variant: 'original' })).to.equal(sha256(bytesOf(19, 120_000)));
    expect(await phone.call('blobHash', { projectId, ref: doc.attachments[1], variant: 'original' }), 'the audio, byte for byte').to.equal(sha256(bytesOf(23, 30_000)));
  });

  it('finds nothing new on a second sync and writes nothing on either side', async () => {
    const before = { cairn: await cairn.cliJson<Observation[]>('obs', 'list'), phone: await onPhone() };
    const result = await sync();
    expect(result.received).to.deep.equal({ observations: 0, attachments: 0, categories: 0, tracks: 0 });
    expect(result.sent).to.deep.equal({ observations: 0, attachments: 0, categories: 0, tracks: 0 });
    expect(await cairn.cliJson<Observation[]>('obs', 'list')).to.deep.equal(before.cairn);
    expect((await onPhone()).map((doc) => doc.versionId)).to.deep.equal(before.phone.map((doc) => doc.versionId));
  });

  it("takes a category edited in Cairn to the phone, its new icon as a CoMapeo icon", async () => {
    const [sighting] = (await cairn.cliJson<Array<{ id: string; name: string }>>('presets', 'list')).filter((listed) => listed.name === 'Animal sighting');
    await cairn.execute('probe.updatePreset', sighting!.id, { iconSvg: LEAF_SVG, color: '#228833' });
    const result = await sync();
    expect(result.sent.categories).to.equal(1);
    const onThePhone = (await onPhone('preset')).find((doc) => doc.docId === sighting!.id)!;
    expect(onThePhone.color).to.equal('#228833');
    expect(await phone.call('iconSvg', { projectId, docId: (onThePhone.iconRef as { docId: string }).docId })).to.equal(LEAF_SVG);
    expect((await sync()).sent.categories, 'and once only').to.equal(0);
  });

  it('carries an edit each way as a new version that links what it replaces', async () => {
    const edited = await phone.call<Doc>('update', { projectId, kind: 'observation', docId: fromPhone.docId, patch: { tags: { ...fromPhone.tags, notes: 'Two jaguars, not one', count: 3 } } });
    await cairn.cliJson('obs', 'edit', fromCairn.id, '--notes', 'Seen from the boat, at dawn');
    const result = await sync();
    expect(result.received.observations).to.equal(1);
    expect(result.sent.observations).to.equal(1);

    const inCairn = await cairnObs(fromPhone.docId);
    expect(inCairn).to.deep.include({ notes: 'Two jaguars, not one', updatedAt: edited.updatedAt });
    expect(inCairn.tags.count).to.equal(3);
    expect(inCairn.createdAt, 'an edit keeps when it was first made').to.equal(fromPhone.createdAt);

    const onThePhone = await phoneDoc((doc) => doc.tags['cairn:id'] === fromCairn.id && doc.tags.notes === 'Seen from the boat, at dawn');
    expect(onThePhone.links, 'the edit links the version it replaces').to.deep.equal([sentVersion]);
  });

  it('makes concurrent edits on the phone and in Cairn one result on both, the later edit winning', async () => {
    await phone.call('update', { projectId, kind: 'observation', docId: fromPhone.docId, patch: { tags: { ...fromPhone.tags, notes: 'phone says' } } });
    await sleep(20);
    await cairn.cliJson('obs', 'edit', fromPhone.docId, '--notes', 'desk says, later');
    await sync();
    expect((await cairnObs(fromPhone.docId)).notes).to.equal('desk says, later');
    expect((await phoneDoc((doc) => doc.docId === fromPhone.docId && doc.tags.notes === 'desk says, later')).forks).to.deep.equal([]);
    const again = await sync();
    expect(again.sent.observations + again.received.observations, 'converged: nothing more to carry').to.equal(0);
  });

  it('carries tracks both ways: GPS fixes, the observations along them, category and tags, an edit and a deletion', async () => {
    const [sighting] = (await cairn.cliJson<Array<{ id: string; name: string }>>('presets', 'list')).filter((listed) => listed.name === 'Animal sighting');
    const preset = (await onPhone('preset')).find((doc) => doc.docId === sighting!.id)!;
    const walked = await phone.call<Doc>('create', {
      projectId,
      kind: 'track',
      value: {
        locations: [
          { timestamp: '2026-11-30T09:00:00.000Z', mocked: false, coords: { latitude: -3.1, longitude: -60.02, altitude: 40, accuracy: 5 } },
          { timestamp: '2026-11-30T09:05:00.000Z', mocked: false, coords: { latitude: -3.101, longitude: -60.021, accuracy: 4, speed: 1.2 } },
          { timestamp: '2026-11-30T09:10:00.000Z', mocked: false, coords: { latitude: -3.102, longitude: -60.023 } },
        ],
        observationRefs: [{ docId: fromPhone.docId, versionId: (await phoneDoc((doc) => doc.docId === fromPhone.docId)).versionId }],
        tags: { route: 'river trail' },
        presetRef: { docId: preset.docId, versionId: preset.versionId },
      },
    });
    const result = await sync();
    expect(result.received.tracks).to.equal(1);
    const [track] = await cairn.execute<Track[]>('probe.tracks');
    expect(track).to.deep.include({ id: walked.docId, observations: [fromPhone.docId], category: sighting!.id, tags: { route: 'river trail' }, createdAt: walked.createdAt, createdBy: (await phone.info()).deviceId });
    expect(track!.locations).to.deep.equal([
      { lat: -3.1, lon: -60.02, timestamp: '2026-11-30T09:00:00.000Z', altitude: 40, accuracy: 5, mocked: false },
      { lat: -3.101, lon: -60.021, timestamp: '2026-11-30T09:05:00.000Z', accuracy: 4, speed: 1.2, mocked: false },
      { lat: -3.102, lon: -60.023, timestamp: '2026-11-30T09:10:00.000Z', mocked: false },
    ]);
    const listed = await cairn.cli('tracks', 'list');
    expect(listed.stdout).to.contain(walked.docId).and.contain('2026-11-30T09:10:00.000Z');
    // Exported as a LineString beside the observations' points.
    const exported = join(dir, 'with-tracks.geojson');
    await cairn.cliJson('export', '--format', 'geojson', '--out', exported);
    const features = (JSON.parse(await readFile(exported, 'utf8')) as { features: Array<{ id: string; geometry: { type: string; coordinates: number[][] }; properties: Record<string, unknown> }> }).features;
    const line = features.find((feature) => feature.id === walked.docId)!;
    expect(line.geometry).to.deep.equal({ type: 'LineString', coordinates: [[-60.02, -3.1], [-60.021, -3.101], [-60.023, -3.102]] });
    expect(line.properties).to.deep.include({ route: 'river trail', categoryId: sighting!.id, $type: 'track', $observations: [fromPhone.docId] });
    expect(features.filter((feature) => feature.geometry.type === 'Point').length).to.be.greaterThan(0);

    // Edited in Cairn; and a track made in Cairn, along a Cairn observation.
    await cairn.execute('probe.updateTrack', walked.docId, { tags: { route: 'river trail, north bank' } });
    const made = await cairn.execute<Track>('probe.createTrack', {
      locations: [
        { lat: 1, lon: 2, timestamp: '2026-12-01T08:00:00Z' },
        { lat: 1.001, lon: 2.001, timestamp: '2026-12-01T08:01:00Z' },
      ],
      observations: [fromCairn.id],
    });
    const sent = await sync();
    expect(sent.sent.tracks).to.equal(2);
    const edited = (await onPhone('track')).find((doc) => doc.docId === walked.docId)!;
    expect(edited.tags).to.deep.equal({ route: 'river trail, north bank' });
    expect(edited.links).to.deep.equal([walked.versionId]);
    const arrived = (await onPhone('track')).find((doc) => doc.tags['cairn:id'] === made.id)!;
    expect((arrived.observationRefs as Array<{ docId: string }>).map((ref) => ref.docId)).to.deep.equal([(await phoneDoc((doc) => doc.tags['cairn:id'] === fromCairn.id)).docId]);
    expect((arrived.locations as Array<{ coords: { latitude: number } }>).map((location) => location.coords.latitude)).to.deep.equal([1, 1.001]);

    // Deleted on the phone: gone from Cairn too; then nothing more to carry.
    await phone.call('delete', { projectId, kind: 'track', docId: walked.docId });
    expect((await sync()).received.tracks).to.equal(1);
    expect((await cairn.execute<Track[]>('probe.tracks')).map((listedTrack) => listedTrack.id)).to.deep.equal([made.id]);
    const quiet = await sync();
    expect(quiet.received.tracks + quiet.sent.tracks).to.equal(0);
  });

  it('carries a deletion each way', async () => {
    await phone.call('delete', { projectId, kind: 'observation', docId: fromPhone.docId });
    await cairn.cliJson('obs', 'delete', fromCairn.id);
    const result = await sync();
    expect(result.received.observations).to.equal(1);
    expect(result.sent.observations).to.equal(1);
    const gone = await cairn.cli('obs', 'get', fromPhone.docId, '--json');
    expect(gone.exitCode).to.equal(1);
    expect(gone.stderr).to.contain('ERR_NOT_FOUND');
    expect((await phoneDoc((doc) => doc.tags['cairn:id'] === fromCairn.id)).deleted).to.equal(true);
    expect((await sync()).sent.observations, 'a deletion is carried once').to.equal(0);
  });

  it("brings a Cairn device that only ever synced by file the phone's data, and takes its edit to the phone", async () => {
    const carried = await phone.call<Doc>('create', { projectId, kind: 'observation', value: { lat: 1.5, lon: 2.5, tags: { notes: 'From the phone, for the office' }, attachments: [] } });
    await sync();
    const { projectKey } = await cairn.cliJson<{ projectKey: string }>('project');
    const office = await startTestHost({ plugins: [join(pluginsDir, 'sync-file')], project: { join: projectKey, deviceName: 'Office' } });
    try {
      const file = join(dir, 'usb.cairnsync');
      await cairn.cliJson('sync', 'file', file);
      await office.cliJson('sync', 'file', file);
      expect((await office.cliJson<Observation>('obs', 'get', carried.docId)).notes).to.equal('From the phone, for the office');

      await office.cliJson('obs', 'edit', carried.docId, '--notes', 'Checked at the office');
      const added = await office.cliJson<Observation>('obs', 'add', '--lat', '4', '--lon', '5', '--notes', 'Written at the office');
      await office.cliJson('sync', 'file', file);
      await cairn.cliJson('sync', 'file', file);
      const result = await sync();
      expect(result.sent.observations).to.equal(2);
      await phoneDoc((doc) => doc.docId === carried.docId && doc.tags.notes === 'Checked at the office');
      await phoneDoc((doc) => doc.tags['cairn:id'] === added.id && doc.tags.notes === 'Written at the office');
    } finally {
      await office.dispose();
    }
  });

  it('gives a phone of another project nothing, and does not count it among the peers', async () => {
    const stranger = await Phone.start(await dirs.make('cairn-stranger-'), 'Stranger’s phone');
    try {
      const theirs = await stranger.call<string>('createProject', { projectName: 'Another project' });
      await stranger.call('startSync', { projectId: theirs });
      const { port } = await stranger.info();
      const result = await cairn.cliJson<ComapeoSyncResult>('comapeo', 'sync', '--connect', connect, '--connect', `127.0.0.1:${port}`, '--timeout', '60');
      expect(result.peers.map((peer) => peer.deviceName)).to.deep.equal(['Ana’s phone']);
      expect(await stranger.call<Doc[]>('list', { projectId: theirs, kind: 'observation' })).to.deep.equal([]);
      const joinable = await stranger.call<unknown[]>('list', { projectId: theirs, kind: 'preset' });
      expect(joinable, 'none of our categories either').to.deep.equal([]);
    } finally {
      await stranger.close();
    }
  });
});

describe('comapeo: the bridge when its CoMapeo process dies mid-sync', function () {
  this.timeout(300_000);
  const dirs = new TempDirs();
  let phone: Phone | undefined;
  let cairn: TestHost | undefined;
  after(async () => {
    await Promise.all([cairn?.dispose(), phone?.close()]);
    await dirs.cleanup();
  });

  const comapeoProcesses = (): number[] => {
    try {
      return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'manager-process.js'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };

  it('fails with a code, leaves nothing half-written or doubled, and the next sync completes', async () => {
    const dir = await dirs.make('cairn-crash-files-');
    phone = await Phone.start(await dirs.make('cairn-phone-'), 'Phone');
    const { port } = await phone.info();
    const connect = `127.0.0.1:${port}`;
    const projectId = await phone.call<string>('createProject', { projectName: 'Crash test' });
    cairn = await startTestHost({ plugins: [pluginDir] });
    const invited = phone.call('inviteFirstPeer', { projectId, role: 'participant' });
    await cairn.cliJson('comapeo', 'join', '--connect', connect, '--timeout', '60');
    await invited;
    await phone.call('startSync', { projectId });

    // Each side has news for the other: 60 phone observations, 60 Cairn ones with a photo each.
    for (let index = 0; index < 60; index += 1) {
      await phone.call('create', { projectId, kind: 'observation', value: { lat: index / 10, lon: 1, tags: { notes: `phone ${index}` }, attachments: [] } });
      const photo = join(dir, `photo-${index}.jpg`);
      await writeFile(photo, bytesOf(index + 3, 30_000));
      await cairn.cliJson('obs', 'add', '--lat', String(index / 10), '--lon', '2', '--notes', `cairn ${index}`, '--photo', photo);
    }

    const interrupted = cairn.cli('comapeo', 'sync', '--connect', connect, '--timeout', '60', '--json');
    // Killed as soon as the bridge has begun writing: the phone's observations are in Cairn.
    for (let tries = 0; tries < 400; tries += 1) {
      const listed = JSON.parse((await cairn.cli('obs', 'list', '--text', 'phone', '--json')).stdout) as unknown[];
      if (listed.length > 0) break;
      await sleep(25);
    }
    const [pid] = comapeoProcesses();
    expect(pid, 'a CoMapeo process of this host').to.be.a('number');
    process.kill(pid!, 'SIGKILL');
    const failed = await interrupted;
    expect(failed.exitCode).to.equal(1);
    expect(failed.stderr).to.contain('ERR_PLUGIN_FAILED').and.contain('run the command again');
    expect(failed.stderr).to.not.contain('    at ');

    const retried = await cairn.cliJson<ComapeoSyncResult>('comapeo', 'sync', '--connect', connect, '--timeout', '60');
    expect(retried.peers).to.have.length(1);
    const inCairn = await cairn.cliJson<Observation[]>('obs', 'list');
    expect(inCairn).to.have.length(120);
    expect(new Set(inCairn.map((observation) => observation.notes)).size, 'nothing doubled in Cairn').to.equal(120);
    let onPhone: Doc[] = [];
    for (let tries = 0; tries < 50 && onPhone.length < 120; tries += 1) {
      onPhone = (await phone.call<Doc[]>('list', { projectId, kind: 'observation' })).filter((doc) => !doc.deleted);
      await sleep(100);
    }
    expect(onPhone).to.have.length(120);
    expect(new Set(onPhone.map((doc) => doc.tags.notes)).size, 'nothing doubled on the phone').to.equal(120);
    for (const doc of onPhone.filter((candidate) => String(candidate.tags.notes).startsWith('cairn'))) {
      expect(doc.attachments, String(doc.tags.notes)).to.have.length(1);
      expect(await phone.call('blobHash', { projectId, ref: doc.attachments[0], variant: 'original' })).to.equal(sha256(bytesOf(Number(String(doc.tags.notes).slice(6)) + 3, 30_000)));
    }
    const quiet = await cairn.cliJson<ComapeoSyncResult>('comapeo', 'sync', '--connect', connect, '--timeout', '60');
    expect({ ...quiet.received, ...quiet.sent }, 'and then nothing is left to carry').to.deep.equal({ observations: 0, attachments: 0, categories: 0, tracks: 0 });
  });
});
