import { expect } from 'chai';
import { Devices, sync } from './helpers.js';

describe('queries for lists and imports', function () {
  this.timeout(60_000);
  const devices = new Devices();
  afterEach(() => devices.cleanup());

  it('sorts by each key both ways, and pages through the order without a gap or a repeat', async () => {
    const [project] = await devices.project(1);
    const inputs = Array.from({ length: 230 }, (_, index) => ({
      lat: (index * 37) % 90,
      lon: -((index * 53) % 180),
      category: `c${index % 7}`,
      notes: `${String.fromCharCode(97 + (index % 26))}${index % 3 === 0 ? 'B' : 'b'} note ${index}`,
      createdAt: new Date(Date.UTC(2024, 0, 1, 0, index % 50)).toISOString(),
    }));
    await project!.createObservations(inputs);
    for (const sort of ['createdAt', 'updatedAt', 'category', 'notes', 'lat', 'lon', 'createdBy', 'attachments'] as const) {
      for (const descending of [false, true]) {
        const whole = project!.queryObservations({ sort, descending });
        const paged = [0, 1, 2, 3].flatMap((page) => project!.queryObservations({ sort, descending, limit: 64, offset: page * 64 }));
        expect(paged.map((observation) => observation.id), `${sort} ${descending}`).to.deep.equal(whole.map((observation) => observation.id));
        const key = (observation: (typeof whole)[number]) =>
          sort === 'notes' ? observation.notes.toLowerCase() : sort === 'attachments' ? observation.attachments.length : sort === 'category' ? observation.category : observation[sort];
        for (let index = 1; index < whole.length; index++) {
          const [before, after] = [key(whole[index - 1]!), key(whole[index]!)] as [string | number, string | number];
          expect(descending ? before >= after : before <= after, `${sort} ${descending ? 'descending' : 'ascending'} at ${index}`).to.equal(true);
        }
      }
    }
    // Filters and order together.
    const filtered = project!.queryObservations({ category: 'c3', sort: 'lat', limit: 5 });
    expect(filtered.every((observation) => observation.category === 'c3')).to.equal(true);
    expect(filtered.map((observation) => observation.lat)).to.deep.equal([...filtered.map((observation) => observation.lat)].sort((a, b) => a - b));
    expect(() => project!.queryObservations({ sort: 'colour' as never })).to.throw(/sort: give one of createdAt/);
  });

  it('gives the exact place and category of each live observation that matches, for a map', async () => {
    const [project] = await devices.project(1);
    const [first, second, third] = await project!.createObservations([
      { lat: 12.3456789, lon: -98.7654321, category: 'tree' },
      { lat: -33.5, lon: 151.25 },
      { lat: 40.1, lon: -3.7, category: 'river' },
    ]);
    await project!.updateObservation(second!.id, { lat: -33.75, category: 'river' });
    await project!.deleteDocument('observation', third!.id);
    const all = project!.observationPositions();
    expect(all.ids).to.deep.equal([first!.id, second!.id]);
    expect([...all.lat]).to.deep.equal([12.3456789, -33.75]);
    expect([...all.lon]).to.deep.equal([-98.7654321, 151.25]);
    expect(all.categories).to.deep.equal(['tree', 'river']);
    expect(project!.observationPositions({ bbox: [100, -40, 160, 0] }).ids).to.deep.equal([second!.id]);
    expect(project!.observationPositions({ category: 'tree' }).ids).to.deep.equal([first!.id]);
  });

  it('counts the matches of each category, those without one included', async () => {
    const [project] = await devices.project(1);
    await project!.createObservations([
      { lat: 1, lon: 1, category: 'animal', notes: 'tapir' },
      { lat: 1, lon: 2, category: 'animal', notes: 'jaguar' },
      { lat: 1, lon: 3, category: 'river', notes: 'tapir crossing' },
      { lat: 1, lon: 4, notes: 'tapir, no category' },
    ]);
    expect(project!.countObservationsByCategory()).to.deep.equal([
      { category: 'animal', count: 2 },
      { category: null, count: 1 },
      { category: 'river', count: 1 },
    ]);
    expect(project!.countObservationsByCategory({ text: 'tapir' })).to.deep.equal([
      { category: null, count: 1 },
      { category: 'animal', count: 1 },
      { category: 'river', count: 1 },
    ]);
  });

  it('keeps the creation time an import gives, and refuses one that is not a time', async () => {
    const [project] = await devices.project(1);
    const [kept] = await project!.createObservations([{ lat: 1, lon: 2, createdAt: '2021-10-11T18:33:21.059Z' }]);
    expect(kept!.createdAt).to.equal('2021-10-11T18:33:21.059Z');
    expect(kept!.updatedAt > kept!.createdAt).to.equal(true);
    expect(project!.queryObservations({ to: '2022-01-01T00:00:00.000Z' }).map((observation) => observation.id)).to.deep.equal([kept!.id]);
    await project!.createObservations([{ lat: 1, lon: 2, createdAt: 'yesterday' }]).then(
      () => expect.fail('accepted a bad time'),
      (error: { code: string; message: string }) => expect(error.message).to.match(/createdAt must be an ISO 8601 time/),
    );
  });

  it('checks inputs without writing them, naming each invalid one by its index', async () => {
    const [project] = await devices.project(1);
    const problems = project!.validateObservations([{ lat: 1, lon: 2 }, { lat: 91, lon: 2 }, { lat: 1, lon: 2, tags: { bad: { nested: true } as never } }]);
    expect(problems.map((problem) => problem.index)).to.deep.equal([1, 2]);
    // The problem alone, without the "Invalid observation:" an error would start with.
    expect(problems[0]!.message).to.equal('lat must be at most 90.');
    expect(problems[1]!.message).to.match(/tags\.bad must be a string, a number/);
    expect(project!.countObservations()).to.equal(0);
  });

  it('lists every version of an observation, forks included, newest first', async () => {
    const [a, b] = await devices.project(2);
    const [created] = await a!.createObservations([{ lat: 1, lon: 2, notes: 'first' }]);
    await a!.updateObservation(created!.id, { notes: 'second' });
    await sync(a!, b!);
    await b!.updateObservation(created!.id, { notes: 'on b' });
    await a!.updateObservation(created!.id, { notes: 'on a' });
    await sync(a!, b!);
    const history = await a!.observationHistory(created!.id);
    expect(history.map((version) => version.notes).slice(2)).to.deep.equal(['second', 'first']);
    expect(history.slice(0, 2).map((version) => version.notes).sort()).to.deep.equal(['on a', 'on b']);
    expect(new Set(history.map((version) => version.version)).size).to.equal(4);
    await a!.deleteDocument('observation', created!.id);
    await a!.observationHistory(created!.id).then(
      () => expect.fail('a deleted observation has no history to show'),
      (error: { code: string }) => expect(error.code).to.equal('ERR_NOT_FOUND'),
    );
  });

  it('keeps a category’s icon with it, and reads categories written before icons travelled as having none', async () => {
    const [a, b] = await devices.project(2);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>';
    await a!.createPreset({ id: 'animal', name: 'Animal', iconSvg: svg });
    await a!.createPreset({ id: 'plain', name: 'Plain' });
    await sync(a!, b!);
    expect(b!.getPreset('animal').iconSvg).to.equal(svg);
    expect(b!.getPreset('plain').iconSvg).to.equal(null);
  });
});
