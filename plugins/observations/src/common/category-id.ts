/**
 * The Cairn id of a Mapeo preset or field id: slashes (presets in sub-folders) and spaces become
 * `-`. Observations imported from Mapeo name their category by the Mapeo id: map it the same way.
 */
export function cairnIdOf(mapeoId: string): string {
  return mapeoId.replace(/[\s/]/g, '-');
}
