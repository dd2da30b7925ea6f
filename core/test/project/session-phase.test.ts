import { expect } from 'chai';
import type { SyncStatus } from '@cairn/core/node/project/sync-protocol.js';
import {
  checkTransition,
  heard,
  SESSION_TRANSITIONS,
  type PeerWord,
  type SessionPhaseName,
} from '@cairn/core/node/project/session-phase.js';
import type { ReplicationSession } from '@cairn/core/node/project/replication.js';
import { connect, Devices, rejection } from './helpers.js';

const phases = Object.keys(SESSION_TRANSITIONS) as SessionPhaseName[];

/** The phases reachable from `from`, never passing through `avoiding`. */
function reachable(from: SessionPhaseName, avoiding?: SessionPhaseName): Set<SessionPhaseName> {
  const seen = new Set<SessionPhaseName>([from]);
  const queue = [from];
  while (queue.length > 0) {
    for (const next of SESSION_TRANSITIONS[queue.shift()!]) {
      if (next === avoiding || seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return seen;
}

/** Every phase a session enters, in order. */
function recordPhases(session: ReplicationSession): SessionPhaseName[] {
  const entered: SessionPhaseName[] = [];
  session.onDidChangePhase((phase) => entered.push(phase));
  return entered;
}

const status = (received: number, done?: boolean): SyncStatus => ({
  synced: true,
  received: { observations: received, attachments: 0, bytes: 0 },
  ...(done === undefined ? {} : { done }),
});

describe('sync session phases', function () {
  this.timeout(60_000);

  describe('the transition table', () => {
    it('lets nothing be exchanged before the peer is proven', () => {
      const withoutProof = reachable('connecting', 'proven');
      for (const phase of ['exchanging', 'fetching', 'counting', 'synced', 'finishing', 'done'] as const) {
        expect(withoutProof.has(phase), phase).to.equal(false);
      }
      expect(reachable('connecting').has('done')).to.equal(true);
    });

    it('lets every phase before finishing fail at once, and a finishing session only complete', () => {
      for (const phase of phases.filter((name) => !['finishing', 'done', 'failed'].includes(name))) {
        expect(SESSION_TRANSITIONS[phase], phase).to.include('failed');
      }
      expect(SESSION_TRANSITIONS.finishing).to.deep.equal(['done']);
      expect(SESSION_TRANSITIONS.done).to.deep.equal([]);
      expect(SESSION_TRANSITIONS.failed).to.deep.equal([]);
    });

    it('never goes back to a phase before the one it is in, except to take a list of cores sent again', () => {
      for (const from of phases) {
        for (const to of SESSION_TRANSITIONS[from]) {
          expect(phases.indexOf(to), `${from} → ${to}`).to.be.at.least(phases.indexOf(from));
          if (to === from) expect(['fetching', 'counting', 'synced'], from).to.include(from);
        }
      }
    });

    it('refuses a change the table does not allow with ERR_INTERNAL naming both phases', () => {
      expect(() => checkTransition('synced', 'finishing')).not.to.throw();
      for (const [from, to] of [['fetching', 'done'], ['handshaking', 'exchanging'], ['done', 'failed'], ['finishing', 'failed']] as const) {
        expect(() => checkTransition(from, to))
          .to.throw(`Sync failed: a session cannot go from ${from} to ${to} (a bug in Cairn).`)
          .with.property('code', 'ERR_INTERNAL');
      }
    });
  });

  describe("the peer's word", () => {
    it('moves from nothing to synced to done on synced statuses only, and a done stays said', () => {
      const nothing: PeerWord = { said: 'nothing' };
      const heartbeat: SyncStatus = { synced: false, received: { observations: 0, attachments: 0, bytes: 0 } };
      expect(heard(nothing, heartbeat)).to.equal(nothing);
      expect(heard(nothing, null)).to.equal(nothing);
      const synced = heard(nothing, status(3));
      expect(synced).to.deep.equal({ said: 'synced', status: status(3) });
      expect(heard(synced, status(4))).to.deep.equal({ said: 'synced', status: status(4) }, 'the latest counts');
      const done = heard(synced, status(4, true));
      expect(done).to.deep.equal({ said: 'done', status: status(4, true) });
      expect(heard(done, status(5, false))).to.deep.equal({ said: 'done', status: status(5, false) });
      expect(heard(done, heartbeat)).to.equal(done);
    });
  });

  describe('sessions between real devices', () => {
    const devices = new Devices();
    afterEach(() => devices.cleanup());
    const wholeSync: SessionPhaseName[] = ['handshaking', 'proven', 'exchanging', 'fetching', 'counting', 'synced', 'finishing', 'done'];

    it('walk the table from the handshake to done on both sides', async () => {
      const [a, b] = await devices.project(2);
      await a!.createObservations([{ lat: 1, lon: 1, notes: 'from A' }]);
      const [left, right, close] = await connect('tcp');
      try {
        const first = a!.replicate(left, { initiator: true });
        const second = b!.replicate(right, { initiator: false });
        const [onA, onB] = [recordPhases(first), recordPhases(second)];
        await Promise.all([first.done, second.done]);
        expect(onA).to.deep.equal(wholeSync);
        expect(onB).to.deep.equal(wholeSync);
      } finally {
        close();
      }
    });

    it('with awaitStart, stay proven until one side starts, and a cancel then fails the session', async () => {
      const [a, b] = await devices.project(2);
      const [left, right, close] = await connect('pipe');
      try {
        const first = a!.replicate(left, { initiator: true, awaitStart: true });
        const second = b!.replicate(right, { initiator: false, awaitStart: true });
        const [onA, onB] = [recordPhases(first), recordPhases(second)];
        await Promise.all([first.peer, second.peer]);
        await new Promise((resolve) => setTimeout(resolve, 600));
        expect(onA).to.deep.equal(['handshaking', 'proven']);
        expect(onB).to.deep.equal(['handshaking', 'proven']);
        second.start();
        await Promise.all([first.done, second.done]);
        expect(onA).to.deep.equal(wholeSync);
        expect(onB).to.deep.equal(wholeSync);
      } finally {
        close();
      }

      const [again, thenAgain, closeAgain] = await connect('pipe');
      try {
        const waiting = a!.replicate(again, { initiator: true, awaitStart: true });
        b!.replicate(thenAgain, { initiator: false, awaitStart: true });
        const entered = recordPhases(waiting);
        await waiting.peer;
        waiting.cancel();
        expect((await rejection(waiting.done)).code).to.equal('ERR_CANCELLED');
        expect(entered).to.deep.equal(['handshaking', 'proven', 'failed']);
      } finally {
        closeAgain();
      }
    });

    it('fail from the handshake with a peer of another project, never proven', async () => {
      const [a] = await devices.project(1);
      const [outsider] = await devices.project(1, 'Other project');
      const [left, right, close] = await connect('tcp');
      try {
        const ours = a!.replicate(left, { initiator: true });
        const theirs = outsider!.replicate(right, { initiator: false });
        const [onOurs, onTheirs] = [recordPhases(ours), recordPhases(theirs)];
        const [error] = await Promise.all([rejection(ours.done), rejection(theirs.done)]);
        expect(error.code).to.equal('ERR_PROJECT_MISMATCH');
        expect(onOurs).to.deep.equal(['handshaking', 'failed']);
        expect(onTheirs).to.deep.equal(['handshaking', 'failed']);
      } finally {
        close();
      }
    });
  });
});
