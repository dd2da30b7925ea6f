import { expect } from 'chai';
import fc from 'fast-check';
import { Devices, state, sync } from './helpers.js';

type Operation =
  | { kind: 'create'; device: number; notes: string }
  | { kind: 'edit'; device: number; pick: number; notes: string }
  | { kind: 'delete'; device: number; pick: number }
  | { kind: 'sync'; device: number; other: number };

/**
 * A failure is shrunk for a while, then reported with the smallest case found so far: shrinking
 * left to run past the test's timeout goes on in the background and can starve the whole run.
 */
const bounded = { interruptAfterTimeLimit: 200_000, markInterruptAsFailure: true };

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
      { numRuns: 40, ...bounded },
    );
  });
});

type MemberOperation =
  | { kind: 'role'; device: number; subject: number; role: 'coordinator' | 'participant' }
  | { kind: 'remove'; device: number; subject: number }
  | { kind: 'create'; device: number }
  | { kind: 'sync'; device: number; other: number };

const memberOperation: fc.Arbitrary<MemberOperation> = fc.oneof(
  fc.record({ kind: fc.constant('role' as const), device, subject: device, role: fc.constantFrom('coordinator' as const, 'participant' as const) }),
  fc.record({ kind: fc.constant('remove' as const), device, subject: device }),
  fc.record({ kind: fc.constant('create' as const), device }),
  fc.record({ kind: fc.constant('sync' as const), device, other: device }),
);

/** What users may be refused: the property is about what the devices agree on, not about each action. */
const refusals = new Set(['ERR_NOT_PERMITTED', 'ERR_LAST_COORDINATOR', 'ERR_REMOVED', 'ERR_INVALID_INPUT', 'ERR_NOT_FOUND']);

async function tolerated(work: () => Promise<unknown>): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (error) {
    if (refusals.has((error as { code?: string }).code ?? '')) return false;
    throw error;
  }
}

describe('convergence of membership (property)', function () {
  this.timeout(300_000);

  it('concurrent role changes and removals by coordinators among 3 devices: any two members that sync agree on the roster and the data', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(memberOperation, { minLength: 1, maxLength: 16 }), async (operations) => {
        const devices = new Devices();
        try {
          const projects = await devices.project(3);
          // Everyone knows everyone, and device 1 is a second coordinator: both may act at once.
          await sync(projects[0]!, projects[1]!);
          await sync(projects[1]!, projects[2]!);
          await projects[0]!.members.setRole(projects[1]!.store.deviceId, 'coordinator');
          await sync(projects[0]!, projects[1]!);
          for (const op of operations) {
            const project = projects[op.device]!;
            if (op.kind === 'role') await tolerated(() => project.members.setRole(projects[op.subject]!.store.deviceId, op.role));
            else if (op.kind === 'remove') await tolerated(() => project.members.remove(projects[op.subject]!.store.deviceId));
            else if (op.kind === 'create') await tolerated(() => project.createObservations([{ lat: 0, lon: 0 }]));
            else if (op.other !== op.device) await tolerated(() => sync(project, projects[op.other]!));
          }
          for (let round = 0; round < 2; round += 1) {
            for (const [i, j] of [[0, 1], [1, 2], [0, 2]] as const) await tolerated(() => sync(projects[i]!, projects[j]!));
          }
          for (const [i, j] of [[0, 1], [1, 2], [0, 2]] as const) {
            const [a, b] = [projects[i]!, projects[j]!];
            if (!(await tolerated(() => sync(a, b)))) continue;
            expect(a.store.roster.entries()).to.deep.equal(b.store.roster.entries());
            expect(state(a)).to.deep.equal(state(b));
          }
          // However they acted, someone still coordinates.
          for (const project of projects) expect(project.store.roster.activeCoordinators()).to.have.length.greaterThan(0);
        } finally {
          await devices.cleanup();
        }
      }),
      { numRuns: Number(process.env.MEMBER_RUNS ?? 25), ...bounded },
    );
  });
});
