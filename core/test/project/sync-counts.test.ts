import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { duplexPair, type SyncCounts, type SyncSummary } from '@cairn/sdk';
import type { Project } from '@cairn/core/node/project/project.js';
import { RelayStore, type ObservationCounter } from '@cairn/core/node/project/relay-store.js';
import { ReplicationSession } from '@cairn/core/node/project/replication.js';
import { Devices, quietLog, sync } from './helpers.js';

/** The counts of a summary side, without the bytes (which depend on the wire). */
const counts = ({ observations, attachments }: SyncCounts) => ({ observations, attachments });

describe('sync summary counts', function () {
  this.timeout(60_000);
  const devices = new Devices();
  afterEach(() => devices.cleanup());

  /** Files of random bytes (each its own content) in a temp dir. */
  async function photos(count: number): Promise<string[]> {
    const dir = await devices.dir();
    const paths: string[] = [];
    for (let index = 0; index < count; index += 1) {
      paths.push(join(dir, `photo-${index}.jpg`));
      await writeFile(paths[index]!, randomBytes(50_000 + index));
    }
    return paths;
  }

  /** Syncs A (initiator) with B; checks that each side's `sent` is the other's `received`. */
  async function syncPair(a: Project, b: Project): Promise<[SyncSummary, SyncSummary]> {
    const [summaryA, summaryB] = await sync(a, b);
    expect(counts(summaryA.sent), 'what A sent is what B received').to.deep.equal(counts(summaryB.received));
    expect(counts(summaryB.sent), 'what B sent is what A received').to.deep.equal(counts(summaryA.received));
    return [summaryA, summaryB];
  }

  it('counts an observation edited three times once, on a first sync and on a later one', async () => {
    const [a, b] = await devices.project(2);
    const [observation] = await a!.createObservations([{ lat: 1, lon: 1, notes: 'first' }]);
    for (const notes of ['second', 'third', 'fourth']) await a!.updateObservation(observation!.id, { notes });
    const [first] = await syncPair(a!, b!);
    expect(counts(first.sent)).to.deep.equal({ observations: 1, attachments: 0 });

    for (const notes of ['fifth', 'sixth', 'seventh']) await a!.updateObservation(observation!.id, { notes });
    const [, onB] = await syncPair(a!, b!);
    expect(onB.received.observations).to.equal(1);
    expect(b!.getObservation(observation!.id).notes).to.equal('seventh');
  });

  it('counts 2 new, 1 edited and 1 deleted observation as 4, however many versions each has', async () => {
    const [a, b] = await devices.project(2);
    const [edited, deleted, untouched] = await a!.createObservations([{ lat: 1, lon: 1 }, { lat: 2, lon: 2 }, { lat: 3, lon: 3 }]);
    await syncPair(a!, b!);

    await a!.createObservations([{ lat: 4, lon: 4, notes: 'new 1' }]);
    await a!.createObservations([{ lat: 5, lon: 5, notes: 'new 2' }]);
    await a!.updateObservation(edited!.id, { notes: 'edit 1' });
    await a!.updateObservation(edited!.id, { notes: 'edit 2' });
    await a!.updateObservation(deleted!.id, { notes: 'edited, then deleted' });
    await a!.deleteDocument('observation', deleted!.id);
    const [, onB] = await syncPair(a!, b!);
    expect(counts(onB.received)).to.deep.equal({ observations: 4, attachments: 0 });
    expect(b!.countObservations()).to.equal(4);
    expect(b!.getObservation(untouched!.id).lat).to.equal(3);
  });

  it('counts an observation changed on two devices once when both changes arrive in one session', async () => {
    const [a, b, c] = await devices.project(3);
    const [observation] = await a!.createObservations([{ lat: 1, lon: 1 }]);
    await syncPair(a!, c!);
    await c!.updateObservation(observation!.id, { notes: 'edited on C' });
    await syncPair(c!, a!);
    // B gets A's version and C's edit of the same observation from A.
    const [, onB] = await syncPair(a!, b!);
    expect(onB.received.observations).to.equal(1);
  });

  it('counts a photo attached to two observations (stored once) as one attachment, and 3 distinct photos as 3', async () => {
    const [a, b] = await devices.project(2);
    const [photo, ...others] = await photos(4);
    await a!.createObservations([
      { lat: 1, lon: 1, attachments: [{ path: photo! }] },
      { lat: 2, lon: 2, attachments: [{ path: photo!, name: 'same bytes.jpg' }] },
    ]);
    const [, onB] = await syncPair(a!, b!);
    expect(counts(onB.received)).to.deep.equal({ observations: 2, attachments: 1 });

    await a!.createObservations(others.map((path, index) => ({ lat: index, lon: index, attachments: [{ path }] })));
    const [, again] = await syncPair(a!, b!);
    expect(counts(again.received)).to.deep.equal({ observations: 3, attachments: 3 });
  });

  it('counts the same photo added on two devices as one file: attachments are told by content', async () => {
    const [a, b, c] = await devices.project(3);
    const [photo] = await photos(1);
    await a!.createObservations([{ lat: 1, lon: 1, attachments: [{ path: photo! }] }]);
    await c!.createObservations([{ lat: 2, lon: 2, attachments: [{ path: photo! }] }]);
    // A then holds the photo twice, in its drive and in C's; B gets both drives from A.
    await syncPair(a!, c!);
    const [, onB] = await syncPair(a!, b!);
    expect(counts(onB.received)).to.deep.equal({ observations: 2, attachments: 1 });
  });

  it('counts both ways at once, and nothing on a second sync with nothing new', async () => {
    const [a, b] = await devices.project(2);
    const [photoA, photoB] = await photos(2);
    const [fromA] = await a!.createObservations([{ lat: 1, lon: 1, attachments: [{ path: photoA! }] }, { lat: 2, lon: 2 }]);
    await a!.updateObservation(fromA!.id, { notes: 'edited' });
    await b!.createObservations([{ lat: 3, lon: 3, attachments: [{ path: photoB! }] }]);
    const [onA, onB] = await syncPair(a!, b!);
    expect(counts(onA.sent)).to.deep.equal({ observations: 2, attachments: 1 });
    expect(counts(onA.received)).to.deep.equal({ observations: 1, attachments: 1 });

    const [quietA, quietB] = await syncPair(a!, b!);
    for (const summary of [quietA, quietB]) {
      expect(counts(summary.sent)).to.deep.equal({ observations: 0, attachments: 0 });
      expect(counts(summary.received)).to.deep.equal({ observations: 0, attachments: 0 });
    }
    expect(onB.received.bytes).to.be.greaterThan(0);
  });

  for (const counter of ['the device index', 'its own blocks'] as const) {
    it(`counts what a relay (a sync file) received with ${counter}`, async () => {
      const [a] = await devices.project(1);
      const [photo] = await photos(1);
      const [observation] = await a!.createObservations([{ lat: 1, lon: 1, attachments: [{ path: photo! }] }, { lat: 2, lon: 2 }]);
      for (const notes of ['one', 'two', 'three']) await a!.updateObservation(observation!.id, { notes });
      const index: ObservationCounter | null = counter === 'the device index' ? a!.store : null;
      const relay = await RelayStore.open(await devices.dir(), a!.store.keys, quietLog, () => Promise.resolve(index));
      try {
        const [deviceSide, fileSide] = duplexPair();
        const [toFile, inFile] = await Promise.all([
          a!.replicate(deviceSide, { initiator: true }).done,
          new ReplicationSession({ store: relay, deviceName: 'Sync file', deviceType: 'file' }, fileSide, { initiator: false }).done,
        ]);
        deviceSide.destroy();
        fileSide.destroy();
        expect(counts(inFile.received)).to.deep.equal({ observations: 2, attachments: 1 });
        expect(counts(toFile.sent)).to.deep.equal(counts(inFile.received));
      } finally {
        await relay.close();
      }
    });
  }
});
