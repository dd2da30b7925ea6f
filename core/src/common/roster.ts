import type { MemberRole, MemberStatus } from '@cairn/sdk/common';

/**
 * Who is a member of a project and what each may write, computed the same way on every device
 * from the membership records it holds (documents of type `member`, written into the logs of
 * coordinators). A record is only as good as its writer: it counts when the device that wrote it
 * was a coordinator at that point of its own log. A role applies to its subject's log from a
 * position on (the length of that log as the coordinator held it), so what a device wrote before
 * a change keeps the role it was written under, and a removal pins the log: nothing the removed
 * device wrote past that point is accepted, whoever relays it.
 */

/** What a membership record says of its subject (the document's id is the subject's device id). */
export interface MemberValue {
  role: MemberRole;
  status: 'active' | 'removed' | 'left';
  /** The subject's document-log length as the writer held it: where the role applies from, or where a removal pins the log. */
  from: number;
  /** Up to here the subject's log was written before the project had roles: all of it is accepted (an upgraded project's). */
  legacyUntil?: number;
  /** Kept so a member's name shows before its own documents arrive. */
  deviceName?: string;
  deviceType?: string;
}

/** One membership record as read from a log, not yet judged. */
export interface MemberRecord {
  versionId: string;
  /** The device whose log holds it. */
  writer: string;
  /** Its block in that log. */
  block: number;
  /** The device it is about. */
  subject: string;
  updatedAt: string;
  value: MemberValue;
}

/** How much of a device's log counts, and as what, from one position on. */
interface Period {
  from: number;
  role: MemberRole | 'legacy';
}

export interface RosterEntry {
  deviceId: string;
  role: MemberRole;
  status: MemberStatus;
  addedBy: string | null;
  addedAt: string | null;
  /** Where its log is pinned (removed or left): blocks from here on count for nothing. */
  pin: number | null;
  deviceName?: string;
  deviceType?: string;
}

interface Standing {
  periods: Period[];
  status: 'active' | 'removed' | 'left';
  pin: number | null;
  addedBy: string | null;
  addedAt: string | null;
  deviceName?: string;
  deviceType?: string;
}

export class Roster {
  private constructor(
    private readonly standings: ReadonlyMap<string, Standing>,
    /** The device that made the project: a coordinator from its first block. */
    readonly genesis: string | null,
    /** No record at all yet: the project predates roles, and every device may write anything. */
    readonly legacy: boolean,
    /** A device has been removed: the project key alone no longer lets a device in. */
    readonly hasRemovals: boolean,
  ) {}

  /**
   * Applies the records in a fixed order (time, then version id), again and again until none
   * more applies: a record whose writer is not (yet) a coordinator at its position waits, since a
   * record applied later may make it one. Every device holding the same records gets the same
   * roster, whatever order they arrived in. A removal or a leave is final.
   */
  static build(records: readonly MemberRecord[], genesis: string | null): Roster {
    const standings = new Map<string, Standing>();
    if (genesis !== null) standings.set(genesis, { periods: [{ from: 0, role: 'coordinator' }], status: 'active', pin: null, addedBy: genesis, addedAt: null });
    const pending = [...records].sort((a, b) => (a.updatedAt === b.updatedAt ? (a.versionId < b.versionId ? -1 : 1) : a.updatedAt < b.updatedAt ? -1 : 1));
    const roster = () => new Roster(standings, genesis, false, false);
    // The last block of each writer's log holding a record that counted: a later-applied change
    // to that writer never reaches back over it (see `apply`).
    const counted = new Map<string, number>();
    let progress = true;
    while (progress && pending.length > 0) {
      progress = false;
      for (let at = 0; at < pending.length; ) {
        const record = pending[at]!;
        const outcome = apply(standings, record, roster(), counted.get(record.subject) ?? -1);
        if (outcome === 'wait') {
          at += 1;
          continue;
        }
        pending.splice(at, 1);
        if (outcome === 'applied') {
          progress = true;
          counted.set(record.writer, Math.max(counted.get(record.writer) ?? -1, record.block));
        }
      }
    }
    const hasRemovals = [...standings.values()].some((standing) => standing.status === 'removed');
    return new Roster(standings, genesis, records.length === 0, hasRemovals);
  }

  /**
   * What a block of a device's log counts as: a role, `legacy` (written before roles, all
   * accepted), or null — nothing in it is accepted (past a pin, or a device nobody admitted).
   */
  roleAt(deviceId: string, block: number): MemberRole | 'legacy' | null {
    const standing = this.standings.get(deviceId);
    if (standing === undefined) {
      if (this.legacy) return 'legacy';
      return this.hasRemovals ? null : 'participant';
    }
    if (standing.pin !== null && block >= standing.pin) return null;
    let role: MemberRole | 'legacy' | null = null;
    for (const period of standing.periods) if (period.from <= block) role = period.role;
    return role;
  }

  /** Whether a device may take part in syncs: its status, with the implicit ones filled in. */
  status(deviceId: string): MemberStatus {
    const standing = this.standings.get(deviceId);
    if (standing !== undefined) return standing.status;
    return this.hasRemovals ? 'asking' : 'active';
  }

  /** A device's current role (the role of its next block). */
  role(deviceId: string): MemberRole {
    const standing = this.standings.get(deviceId);
    const last = standing?.periods.at(-1)?.role;
    return last === 'coordinator' ? 'coordinator' : 'participant';
  }

  isCoordinator(deviceId: string): boolean {
    return this.status(deviceId) === 'active' && this.role(deviceId) === 'coordinator';
  }

  /** The devices with a record (and the genesis device), as listed to users. */
  entries(): RosterEntry[] {
    return [...this.standings].map(([deviceId, standing]) => this.entryOf(deviceId, standing));
  }

  entry(deviceId: string): RosterEntry | null {
    const standing = this.standings.get(deviceId);
    return standing === undefined ? null : this.entryOf(deviceId, standing);
  }

  activeCoordinators(): string[] {
    return [...this.standings].filter(([deviceId]) => this.isCoordinator(deviceId)).map(([deviceId]) => deviceId);
  }

  /** Whether two rosters say the same of every device. */
  sameAs(other: Roster): boolean {
    const said = (roster: Roster) => JSON.stringify([roster.genesis, roster.legacy, roster.hasRemovals, [...roster.standings].sort(([a], [b]) => (a < b ? -1 : 1))]);
    return said(this) === said(other);
  }

  /**
   * The first block of a device's log that this roster and `other` judge differently, or null
   * when they judge all of it alike: blocks before it, once indexed, stay as they are.
   */
  firstDifference(other: Roster, deviceId: string, length: number): number | null {
    // Judgements change only at a period's start or a pin: compare at those points (and at 0).
    const points = new Set<number>([0]);
    for (const roster of [this, other]) {
      const standing = roster.standings.get(deviceId);
      for (const period of standing?.periods ?? []) points.add(period.from);
      if (standing?.pin != null) points.add(standing.pin);
    }
    const sorted = [...points].filter((point) => point < length).sort((a, b) => a - b);
    for (const point of sorted) if (this.roleAt(deviceId, point) !== other.roleAt(deviceId, point)) return point;
    return null;
  }

  private entryOf(deviceId: string, standing: Standing): RosterEntry {
    const entry: RosterEntry = {
      deviceId,
      role: this.role(deviceId),
      status: standing.status,
      addedBy: standing.addedBy,
      addedAt: standing.addedAt,
      pin: standing.pin,
    };
    if (standing.deviceName !== undefined) entry.deviceName = standing.deviceName;
    if (standing.deviceType !== undefined) entry.deviceType = standing.deviceType;
    return entry;
  }
}

/**
 * Applies one record to the standings if its writer may write it now: `applied`, `ignored` (it
 * never will: its subject was removed or left, or its writer's log is pinned before it), or
 * `wait` (its writer is not a coordinator at that point, or it would leave no coordinator).
 *
 * `subjectCounted` is the last block of the subject's own log holding a record that already
 * counted. A change to the subject starts after it at the earliest: when a coordinator is demoted
 * or removed while, unseen, it removed someone itself, the earlier change (by the clock) stands
 * with the key it sealed — were the demotion to reach back over it, the removal would count while
 * its block no longer did, and data sealed with the new key would open on one device only.
 */
function apply(standings: Map<string, Standing>, record: MemberRecord, roster: Roster, subjectCounted: number): 'applied' | 'ignored' | 'wait' {
  const { writer, block, subject, value } = record;
  const current = standings.get(subject);
  if (current !== undefined && current.status !== 'active') return 'ignored';
  const writerRole = roster.roleAt(writer, block);
  const leaving = value.status === 'left' && writer === subject;
  if (writerRole === null) {
    const pinned = standings.get(writer)?.pin;
    return pinned != null && block >= pinned ? 'ignored' : 'wait';
  }
  if (!leaving && writerRole !== 'coordinator') return 'wait';
  const wasCoordinator = current !== undefined && current.periods.at(-1)?.role === 'coordinator';
  const staysCoordinator = value.status === 'active' && value.role === 'coordinator';
  if (wasCoordinator && !staysCoordinator) {
    const others = [...standings].filter(([deviceId, standing]) => deviceId !== subject && standing.status === 'active' && standing.periods.at(-1)?.role === 'coordinator');
    if (others.length === 0) return 'wait';
  }
  // A device's first record: before it, the device counted as one without a record does — a
  // participant, or a writer of anything in an upgraded project's past.
  const standing: Standing = current ?? {
    periods: [{ from: 0, role: value.legacyUntil !== undefined && value.legacyUntil > 0 ? 'legacy' : 'participant' }],
    status: 'active',
    pin: null,
    addedBy: writer,
    addedAt: record.updatedAt,
  };
  if (value.deviceName !== undefined) standing.deviceName = value.deviceName;
  if (value.deviceType !== undefined) standing.deviceType = value.deviceType;
  const from = Math.max(0, Math.floor(value.from), subjectCounted + 1);
  if (value.status === 'active') {
    const last = standing.periods.at(-1);
    const start = Math.max(from, value.legacyUntil ?? 0, last?.from ?? 0);
    if (last !== undefined && last.from === start) last.role = value.role;
    else standing.periods.push({ from: start, role: value.role });
  } else {
    standing.status = value.status;
    // A leave counts the leaving record itself; a removal pins where the coordinator stood.
    standing.pin = leaving ? Math.max(from, block + 1) : from;
  }
  standings.set(subject, standing);
  return 'applied';
}

/** Whether a version of this type, by a writer whose block counts as `role`, is accepted. */
export function mayWrite(role: MemberRole | 'legacy' | null, type: string, writer: string, docId: string): boolean {
  if (role === null) return false;
  if (role === 'legacy') return true;
  switch (type) {
    case 'preset':
    case 'field':
    case 'projectSettings':
    case 'member':
      return role === 'coordinator';
    // Any member may seal a key it holds to another member (members.ts, sealKeysToMembers): a key
    // lets members read what members wrote, nothing more.
    case 'epochKey':
      return true;
    case 'deviceInfo':
      return docId === writer;
    default:
      return true;
  }
}
