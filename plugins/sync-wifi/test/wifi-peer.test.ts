import { expect } from 'chai';
import type { SwarmConnection } from 'hyperswarm';
import type { SyncSession, SyncSummary } from '@cairn/sdk';
import {
  checkTransition,
  PEER_TRANSITIONS,
  statusOf,
  WifiPeer,
  type PeerPhaseName,
} from '@cairn/plugin-sync-wifi/node/wifi-peer.js';

const phases = Object.keys(PEER_TRANSITIONS) as PeerPhaseName[];

/** The phases reachable from `from`, never passing through `avoiding`. */
function reachable(from: PeerPhaseName, avoiding?: PeerPhaseName): Set<PeerPhaseName> {
  const seen = new Set<PeerPhaseName>([from]);
  const queue = [from];
  while (queue.length > 0) {
    for (const next of PEER_TRANSITIONS[queue.shift()!]) {
      if (next === avoiding || seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return seen;
}

/** Just enough of a session and a connection for a WifiPeer to hold (it never reads them). */
function fakeSession(): SyncSession & { starts: number } {
  const never = new Promise<never>(() => undefined);
  return {
    starts: 0,
    start() {
      this.starts += 1;
    },
    cancel: () => undefined,
    on: () => ({ dispose: () => undefined }),
    done: never,
    peer: never,
    started: never,
  };
}

function fakeConnection(): SwarmConnection & { destroyed: boolean } {
  const connection = { remotePublicKey: Buffer.alloc(32, 7), destroyed: false, destroy: () => void (connection.destroyed = true) };
  return connection as unknown as SwarmConnection & { destroyed: boolean };
}

const identity = { deviceId: 'b'.repeat(64), deviceName: 'tablet', deviceType: 'mobile' };
const summary: SyncSummary = {
  sent: { observations: 1, attachments: 0, bytes: 10 },
  received: { observations: 2, attachments: 0, bytes: 20 },
};

describe('Wi-Fi device phases', () => {
  describe('the transition table', () => {
    it('lets a device sync only once proven on a connection, and only from waiting', () => {
      expect(reachable('away', 'waiting')).to.deep.equal(new Set(['away']));
      for (const from of phases) {
        if (PEER_TRANSITIONS[from].includes('syncing')) expect(from, `${from} → syncing`).to.equal('waiting');
      }
      expect(PEER_TRANSITIONS.away).to.deep.equal(['waiting']);
    });

    it('lets every member phase end away, and keeps an incompatible listing incompatible', () => {
      for (const phase of ['waiting', 'syncing', 'redialling'] as const) expect(PEER_TRANSITIONS[phase], phase).to.include('away');
      expect(PEER_TRANSITIONS.incompatible).to.deep.equal(['incompatible']);
      for (const phase of phases.filter((name) => name !== 'incompatible')) {
        expect(PEER_TRANSITIONS[phase], phase).not.to.include('incompatible');
      }
    });

    it('refuses a change the table does not allow with ERR_INTERNAL naming both phases', () => {
      for (const from of phases) {
        for (const to of phases) {
          const check = () => checkTransition(from, to);
          if (PEER_TRANSITIONS[from].includes(to)) {
            expect(check, `${from} → ${to}`).not.to.throw();
          } else {
            expect(check, `${from} → ${to}`)
              .to.throw(`Wi-Fi sync: a device cannot go from ${from} to ${to} (a bug in Cairn).`)
              .with.property('code', 'ERR_INTERNAL');
          }
        }
      }
      // The ones that matter most, spelt out: no sync without a proof, no completed sync from a
      // session that never started, no member made of an incompatible listing.
      for (const [from, to] of [['away', 'syncing'], ['away', 'redialling'], ['waiting', 'redialling'], ['incompatible', 'waiting']] as const) {
        expect(() => checkTransition(from, to), `${from} → ${to}`).to.throw(/a bug in Cairn/);
      }
    });

    it('shows a device by its phase and whether its connection is open', () => {
      expect(statusOf('away', true)).to.equal('disconnected');
      expect([statusOf('waiting', true), statusOf('waiting', false)]).to.deep.equal(['connected', 'disconnected']);
      expect([statusOf('syncing', true), statusOf('syncing', false)]).to.deep.equal(['syncing', 'disconnected']);
      expect([statusOf('redialling', true), statusOf('redialling', false)]).to.deep.equal(['connected', 'connected']);
      expect(statusOf('incompatible', false)).to.equal('incompatible');
    });
  });

  describe('a device', () => {
    it('walks away → waiting → syncing → redialling, and ignores a session it replaced', () => {
      const peer = WifiPeer.member(identity.deviceId, 'tablet', () => undefined);
      expect(peer.phase.name).to.equal('away');
      const [first, second] = [fakeSession(), fakeSession()];
      const [connection, replacement] = [fakeConnection(), fakeConnection()];
      expect(peer.proven(connection, first, identity, '10.0.0.2')).to.deep.equal({ returning: false });
      expect([peer.phase.name, peer.status]).to.deep.equal(['waiting', 'connected']);
      expect(peer.startWaitingSession()).to.equal(true);
      expect(first.starts).to.equal(1);
      expect(peer.started(first)).to.equal(true);
      expect([peer.phase.name, peer.status]).to.deep.equal(['syncing', 'syncing']);

      // A new proven connection replaces the one that was syncing; the old one is closed.
      peer.proven(replacement, second, identity, '10.0.0.2');
      expect(connection.destroyed).to.equal(true);
      expect(peer.started(first), 'a replaced session').to.equal(false);
      expect(peer.phase.name).to.equal('waiting');
      expect(peer.started(second)).to.equal(true);

      expect(peer.synced(second, summary)).to.deep.equal({ endConnection: replacement });
      expect([peer.phase.name, peer.status]).to.deep.equal(['redialling', 'connected']);
      expect(peer.view()).to.deep.include({ status: 'connected', result: { sent: summary.sent, received: summary.received }, error: null });
      expect(peer.connectionClosed(replacement)).to.equal(true);
      expect(peer.status, 'connected while the swarm dials again').to.equal('connected');
      peer.leave(); // clears the grace timer
      expect([peer.phase.name, peer.status]).to.deep.equal(['away', 'disconnected']);
    });

    it('throws when asked for a change its phase does not allow', () => {
      const old = WifiPeer.incompatible('c'.repeat(64), '10.0.0.3', { code: 'ERR_PROTOCOL_VERSION', message: 'update Cairn' }, () => undefined);
      expect(old.status).to.equal('incompatible');
      expect(() => old.proven(fakeConnection(), fakeSession(), identity, '10.0.0.3'))
        .to.throw('Wi-Fi sync: a device cannot go from incompatible to waiting (a bug in Cairn).')
        .with.property('code', 'ERR_INTERNAL');
      expect(() => old.leave()).to.throw(/cannot go from incompatible to away/);
      expect(old.phase.name).to.equal('incompatible');
    });
  });
});
