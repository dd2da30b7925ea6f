import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import type { ObservationInput } from '@cairn/sdk';
import { Devices, rejection, sha256Of, state, sync } from './helpers.js';

/** Observations written with the ids an import gives them, and bytes attached from a stream. */
describe('given ids and streamed attachments', function () {
  this.timeout(60_000);
  const devices = new Devices();
  afterEach(() => devices.cleanup());

  const id = (n: number) => n.toString(16).padStart(32, '0');

  it('takes a given id, refuses one that is taken, and with skipExisting leaves known ones out', async () => {
    const [project] = await devices.project(1);
    const [first] = await project!.createObservations([{ id: id(1), lat: 1, lon: 2, notes: 'first' }]);
    expect(first).to.deep.include({ id: id(1), notes: 'first' });
    expect(project!.getObservation(id(1)).notes).to.equal('first');

    const taken = await rejection(project!.createObservations([{ id: id(1), lat: 0, lon: 0 }]));
    expect(taken.code).to.equal('ERR_INVALID_INPUT');
    expect(taken.message).to.match(/id '0+1' is taken/);
    const twice = await rejection(project!.createObservations([{ id: id(2), lat: 0, lon: 0 }, { id: id(2), lat: 0, lon: 0 }]));
    expect(twice.message).to.match(/^Invalid observation \[1\]: id '0+2' is given to an earlier observation/);
    expect((await rejection(project!.createObservations([{ id: 'has space', lat: 0, lon: 0 }]))).message).to.match(/id must be an id without spaces or slashes/);
    expect(project!.countObservations()).to.equal(1);

    // A deleted observation keeps its id: written again, it stays deleted.
    await project!.createObservations([{ id: id(3), lat: 3, lon: 3 }]);
    await project!.deleteDocument('observation', id(3));
    const inputs: ObservationInput[] = [
      { id: id(1), lat: 9, lon: 9 },
      { id: id(3), lat: 9, lon: 9 },
      { id: id(4), lat: 4, lon: 4, notes: 'new' },
      { id: id(4), lat: 4, lon: 4, notes: 'repeated' },
      { lat: 5, lon: 5, notes: 'no id' },
    ];
    const created = await project!.createObservations(inputs, { skipExisting: true });
    expect(created.map((observation) => observation.notes)).to.deep.equal(['new', 'no id']);
    expect(project!.getObservation(id(1)).notes).to.equal('first');
    expect((await rejection(() => project!.getObservation(id(3)))).code).to.equal('ERR_NOT_FOUND');
    expect(project!.countObservations()).to.equal(3);
  });

  it('attaches bytes from a stream, read twice, and refuses bytes that change between the reads', async () => {
    const [project] = await devices.project(1);
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, index) => (index * 7) % 256));
    let opened = 0;
    const open = async function* () {
      opened += 1;
      for (let at = 0; at < bytes.length; at += 65_536) yield bytes.subarray(at, at + 65_536);
    };
    const [observation] = await project!.createObservations([{ lat: 0, lon: 0, attachments: [{ name: 'tracks.jpg', open }] }]);
    expect(opened).to.equal(2);
    expect(observation!.attachments).to.deep.equal([{ name: 'tracks.jpg', hash: createHash('sha256').update(bytes).digest('hex'), mimeType: 'image/jpeg', size: bytes.length }]);
    expect(await sha256Of(await project!.readAttachment(observation!.id, 'tracks.jpg'))).to.equal(createHash('sha256').update(bytes).digest('hex'));

    // The same bytes again are stored once: read only to be hashed.
    opened = 0;
    await project!.createObservations([{ lat: 0, lon: 0, attachments: [{ name: 'again.jpg', mimeType: 'image/x-test', open }] }]);
    expect(opened).to.equal(1);

    let reads = 0;
    const changing = async function* () {
      yield Buffer.from(reads++ === 0 ? 'first bytes' : 'other bytes');
    };
    const changed = await rejection(project!.createObservations([{ lat: 0, lon: 0, attachments: [{ name: 'x.jpg', open: changing }] }]));
    expect(changed.code).to.equal('ERR_IO');
    expect(changed.message).to.match(/'x\.jpg' changed between two reads/);
    const failing = async function* (): AsyncGenerator<Uint8Array> {
      yield Buffer.from('part');
      throw new Error('disk gone');
    };
    const failed = await rejection(project!.createObservations([{ lat: 0, lon: 0, attachments: [{ name: 'y.jpg', open: failing }] }]));
    expect(failed).to.deep.include({ code: 'ERR_IO' });
    expect(failed.message).to.contain("could not read 'y.jpg': disk gone");
    const notFunction = await rejection(project!.createObservations([{ lat: 0, lon: 0, attachments: [{ name: 'z.jpg', open: 'nope' as never }] }]));
    expect(notFunction.message).to.equal('Invalid observation: attachments[0].open must be a function that opens the bytes.');
    expect(project!.countObservations()).to.equal(2);
  });

  it('one observation written with one id on two devices syncs as one, with no fork, and edits replace both', async () => {
    const [a, b] = await devices.project(2);
    const photo = (await readFile(new URL(import.meta.url))).subarray(0, 5000);
    const input = (): ObservationInput => ({ id: id(7), lat: 1, lon: 2, category: 'animal', notes: 'tapir', tags: { count: 2 }, createdAt: '2024-05-01T10:00:00.000Z', attachments: [{ name: 'p.jpg', open: async function* () { yield photo; } }] });
    await a!.createObservations([input()]);
    await b!.createObservations([input()]);
    await sync(a!, b!);
    expect(a!.countObservations()).to.equal(1);
    expect(a!.store.index.heads('observation', id(7))).to.have.length(2);
    expect(a!.getObservation(id(7)).forks).to.deep.equal([]);
    expect(state(a!)).to.deep.equal(state(b!));

    const edited = await a!.updateObservation(id(7), { notes: 'tapir, two' });
    expect(edited.forks).to.deep.equal([]);
    expect(a!.store.index.heads('observation', id(7))).to.deep.equal([edited.version]);
    await sync(a!, b!);
    expect(b!.getObservation(id(7))).to.deep.include({ notes: 'tapir, two', forks: [] });
  });

  it('shows a fork when two devices wrote one id with different content, and a deleted one stays deleted', async () => {
    const [a, b] = await devices.project(2);
    await a!.createObservations([{ id: id(8), lat: 1, lon: 1, notes: 'on A' }]);
    await b!.createObservations([{ id: id(8), lat: 1, lon: 1, notes: 'on B' }]);
    await a!.createObservations([{ id: id(9), lat: 1, lon: 1 }]);
    await a!.deleteDocument('observation', id(9));
    // B has not heard of the deletion, and writes the same id (an import of the same file).
    await b!.createObservations([{ id: id(9), lat: 1, lon: 1 }]);
    await sync(a!, b!);
    expect(a!.getObservation(id(8)).forks).to.have.length(1);
    for (const project of [a!, b!]) {
      expect((await rejection(() => project.getObservation(id(9)))).code).to.equal('ERR_NOT_FOUND');
      expect(project.countObservations()).to.equal(1);
    }
  });
});
