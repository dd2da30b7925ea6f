import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { Devices, rejection, sha256Of, sync } from './helpers.js';

/**
 * What a bridge to another system writes: documents with that system's times and authors, the
 * phone's GPS metadata, photos with their smaller copies, edits that remove attachments, and the
 * tombstones it must carry across.
 */
describe('writes a bridge makes', function () {
  this.timeout(60_000);
  const devices = new Devices();
  afterEach(() => devices.cleanup());

  const hashOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

  it('keeps given times, author and GPS metadata through an edit and a sync', async () => {
    const [a, b] = await devices.project(2);
    const metadata = { manualLocation: false, timestamp: '2026-11-30T09:59:58.000Z', accuracy: 4.5, altitude: 212, heading: 90, speed: 0.4 };
    const [created] = await a!.createObservations([
      { lat: 1, lon: 2, createdAt: '2026-11-30T10:00:00.000Z', updatedAt: '2026-11-30T10:05:00.000Z', createdBy: 'phone-device-id', metadata },
    ]);
    expect(created).to.deep.include({ createdAt: '2026-11-30T10:00:00.000Z', updatedAt: '2026-11-30T10:05:00.000Z', createdBy: 'phone-device-id', metadata });

    const edited = await a!.updateObservation(created!.id, { notes: 'seen again', metadata: { ...metadata, accuracy: 3 } }, { updatedAt: '2026-11-30T11:00:00Z' });
    expect(edited).to.deep.include({ updatedAt: '2026-11-30T11:00:00.000Z', createdBy: 'phone-device-id', notes: 'seen again' });
    expect(edited.metadata).to.deep.equal({ ...metadata, accuracy: 3 });
    await sync(a!, b!);
    expect(b!.getObservation(created!.id)).to.deep.include({ updatedAt: '2026-11-30T11:00:00.000Z', createdBy: 'phone-device-id' });
    expect(b!.getObservation(created!.id).metadata).to.deep.equal({ ...metadata, accuracy: 3 });

    // Metadata removed with null; an observation without it has no `metadata` key at all.
    const cleared = await b!.updateObservation(created!.id, { metadata: null });
    expect(cleared).to.not.have.property('metadata');
    const [plain] = await a!.createObservations([{ lat: 0, lon: 0 }]);
    expect(plain).to.not.have.property('metadata');

    for (const bad of [
      { lat: 0, lon: 0, updatedAt: '2026-02-31T00:00:00Z' },
      { lat: 0, lon: 0, createdBy: 'has space' },
      { lat: 0, lon: 0, metadata: { accuracy: -1 } },
      { lat: 0, lon: 0, metadata: { bearing: 3 } },
    ]) {
      expect((await rejection(a!.createObservations([bad as never]))).code, JSON.stringify(bad)).to.equal('ERR_INVALID_INPUT');
    }
    expect((await rejection(a!.updateObservation(created!.id, { notes: 'x' }, { updatedAt: 'yesterday' }))).message).to.match(/updatedAt 'yesterday' is not a real time/);
  });

  it("stores a photo's variants beside its original, syncs them, and reads each back", async () => {
    const [a, b] = await devices.project(2);
    const dir = await devices.dir();
    const bytes = { original: Buffer.alloc(200_000, 1), preview: Buffer.alloc(40_000, 2), thumbnail: Buffer.alloc(5_000, 3) };
    await writeFile(join(dir, 'photo.jpg'), bytes.original);
    await writeFile(join(dir, 'preview.jpg'), bytes.preview);
    const [observation] = await a!.createObservations([
      {
        lat: 0,
        lon: 0,
        attachments: [
          {
            path: join(dir, 'photo.jpg'),
            variants: {
              preview: { path: join(dir, 'preview.jpg') },
              thumbnail: {
                open: async function* () {
                  yield bytes.thumbnail;
                },
              },
            },
          },
        ],
      },
    ]);
    expect(observation!.attachments).to.deep.equal([
      {
        name: 'photo.jpg',
        hash: hashOf(bytes.original),
        mimeType: 'image/jpeg',
        size: 200_000,
        variants: {
          preview: { hash: hashOf(bytes.preview), mimeType: 'image/jpeg', size: 40_000 },
          thumbnail: { hash: hashOf(bytes.thumbnail), mimeType: 'image/jpeg', size: 5_000 },
        },
      },
    ]);
    await sync(a!, b!);
    expect(await sha256Of(await b!.readAttachment(observation!.id, 'photo.jpg'))).to.equal(hashOf(bytes.original));
    expect(await sha256Of(await b!.readAttachment(observation!.id, 'photo.jpg', 'preview'))).to.equal(hashOf(bytes.preview));
    expect(await sha256Of(await b!.readAttachment(observation!.id, 'photo.jpg', 'thumbnail'))).to.equal(hashOf(bytes.thumbnail));

    // An audio file has only its original; asking for a variant says so.
    await writeFile(join(dir, 'call.wav'), Buffer.alloc(1_000, 4));
    await a!.updateObservation(observation!.id, { attachments: [{ path: join(dir, 'call.wav') }] });
    const missing = await rejection(a!.readAttachment(observation!.id, 'call.wav', 'preview'));
    expect(missing).to.deep.include({ code: 'ERR_NOT_FOUND' });
    expect(missing.message).to.match(/has no preview variant; it has only its original/);

    // detach removes an attachment by name.
    const detached = await a!.updateObservation(observation!.id, { detach: ['photo.jpg'] });
    expect(detached.attachments.map((attachment) => attachment.name)).to.deep.equal(['call.wav']);
  });

  it('lists the tombstones of deleted observations, also those that arrived by sync', async () => {
    const [a, b] = await devices.project(2);
    const [kept, gone] = await a!.createObservations([
      { lat: 0, lon: 0 },
      { lat: 1, lon: 1 },
    ]);
    expect(a!.observationTombstones()).to.deep.equal([]);
    await a!.deleteDocument('observation', gone!.id);
    const [tombstone] = a!.observationTombstones();
    expect(tombstone).to.include({ id: gone!.id });
    expect(tombstone!.version).to.not.equal(gone!.version);
    await sync(a!, b!);
    expect(b!.observationTombstones()).to.deep.equal([tombstone]);
    expect(b!.getObservation(kept!.id).id).to.equal(kept!.id);
  });

  it('keeps tracks: their fixes, given times and author; edits, deletions and tombstones, through a sync', async () => {
    const [a, b] = await devices.project(2);
    const locations = [
      { lat: 1, lon: 2, timestamp: '2026-11-30T09:00:00.000Z', accuracy: 5, altitude: 30 },
      { lat: 1.001, lon: 2.002, timestamp: '2026-11-30T09:05:00.000Z', speed: 1.1, mocked: false },
    ];
    const track = await a!.createTrack({ locations, tags: { route: 'ridge' }, createdAt: '2026-11-30T09:00:00Z', updatedAt: '2026-11-30T09:10:00Z', createdBy: 'phone-device-id' });
    expect(track).to.deep.include({ locations, observations: [], category: null, tags: { route: 'ridge' }, createdAt: '2026-11-30T09:00:00.000Z', updatedAt: '2026-11-30T09:10:00.000Z', createdBy: 'phone-device-id' });
    expect((await rejection(a!.createTrack({ locations: [locations[0]!] }))).message).to.match(/locations must have at least 2/);
    expect((await rejection(a!.createTrack({ locations: [{ ...locations[0]!, lat: 91 }, locations[1]!] }))).code).to.equal('ERR_INVALID_INPUT');

    await a!.updateTrack(track.id, { tags: { route: 'ridge, north' } }, { updatedAt: '2026-11-30T12:00:00Z' });
    await sync(a!, b!);
    expect(b!.listTracks()).to.have.length(1);
    expect(b!.getTrack(track.id)).to.deep.include({ tags: { route: 'ridge, north' }, updatedAt: '2026-11-30T12:00:00.000Z', createdBy: 'phone-device-id' });
    expect(b!.countObservations(), 'a track is no observation').to.equal(0);

    await b!.deleteDocument('track', track.id);
    await sync(a!, b!);
    expect(a!.listTracks()).to.deep.equal([]);
    expect(a!.trackTombstones().map((tombstone) => tombstone.id)).to.deep.equal([track.id]);
  });
});
