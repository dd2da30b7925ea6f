import { CairnError, ErrorCodes, type SyncCounts, type SyncSummary } from '@cairn/sdk';
import type { CoreAdvert, SyncStatus } from './sync-protocol.js';

/** What came from the peer in a session, counted once this side held all of it. */
export type ReceivedCounts = Pick<SyncCounts, 'observations' | 'attachments'>;

/**
 * Where a sync session stands on this side. A session changes phase only through its one
 * transition, checked against `SESSION_TRANSITIONS`; what the peer says of its own side is kept
 * apart, as a `PeerWord`, since it can arrive in any phase.
 */
export type SessionPhase =
  /** The Noise handshake runs; Cairn's channel is not open yet. */
  | { readonly name: 'connecting' }
  /** This side's handshake is sent and the peer's is awaited; nothing else is said or taken. */
  | { readonly name: 'handshaking' }
  /** The peer proved it is a member (`peer` resolves); nothing moves until either side starts. */
  | { readonly name: 'proven' }
  /** The cores joined the connection and this side listed them (`started` resolves); the peer's list is awaited. */
  | { readonly name: 'exchanging' }
  /** Fetching everything the peer listed. */
  | { readonly name: 'fetching'; readonly wanted: readonly CoreAdvert[] }
  /** All of it is here, and what came is being counted; nothing is said meanwhile. */
  | { readonly name: 'counting'; readonly wanted: readonly CoreAdvert[] }
  /** Counted: this side says so every tick, until the peer says it holds everything too. */
  | { readonly name: 'synced'; readonly wanted: readonly CoreAdvert[]; readonly received: ReceivedCounts }
  /** Both sides hold everything: this side said `done`, and waits for the peer's (at most a few seconds). */
  | { readonly name: 'finishing'; readonly summary: SyncSummary; readonly doneWait: NodeJS.Timeout }
  /** `done` resolved with the summary. */
  | { readonly name: 'done'; readonly summary: SyncSummary }
  /** `done` rejected with the error. */
  | { readonly name: 'failed'; readonly error: CairnError };

export type SessionPhaseName = SessionPhase['name'];

/**
 * Every change of phase a session can make. Nothing is taken from the peer before it is proven:
 * the only way to the exchange is through `proven`. Every phase before `finishing` can fail (a
 * timeout, a closed connection, a cancel, the peer's error); `finishing` can only complete, since
 * by then both sides hold everything and only the peer's word is missing. A phase that goes to
 * itself takes a new list of cores from a peer that sent it twice: the last list is what is wanted.
 */
export const SESSION_TRANSITIONS: { readonly [From in SessionPhaseName]: readonly SessionPhaseName[] } = {
  connecting: ['handshaking', 'failed'],
  handshaking: ['proven', 'failed'],
  proven: ['exchanging', 'failed'],
  exchanging: ['fetching', 'failed'],
  fetching: ['fetching', 'counting', 'failed'],
  counting: ['counting', 'synced', 'failed'],
  synced: ['synced', 'finishing', 'failed'],
  finishing: ['done'],
  done: [],
  failed: [],
};

/**
 * Checks a change of phase against the table. One the table does not allow is a bug in the
 * session: it throws, and the session ends with that error (`ERR_INTERNAL`) rather than going on
 * in a state nobody designed.
 */
export function checkTransition(from: SessionPhaseName, to: SessionPhaseName): void {
  if (!SESSION_TRANSITIONS[from].includes(to)) {
    throw new CairnError(ErrorCodes.INTERNAL, `Sync failed: a session cannot go from ${from} to ${to} (a bug in Cairn).`);
  }
}

/**
 * What the peer said of its own side: nothing yet; that it holds everything this side listed,
 * with what it received; or that it is finished too (it knows this side holds everything).
 */
export type PeerWord = { readonly said: 'nothing' } | { readonly said: 'synced' | 'done'; readonly status: SyncStatus };

/**
 * The peer's word after one more of its statuses. A synced status is the latest word on what the
 * peer received; that it is finished, once said, stays said. A status that is not synced (a
 * heartbeat, or anything that does not parse) changes nothing.
 */
export function heard(word: PeerWord, status: SyncStatus | null | undefined): PeerWord {
  if (status?.synced !== true) return word;
  return { said: word.said === 'done' || status.done === true ? 'done' : 'synced', status };
}
