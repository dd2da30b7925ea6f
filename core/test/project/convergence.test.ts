import { expect } from 'chai';
import fc from 'fast-check';
import { Devices, state, sync } from './helpers.js';

type Operation =
  | { kind: 'create'; device: number; notes: string }
  | { kind: 'edit'; device: number; pick: number; notes: string }
  | { kind: 'delete'; device: number; pick: number }
  | { kind: 'sync'; device: number; other: number };

const device = fc.integer({ min: 0, max: 2 });
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), device, notes: fc.string({ maxLength: 8 }) }),
  fc.record({ kind: fc.constant('edit' as const), device, pick: fc.nat(), notes: fc.string({ maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), device, pick: fc.nat() }),
  fc.record({ kind: fc.constant('sync' as const), device, other: device }),
);

describe('convergence (property)', function () {
  this.timeout(300_000);

  it('random creates, edits, deletes and syncs among 3 devices end in identical heads and winners', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 30 }), async (operations) => {
        const devices = new Devices();
        try {
          const projects = await devices.project(3);
          for (const op of operations) {
            const project = projects[op.device]!;
            const live = project.queryObservations();
            if (op.kind === 'create') {
              await project.createObservations([{ lat: 0, lon: 0, notes: op.notes }]);
            } else if (op.kind === 'edit' && live.length > 0) {
              await project.updateObservation(live[op.pick % live.length]!.id, { notes: op.notes });
            } else if (op.kind === 'delete' && live.length > 0) {
              await project.deleteDocument('observation', live[op.pick % live.length]!.id);
            } else if (op.kind === 'sync' && op.other !== op.device) {
              await sync(project, projects[op.other]!);
            }
          }
          // Everyone meets everyone: then all must agree.
          await sync(projects[0]!, projects[1]!);
          await sync(projects[1]!, projects[2]!);
          await sync(projects[0]!, projects[2]!);
          const [first, ...others] = projects.map((project) => ({ live: state(project), docs: project.store.index.snapshot().docs }));
          for (const other of others) {
            expect(other.live).to.deep.equal(first!.live);
            expect(other.docs).to.deep.equal(first!.docs);
          }
        } finally {
          await devices.cleanup();
        }
      }),
      { numRuns: 40 },
    );
  });
});
