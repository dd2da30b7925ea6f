import type { ComapeoDoc } from '../../common/protocol.js';
import type { BridgeState, BridgedKind } from './bridge-state.js';

export interface Pair<C> {
  /** The Cairn id: the Cairn document's, or the one it gets when made from its CoMapeo twin. */
  id: string;
  cairn: C | null;
  comapeo: ComapeoDoc | null;
}

/**
 * Each Cairn document with its CoMapeo twin: the one the last bridge paired it with, else the one
 * whose docId it has (it came from CoMapeo) or that names it (it went to CoMapeo), else one that
 * is the same thing by `sameness` (the same category loaded on both sides). What is left of each
 * side stands alone, to be made on the other.
 */
export function pairUp<C extends { id: string }>(
  kind: BridgedKind,
  state: BridgeState,
  cairnDocs: readonly C[],
  comapeoDocs: readonly ComapeoDoc[],
  names: (doc: ComapeoDoc) => string | null,
  sameness?: { cairn: (doc: C) => string | null; comapeo: (doc: ComapeoDoc) => string | null },
): Pair<C>[] {
  const byDocId = new Map(comapeoDocs.map((doc) => [doc.docId, doc]));
  const byName = new Map<string, ComapeoDoc>();
  for (const doc of comapeoDocs) {
    const named = names(doc);
    if (named !== null && !byName.has(named)) byName.set(named, doc);
  }
  const taken = new Set<string>();
  const take = (doc: ComapeoDoc | undefined): ComapeoDoc | null => {
    if (doc === undefined || taken.has(doc.docId)) return null;
    taken.add(doc.docId);
    return doc;
  };
  const pairs: Pair<C>[] = [];
  const unpaired: C[] = [];
  for (const cairn of cairnDocs) {
    const twin = state.get(kind, cairn.id)?.twin;
    const comapeo = (twin === undefined ? null : take(byDocId.get(twin))) ?? take(byDocId.get(cairn.id)) ?? take(byName.get(cairn.id));
    if (comapeo === null) unpaired.push(cairn);
    else pairs.push({ id: cairn.id, cairn, comapeo });
  }
  if (sameness !== undefined) {
    const bySameness = new Map<string, ComapeoDoc>();
    for (const doc of comapeoDocs) {
      const key = taken.has(doc.docId) ? null : sameness.comapeo(doc);
      if (key !== null && !bySameness.has(key)) bySameness.set(key, doc);
    }
    for (const cairn of unpaired.splice(0)) {
      const key = sameness.cairn(cairn);
      const comapeo = key === null ? null : take(bySameness.get(key));
      if (comapeo === null) unpaired.push(cairn);
      else pairs.push({ id: cairn.id, cairn, comapeo });
    }
  }
  for (const cairn of unpaired) pairs.push({ id: cairn.id, cairn, comapeo: null });
  for (const comapeo of comapeoDocs) {
    if (!taken.has(comapeo.docId)) pairs.push({ id: names(comapeo) ?? comapeo.docId, cairn: null, comapeo });
  }
  return pairs;
}
