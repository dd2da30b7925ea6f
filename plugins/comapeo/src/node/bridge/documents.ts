import type { ComapeoDoc, DocKind, DocWrite } from '../../common/protocol.js';
import { writeComapeo, type BridgeIo } from './bridge-io.js';
import type { BridgedKind } from './bridge-state.js';
import { pairUp, type Pair } from './pairs.js';
import { decide, type Head } from './reconcile.js';

// Documents that go across whole, with no bytes beside them: categories, fields and tracks.

/** Each Cairn id's CoMapeo twin, and each twin's Cairn id. */
export interface Twins {
  toComapeo: Map<string, ComapeoDoc>;
  toCairn: Map<string, string>;
}

/** The Cairn side of one kind of document, as the bridge needs it. */
export interface CairnDocuments<C, I> {
  list(): Promise<C[]>;
  /** The deleted ones, for kinds whose deletions are known by their tombstones. */
  tombstones?(): Promise<Array<{ id: string; version: string; updatedAt: string }>>;
  create(input: I): Promise<C>;
  update(id: string, patch: Partial<I>, options: { updatedAt: string }): Promise<C>;
  delete(id: string): Promise<void>;
}

export interface KindSpec<C, I> {
  /** The Cairn id a CoMapeo document names (one made from a Cairn document carries it). */
  names?: (doc: ComapeoDoc) => string | null;
  /** What makes a Cairn document and a CoMapeo one the same thing before they were ever paired. */
  sameness?: { cairn: (doc: C) => string | null; comapeo: (doc: ComapeoDoc) => string | null };
  /** The CoMapeo value of a Cairn document, over its twin's value when it has one. */
  value: (doc: C, twin: ComapeoDoc | null) => Record<string, unknown>;
  /** Text equal for a Cairn document's value and its twin's when they say the same. */
  comparable: (value: Record<string, unknown>) => string;
  /** What to write in Cairn for a CoMapeo document, over the Cairn document when there is one. */
  input: (doc: ComapeoDoc, cairn: C | null) => Omit<I, 'id'>;
}

type Side<C> = { id: string; head: Head; doc: C | null };

/**
 * One kind of document, both ways: each pair decided as `decide` says, Cairn's writes one by one,
 * CoMapeo's in batches; the state of each pair recorded once both sides say the same.
 */
export async function bridgeDocuments<C extends { id: string; version: string; updatedAt: string }, I extends { id?: string }>(
  io: BridgeIo,
  kind: BridgedKind & DocKind,
  documents: CairnDocuments<C, I>,
  comapeoDocs: readonly ComapeoDoc[],
  spec: KindSpec<C, I>,
): Promise<Twins> {
  const [live, tombstones] = await Promise.all([documents.list(), documents.tombstones?.() ?? []]);
  const sides: Array<Side<C>> = [
    ...live.map((doc) => ({ id: doc.id, head: { version: doc.version, updatedAt: doc.updatedAt, deleted: false }, doc })),
    ...tombstones.map((tombstone) => ({ id: tombstone.id, head: { version: tombstone.version, updatedAt: tombstone.updatedAt, deleted: true }, doc: null })),
  ];
  const pairs = pairUp(kind, io.state, sides, comapeoDocs, spec.names ?? (() => null), spec.sameness && {
    cairn: (side: Side<C>) => (side.doc === null ? null : spec.sameness!.cairn(side.doc)),
    comapeo: spec.sameness.comapeo,
  });
  const counted = kind === 'track' ? 'tracks' : 'categories';
  const writes: Array<{ pair: Pair<Side<C>>; write: DocWrite }> = [];
  const done = new Map<string, { cairn: C; comapeo: ComapeoDoc }>();
  for (const pair of pairs) {
    const cairn = pair.cairn?.doc ?? null;
    const { comapeo } = pair;
    const same = cairn !== null && comapeo !== null && !comapeo.deleted && spec.comparable(spec.value(cairn, comapeo)) === spec.comparable(comapeo.value);
    const comapeoHead = comapeo && { version: comapeo.versionId, updatedAt: comapeo.updatedAt, deleted: comapeo.deleted };
    const action = decide(pair.cairn?.head ?? null, comapeoHead, same, io.state.get(kind, pair.id));
    if (action === 'toCairn') {
      const input = spec.input(comapeo!, cairn);
      const written = cairn === null ? await documents.create({ id: pair.id, ...input } as I) : await documents.update(cairn.id, input as Partial<I>, { updatedAt: comapeo!.updatedAt });
      io.counts.received[counted] += 1;
      done.set(pair.id, { cairn: written, comapeo: comapeo! });
    } else if (action === 'toComapeo') {
      const value = { ...(comapeo?.value ?? {}), ...spec.value(cairn!, comapeo) };
      writes.push({ pair, write: comapeo === null ? { kind, op: 'create', value } : { kind, op: 'update', heads: [comapeo.versionId, ...comapeo.forks], value } });
    } else if (action === 'deleteInCairn') {
      await documents.delete(pair.id);
      io.counts.received[counted] += 1;
      io.state.set(kind, pair.id, null);
    } else if (action === 'deleteInComapeo') {
      writes.push({ pair, write: { kind, op: 'delete', docId: comapeo!.docId } });
    } else if (same) {
      done.set(pair.id, { cairn: cairn!, comapeo: comapeo! });
    } else if (pair.cairn?.head.deleted && comapeo?.deleted) {
      io.state.set(kind, pair.id, null);
    }
  }
  const written = await writeComapeo(io, writes.map(({ write }) => write));
  writes.forEach(({ pair, write }, index) => {
    io.counts.sent[counted] += 1;
    if (write.op === 'delete') io.state.set(kind, pair.id, null);
    else done.set(pair.id, { cairn: pair.cairn!.doc!, comapeo: written[index]! });
  });
  const twins: Twins = { toComapeo: new Map(), toCairn: new Map() };
  for (const [id, { cairn, comapeo }] of done) {
    io.state.set(kind, id, { cairn: cairn.version, comapeo: comapeo.versionId, twin: comapeo.docId });
    twins.toComapeo.set(id, comapeo);
    twins.toCairn.set(comapeo.docId, id);
  }
  return twins;
}
