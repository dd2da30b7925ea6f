import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { ProjectIndex } from '@cairn/core/node/project/project-index.js';
import { Devices, sync } from './helpers.js';

describe('project index', function () {
  this.timeout(60_000);
  const devices = new Devices();
  afterEach(() => devices.cleanup());

  it('rebuilt from the cores, equals the one kept up incrementally', async () => {
    const dirs = [await devices.dir(), await devices.dir(), await devices.dir()];
    const { Project } = await import('@cairn/core/node/project/project.js');
    const { quietLog } = await import('./helpers.js');
    const a = await devices.track(Project.create(dirs[0]!, { name: 'Index' }, quietLog));
    const b = await devices.join(a.info().projectKey, 'b', dirs[1]);
    const c = await devices.join(a.info().projectKey, 'c', dirs[2]);

    const made = await a.createObservations(Array.from({ length: 300 }, (_, index) => ({ lat: index % 80, lon: index % 170, notes: `note ${index}`, category: `c${index % 4}` })));
    await sync(a, b);
    await sync(b, c);
    // Concurrent edits (forks), deletions, and edits on top of received versions.
    for (const [index, observation] of made.slice(0, 60).entries()) {
      if (index % 3 === 0) await a.updateObservation(observation.id, { notes: `a ${index}` });
      if (index % 3 !== 2) await b.updateObservation(observation.id, { notes: `b ${index}` });
      if (index % 5 === 0) await c.deleteDocument('observation', observation.id);
    }
    await c.createObservations([{ lat: 5, lon: 5, notes: 'from c' }]);
    await sync(a, b);
    await sync(b, c);
    await sync(a, c);

    const incremental = c.store.index.snapshot();
    expect((incremental.docs as Array<{ forks: string }>).some((doc) => doc.forks !== '[]'), 'there are forks').to.equal(true);
    const reopened = await devices.reopen(c, dirs[2]!);
    expect(reopened.store.index.snapshot()).to.deep.equal(incremental);
    await devices.close(reopened);
    for (const file of ['index.db', 'index.db-wal', 'index.db-shm']) await rm(join(dirs[2]!, file), { force: true });
    const rebuilt = await devices.reopen(reopened, dirs[2]!);
    expect(rebuilt.store.index.snapshot()).to.deep.equal(incremental);

    // Another device that received the same versions in another order agrees on every document.
    const docsOf = (snapshot: { docs: unknown[] }) => snapshot.docs;
    expect(docsOf(a.store.index.snapshot())).to.deep.equal(docsOf(incremental));
    expect(docsOf(b.store.index.snapshot())).to.deep.equal(docsOf(incremental));
  });

  it('indexes new blocks only', async () => {
    const [project] = await devices.project(1);
    for (let batch = 0; batch < 20; batch += 1) {
      await project!.createObservations(Array.from({ length: 50 }, () => ({ lat: 1, lon: 1 })));
    }
    const calls: Array<{ first: number; count: number }> = [];
    const original = ProjectIndex.prototype.applyBlocks;
    ProjectIndex.prototype.applyBlocks = function (this: ProjectIndex, core, first, blocks) {
      calls.push({ first, count: blocks.length });
      return original.call(this, core, first, blocks);
    };
    try {
      const length = project!.store.own.docs.length;
      await project!.createObservations([{ lat: 2, lon: 2 }]);
      expect(calls).to.deep.equal([{ first: length, count: 1 }]);
    } finally {
      ProjectIndex.prototype.applyBlocks = original;
    }
    expect(project!.countObservations()).to.equal(1001);
  });
});
