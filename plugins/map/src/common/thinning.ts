/** Above this many cells, the cells taken are kept in a set rather than a bitset (32 MB). */
const MAX_BITSET_CELLS = 2 ** 28;

/** Web Mercator y of a latitude, 0 (north) to 1 (south). */
export function mercatorY(lat: number): number {
  const clamped = Math.max(-85.05, Math.min(85.05, lat));
  return (1 - Math.log(Math.tan(Math.PI / 4 + (clamped * Math.PI) / 360)) / Math.PI) / 2;
}

export interface ThinOptions {
  /** Web Mercator zoom (a 512-pixel world at 0). */
  zoom: number;
  /** The side of a cell, in pixels at that zoom. */
  cellPixels: number;
  /** West, south, east, north of every point (the cells are counted over it). */
  bbox: [number, number, number, number];
  /** Past this many cells in the box, a set is used; for tests of that path. */
  maxBitsetCells?: number;
}

/**
 * Which points to draw so that no two share a cell of a screen grid: per cell, the last of the
 * list (drawn last, it is the one on top), in the list's order. `positions` holds lon, lat pairs.
 * A million points take ~0.1 s: the cells taken are one bit each over the points' bounds.
 */
export function thinPoints(positions: Float64Array, count: number, { zoom, cellPixels, bbox, maxBitsetCells = MAX_BITSET_CELLS }: ThinOptions): Uint32Array {
  const cells = Math.ceil((512 * 2 ** zoom) / cellPixels);
  const column = (lon: number) => Math.min(cells - 1, Math.floor(((lon + 180) / 360) * cells));
  const row = (lat: number) => Math.min(cells - 1, Math.floor(mercatorY(lat) * cells));
  const [west, south, east, north] = bbox;
  const left = column(west);
  const top = row(north);
  const width = column(east) - left + 1;
  const total = width * (row(south) - top + 1);
  const bitset = total <= maxBitsetCells ? new Uint32Array(Math.ceil(total / 32)) : null;
  const set = new Set<number>();
  const kept = new Uint32Array(count);
  let length = 0;
  for (let index = count - 1; index >= 0; index--) {
    const cell = (row(positions[index * 2 + 1]!) - top) * width + column(positions[index * 2]!) - left;
    if (bitset !== null) {
      const word = cell >>> 5;
      const bit = 1 << (cell & 31);
      if ((bitset[word]! & bit) !== 0) continue;
      bitset[word] = bitset[word]! | bit;
    } else {
      if (set.has(cell)) continue;
      set.add(cell);
    }
    kept[length++] = index;
  }
  return kept.slice(0, length).reverse();
}
