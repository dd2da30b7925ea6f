import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import Corestore from 'corestore';
import { Project } from '@cairn/core/node/project/project.js';
import { Devices, quietLog, sha256Of, rejection } from './helpers.js';

describe('project documents', function () {
  this.timeout(60_000);
  const devices = new Devices();
  afterEach(() => devices.cleanup());

  describe('projects and devices', () => {
    it('creates a project with a key, a name and this device', async () => {
      const [project] = await devices.project(1, 'River survey');
      const info = project!.info();
      expect(info.projectKey).to.match(/^[0-9a-f]{64}$/);
      expect(info).to.deep.include({ projectName: 'River survey', deviceName: 'device-0' });
      expect(info.deviceId).to.equal(project!.store.deviceId);
      expect(project!.devices()).to.deep.equal([
        { deviceId: info.deviceId, name: 'device-0', deviceType: 'desktop', self: true },
      ]);
    });

    it('holds one project per data dir, and reopens it', async () => {
      const dir = await devices.dir();
      const project = await devices.track(Project.create(dir, { name: 'One' }, quietLog));
      const key = project.info().projectKey;
      expect((await rejection(Project.create(dir, { name: 'Two' }, quietLog))).code).to.equal('ERR_INVALID_INPUT');
      const reopened = await devices.reopen(project, dir);
      expect(reopened.info()).to.deep.include({ projectKey: key, projectName: 'One' });
    });

    it('says there is no project, and checks what init is given', async () => {
      expect(await Project.open(await devices.dir(), quietLog)).to.equal(null);
      const dir = await devices.dir();
      const bad = await rejection(Project.create(dir, { join: 'not-a-key' }, quietLog));
      expect(bad).to.deep.include({ code: 'ERR_INVALID_INPUT' });
      expect(bad.message).to.contain('64 hexadecimal characters');
      expect((await rejection(Project.create(dir, {}, quietLog))).code).to.equal('ERR_INVALID_INPUT');
      expect((await rejection(Project.create(dir, { name: 'x', join: 'a'.repeat(64) }, quietLog))).code).to.equal('ERR_INVALID_INPUT');
      expect(await Project.open(dir, quietLog)).to.equal(null);
    });

    it('a joined device knows no name until it syncs', async () => {
      const [owner] = await devices.project(1, 'Named');
      const joined = await devices.join(owner!.info().projectKey, 'newcomer');
      expect(joined.info()).to.deep.include({ projectKey: owner!.info().projectKey, projectName: null, deviceName: 'newcomer' });
      expect(joined.store.keys.discoveryKey.equals(owner!.store.keys.discoveryKey)).to.equal(true);
      expect(joined.store.deviceId).not.to.equal(owner!.store.deviceId);
    });
  });

  describe('observations', () => {
    it('are validated, with errors naming the field', async () => {
      const [project] = await devices.project(1);
      const cases: Array<[unknown, string]> = [
        [{ lon: 1 }, 'Invalid observation: lat is required.'],
        [{ lat: 91, lon: 0 }, 'Invalid observation: lat must be at most 90.'],
        [{ lat: 0, lon: -181 }, 'Invalid observation: lon must be at least -180.'],
        [{ lat: '1', lon: 0 }, 'Invalid observation: lat must be a number.'],
        [{ lat: 0, lon: 0, colour: 'red' }, 'Invalid observation: colour is not a known field.'],
        [{ lat: 0, lon: 0, tags: { nested: { a: 1 } } }, 'Invalid observation: tags.nested must be a string, a number, true/false, null, or a list of those.'],
        [{ lat: 0, lon: 0, notes: 7 }, 'Invalid observation: notes must be a string.'],
        [{ lat: 0, lon: 0, attachments: [{ path: '/nowhere/photo.jpg' }] }, 'Invalid attachments[0]: there is no file at /nowhere/photo.jpg.'],
      ];
      for (const [input, message] of cases) {
        const error = await rejection(project!.createObservations([input as never]));
        expect(error, JSON.stringify(input)).to.deep.include({ code: 'ERR_INVALID_INPUT', message });
      }
      const batch = await rejection(project!.createObservations([{ lat: 0, lon: 0 }, { lat: 0, lon: 500 }]));
      expect(batch.message).to.equal('Invalid observation [1]: lon must be at most 180.');
      expect(project!.countObservations(), 'a bad batch writes nothing').to.equal(0);
      const edit = await rejection(async () => {
        const [created] = await project!.createObservations([{ lat: 0, lon: 0 }]);
        await project!.updateObservation(created!.id, { lat: -100 });
      });
      expect(edit.message).to.equal('Invalid observation edit: lat must be at least -90.');
    });

    it('print in the documented shape, and keep who made them and when', async () => {
      const [project] = await devices.project(1);
      const [created] = await project!.createObservations([{ lat: -3.1, lon: 60.2, category: 'animal', notes: 'Tracks', tags: { count: 3, species: ['a', 'b'] } }]);
      expect(Object.keys(created!)).to.deep.equal([
        'id', 'version', 'lat', 'lon', 'category', 'notes', 'tags', 'attachments', 'createdAt', 'updatedAt', 'createdBy', 'forks',
      ]);
      expect(created).to.deep.include({ lat: -3.1, lon: 60.2, category: 'animal', notes: 'Tracks', forks: [], attachments: [] });
      expect(created!.createdBy).to.equal(project!.store.deviceId);
      expect(created!.version).to.match(new RegExp(`^${project!.store.deviceId}/\\d+\\.0$`));
      const edited = await project!.updateObservation(created!.id, { notes: 'More tracks', untag: ['count'], tags: { checked: true } });
      expect(edited).to.deep.include({ id: created!.id, createdAt: created!.createdAt, notes: 'More tracks', tags: { species: ['a', 'b'], checked: true } });
      expect(edited.version).not.to.equal(created!.version);
      expect((await project!.getObservationVersion(created!.version)).notes).to.equal('Tracks');
      expect(project!.getObservation(created!.id)).to.deep.equal(edited);
    });

    it('delete as a tombstone: gone from get, list and count', async () => {
      const [project] = await devices.project(1);
      const [first, second] = await project!.createObservations([{ lat: 1, lon: 1 }, { lat: 2, lon: 2 }]);
      await project!.deleteDocument('observation', first!.id);
      expect((await rejection(() => project!.getObservation(first!.id))).code).to.equal('ERR_NOT_FOUND');
      expect(project!.queryObservations().map((observation) => observation.id)).to.deep.equal([second!.id]);
      expect((await rejection(project!.deleteDocument('observation', first!.id))).code).to.equal('ERR_NOT_FOUND');
      expect((await rejection(project!.updateObservation(first!.id, { notes: 'x' }))).code).to.equal('ERR_NOT_FOUND');
    });

    it('are found by box, category, words, time, with counts and paging', async () => {
      const [project] = await devices.project(1);
      await project!.createObservations([
        { lat: 10, lon: 10, category: 'animal', notes: 'Jaguar tracks near the river' },
        { lat: 10.5, lon: 10.5, category: 'plant', notes: 'Tall kapok tree' },
        { lat: -20, lon: 170, category: 'animal', notes: 'Bird nest' },
        { lat: -20, lon: -175, category: 'water', notes: 'River crossing, deep' },
        { lat: 50, lon: 0, notes: 'Nothing to say' },
      ]);
      const notes = (filter: Parameters<Project['queryObservations']>[0]) =>
        project!.queryObservations(filter).map((observation) => observation.notes).sort();
      expect(notes({ bbox: [9, 9, 11, 11] })).to.deep.equal(['Jaguar tracks near the river', 'Tall kapok tree']);
      expect(notes({ bbox: [165, -25, -170, -15] }), 'a box across the antimeridian').to.deep.equal(['Bird nest', 'River crossing, deep']);
      expect(notes({ category: 'animal' })).to.deep.equal(['Bird nest', 'Jaguar tracks near the river']);
      expect(notes({ text: 'river' })).to.deep.equal(['Jaguar tracks near the river', 'River crossing, deep']);
      expect(notes({ text: 'riv' }), 'word starts match').to.have.length(2);
      expect(notes({ text: 'river jaguar' })).to.deep.equal(['Jaguar tracks near the river']);
      expect(notes({ text: '"quoted" AND OR' }), 'search words are never FTS syntax').to.deep.equal([]);
      expect(notes({ bbox: [0, 0, 20, 20], category: 'plant', text: 'kapok' })).to.deep.equal(['Tall kapok tree']);
      expect(project!.countObservations({ category: 'animal' })).to.equal(2);
      const all = project!.queryObservations();
      expect(all).to.have.length(5);
      const future = new Date(Date.now() + 60_000).toISOString();
      expect(project!.countObservations({ from: future })).to.equal(0);
      expect(project!.countObservations({ to: future })).to.equal(5);
      const pages = [0, 2, 4].map((offset) => project!.queryObservations({ limit: 2, offset }).map((observation) => observation.id));
      expect(pages.flat()).to.deep.equal(all.map((observation) => observation.id));
      expect(project!.countObservations({ bbox: [9, 9, 11, 11] })).to.equal(2);
    });
  });

  describe('attachments', () => {
    it('are stored by content: the same photo twice is stored once', async () => {
      const [project] = await devices.project(1);
      const dir = await devices.dir();
      const photo = join(dir, 'a.jpg');
      const copy = join(dir, 'copy-of-a.jpg');
      await writeFile(photo, Buffer.alloc(600_000, 3));
      await writeFile(copy, Buffer.alloc(600_000, 3));
      const drive = project!.store.own.drive;
      const [first] = await project!.createObservations([{ lat: 0, lon: 0, attachments: [{ path: photo }] }]);
      const blobsAfterFirst = (await drive.getBlobs())!.core.byteLength;
      const [second] = await project!.createObservations([{ lat: 0, lon: 0, attachments: [{ path: copy, mimeType: 'image/x-test' }] }]);
      expect((await drive.getBlobs())!.core.byteLength).to.equal(blobsAfterFirst);
      expect(second!.attachments[0]).to.deep.include({ name: 'copy-of-a.jpg', hash: first!.attachments[0]!.hash, mimeType: 'image/x-test' });
      expect(await sha256Of(await project!.readAttachment(second!.id, 'copy-of-a.jpg'))).to.equal(first!.attachments[0]!.hash);
    });

    it('are added by edits, and a missing one is a clear error', async () => {
      const [project] = await devices.project(1);
      const dir = await devices.dir();
      await writeFile(join(dir, 'note.txt'), 'field note');
      const [created] = await project!.createObservations([{ lat: 0, lon: 0 }]);
      const edited = await project!.updateObservation(created!.id, { attachments: [{ path: join(dir, 'note.txt') }] });
      expect(edited.attachments).to.deep.equal([
        { name: 'note.txt', hash: edited.attachments[0]!.hash, mimeType: 'text/plain', size: 10 },
      ]);
      const error = await rejection(project!.readAttachment(created!.id, 'other.jpg'));
      expect(error).to.deep.include({ code: 'ERR_NOT_FOUND', message: `Observation ${created!.id} has no attachment 'other.jpg'; it has: note.txt.` });
    });

    it('are streamed: memory does not grow with the size of the file', async function () {
      this.timeout(180_000);
      const dir = await devices.dir();
      const script = join(dir, 'stream.mjs');
      // A child process per size, so that each peak of memory is measured on its own.
      await writeFile(
        script,
        `
        import { open } from 'node:fs/promises';
        import { join } from 'node:path';
        import { Project } from ${JSON.stringify(import.meta.resolve('@cairn/core/node/project/project.js'))};
        const [dir, megabytes] = [process.argv[2], Number(process.argv[3])];
        const log = { debug() {}, info() {}, warn() {}, error: console.error };
        const file = join(dir, 'big.bin');
        const handle = await open(file, 'w');
        const chunk = Buffer.alloc(1024 * 1024);
        for (let i = 0; i < megabytes; i += 1) { chunk.fill(i); await handle.write(chunk); }
        await handle.close();
        const project = await Project.create(join(dir, 'data'), { name: 'big' }, log);
        const [o] = await project.createObservations([{ lat: 0, lon: 0, attachments: [{ path: file }] }]);
        let bytes = 0;
        for await (const part of await project.readAttachment(o.id, 'big.bin')) bytes += part.length;
        await project.close();
        console.log(JSON.stringify({ bytes, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
        `,
      );
      const { execFileSync } = await import('node:child_process');
      const run = async (megabytes: number) => {
        const workDir = await devices.dir();
        const output = execFileSync(process.execPath, [script, workDir, String(megabytes)], { encoding: 'utf8' });
        return JSON.parse(output.trim().split('\n').at(-1)!) as { bytes: number; maxRssMiB: number };
      };
      const small = await run(32);
      const large = await run(320);
      expect(small.bytes).to.equal(32 * 1024 * 1024);
      expect(large.bytes).to.equal(320 * 1024 * 1024);
      // Holding the file would add 288 MiB; the storage engine's buffers are bounded and add far less.
      expect(large.maxRssMiB - small.maxRssMiB).to.be.lessThan(144);
    });
  });

  describe('categories, fields and settings', () => {
    it('keeps Mapeo-style presets and fields, with their ids', async () => {
      const [project] = await devices.project(1);
      const field = await project!.createField({ id: 'animal-type', key: 'animal-type', type: 'select_one', label: 'Animal', options: [{ label: 'Jaguar', value: 'jaguar' }] });
      const preset = await project!.createPreset({ id: 'animal', name: 'Animal', tags: { type: 'animal' }, fields: ['animal-type'], icon: 'animal', color: '#aa3300' });
      expect(preset).to.deep.include({ id: 'animal', geometry: ['point'], addTags: { type: 'animal' }, removeTags: { type: 'animal' }, terms: [], sort: null });
      expect(field).to.deep.include({ id: 'animal-type', placeholder: null, universal: false });
      expect(project!.listPresets().map((p) => p.id)).to.deep.equal(['animal']);
      expect((await rejection(project!.createPreset({ id: 'animal', name: 'Again' }))).message).to.equal(
        "A category with id 'animal' exists already; edit it instead.",
      );
      expect((await rejection(project!.createPreset({ name: 'Bad', color: 'red' }))).message).to.equal(
        'Invalid category: color must be a colour like #1a2b3c.',
      );
      const renamed = await project!.updatePreset('animal', { name: 'Wild animal' });
      expect(renamed).to.deep.include({ id: 'animal', name: 'Wild animal', color: '#aa3300' });
      await project!.deleteDocument('field', 'animal-type');
      expect(project!.listFields()).to.deep.equal([]);
    });

    it('keeps one set of project settings', async () => {
      const [project] = await devices.project(1, 'Before');
      const settings = await project!.updateSettings({ name: 'After', color: '#123456', defaultPresets: ['animal'] });
      expect(settings).to.deep.equal({ name: 'After', description: null, color: '#123456', defaultPresets: ['animal'], configMetadata: null });
      expect(project!.info().projectName).to.equal('After');
      expect((await rejection(project!.updateSettings({ colour: 'x' } as never))).code).to.equal('ERR_INVALID_INPUT');
    });
  });

  describe('on disk', () => {
    it('is encrypted: no note or photo byte is readable in the data dir without the key', async () => {
      const dir = await devices.dir();
      const project = await devices.track(Project.create(dir, { name: 'Secret place' }, quietLog));
      const photoDir = await devices.dir();
      const marker = 'UNMISTAKABLE-PLAINTEXT-MARKER';
      await writeFile(join(photoDir, 'photo.jpg'), Buffer.from(`${marker}-in-a-photo`.repeat(1000)));
      await project.createObservations([{ lat: 1, lon: 1, notes: `${marker} in a note`, attachments: [{ path: join(photoDir, 'photo.jpg') }] }]);
      await devices.close(project);
      const { execFileSync } = await import('node:child_process');
      // grep exits 1 when nothing matches.
      const found = (() => {
        try {
          return execFileSync('grep', ['-rl', marker, join(dir, 'corestore')], { encoding: 'utf8' });
        } catch {
          return '';
        }
      })();
      expect(found).to.equal('');
      // The control: the same marker in a core without encryption is found, so the search can see.
      const plainDir = await devices.dir();
      const plain = new Corestore(plainDir);
      const core = plain.get({ name: 'plain' });
      await core.ready();
      await core.append(Buffer.from(`${marker} in a note`.repeat(100)));
      await plain.close();
      expect(execFileSync('grep', ['-rl', marker, plainDir], { encoding: 'utf8' })).not.to.equal('');
      const projectFile = await readFile(join(dir, 'project.json'), 'utf8');
      expect(projectFile).not.to.contain(marker);
    });
  });
});
