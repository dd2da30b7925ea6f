import type { PairState } from './bridge-state.js';

/** One side's current version of a document, as far as deciding what to do needs it. */
export interface Head {
  version: string;
  updatedAt: string;
  deleted: boolean;
}

export type Action = 'none' | 'toCairn' | 'toComapeo' | 'deleteInCairn' | 'deleteInComapeo';

/**
 * What to do with a document held by Cairn and CoMapeo (either may be missing). A deletion wins
 * over an edit, as it does between Cairn devices (a stale copy must not bring a document back); a
 * document missing from a side where the last bridge left it was deleted there. Otherwise the
 * side that changed since the last bridge is copied to the other; when both changed (concurrent
 * edits) or nothing is known of the last bridge, the later edit wins, so that every device of
 * both worlds ends with the same.
 */
export function decide(cairn: Head | null, comapeo: Head | null, same: boolean, last: PairState | undefined): Action {
  if (cairn === null && comapeo === null) return 'none';
  if (cairn === null) return comapeo!.deleted ? 'none' : last === undefined ? 'toCairn' : 'deleteInComapeo';
  if (comapeo === null) return cairn.deleted ? 'none' : last === undefined ? 'toComapeo' : 'deleteInCairn';
  if (cairn.deleted && comapeo.deleted) return 'none';
  if (cairn.deleted) return 'deleteInComapeo';
  if (comapeo.deleted) return 'deleteInCairn';
  if (same) return 'none';
  const cairnChanged = last?.cairn !== cairn.version;
  const comapeoChanged = last?.comapeo !== comapeo.version;
  if (comapeoChanged && !cairnChanged) return 'toCairn';
  if (cairnChanged && !comapeoChanged) return 'toComapeo';
  return comapeo.updatedAt >= cairn.updatedAt ? 'toCairn' : 'toComapeo';
}

/** JSON text with every object's keys in order and undefined left out: equal values, equal text. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** CoMapeo keeps times as `toISOString` writes them; a time given otherwise says the same. */
export function isoTime(time: string): string {
  const parsed = new Date(time);
  return Number.isNaN(parsed.getTime()) ? time : parsed.toISOString();
}
