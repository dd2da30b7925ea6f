import type { DecodedPoints } from '../common/points.js';
import { thinPoints } from '../common/thinning.js';
import type { PointsLayerProps } from './points-layer.js';

/**
 * The points as the GPU takes them: their attributes (position, colour, icon cell), the subset a
 * legend leaves shown, the thinned subset of a dense map, and the atlas of category icons.
 */

/**
 * On a dense map seen from afar, a point within this many pixels of one already kept is left
 * out: its 3-pixel dot would lie under that one's. Worked out per half zoom step, so a million
 * points over a continent become the hundred thousand or so that can show.
 */
export const THIN_CELL_PIXELS = 2;

/** The points' attributes: their positions, their categories' colours, and no icon yet. */
export function pointAttributes(points: DecodedPoints): PointsLayerProps['data'] {
  const count = points.header.count;
  const colors = new Uint8Array(count * 4);
  const palette = points.header.categories.map((category) => category.color);
  for (let index = 0; index < count; index++) {
    const color = palette[points.categories[index]!]!;
    const at = index * 4;
    colors[at] = color[0];
    colors[at + 1] = color[1];
    colors[at + 2] = color[2];
    colors[at + 3] = 230;
  }
  return {
    length: count,
    attributes: {
      getPosition: { value: points.positions, size: 2 },
      getFillColor: { value: colors, size: 4, normalized: true },
      getIconSlot: { value: new Float32Array(count).fill(-1), size: 1 },
    },
  };
}

/**
 * The points of the categories a legend leaves shown, and for each the index it has among all
 * the points loaded (what the host names it by); the points themselves when none is hidden.
 */
export function shownPoints(points: DecodedPoints, hidden: (categoryIndex: number) => boolean): { points: DecodedPoints; origin: Uint32Array | null } {
  const categories = points.header.categories;
  if (!categories.some((_, index) => hidden(index))) return { points, origin: null };
  const count = points.header.count;
  const keep: number[] = [];
  for (let index = 0; index < count; index++) if (!hidden(points.categories[index]!)) keep.push(index);
  const origin = Uint32Array.from(keep);
  const positions = new Float64Array(origin.length * 2);
  const indices = new Uint16Array(origin.length);
  let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
  origin.forEach((from, at) => {
    const lon = points.positions[from * 2]!;
    const lat = points.positions[from * 2 + 1]!;
    positions[at * 2] = lon;
    positions[at * 2 + 1] = lat;
    indices[at] = points.categories[from]!;
    west = Math.min(west, lon);
    east = Math.max(east, lon);
    south = Math.min(south, lat);
    north = Math.max(north, lat);
  });
  const bbox: [number, number, number, number] | null = origin.length === 0 ? null : [west, south, east, north];
  return { points: { header: { ...points.header, count: origin.length, bbox }, positions, categories: indices }, origin };
}

export interface IconAtlas {
  snapshot: number;
  canvas: HTMLCanvasElement;
  /** Cells in the canvas, side by side. */
  count: number;
  /** For each category of the points (by index), its cell, or −1 for none. */
  slotOf: Int16Array;
}

/** Pixels of an icon in the atlas. */
const ATLAS_CELL = 64;

/**
 * Draws every category icon of a set of points into one canvas. The SVGs are fetched from the
 * host and decoded by an <img> (deck.gl's image loader cannot decode SVG); null when none has one.
 */
export async function buildIconAtlas(points: DecodedPoints, urlOf: (categoryId: string) => string): Promise<IconAtlas | null> {
  const withIcon = points.header.categories.filter((category) => category.hasIcon && category.id !== null);
  if (withIcon.length === 0) return null;
  const canvas = document.createElement('canvas');
  canvas.width = ATLAS_CELL * withIcon.length;
  canvas.height = ATLAS_CELL;
  const context = canvas.getContext('2d')!;
  const slotById = new Map<string, number>();
  await Promise.all(
    withIcon.map(async (category, slot) => {
      try {
        const response = await fetch(urlOf(category.id!));
        if (!response.ok) return;
        const url = URL.createObjectURL(new Blob([await response.text()], { type: 'image/svg+xml' }));
        try {
          const image = new Image(ATLAS_CELL, ATLAS_CELL);
          image.src = url;
          await image.decode();
          context.drawImage(image, slot * ATLAS_CELL, 0, ATLAS_CELL, ATLAS_CELL);
          slotById.set(category.id!, slot);
        } finally {
          URL.revokeObjectURL(url);
        }
      } catch {
        // An icon that cannot be drawn leaves its category a dot.
      }
    }),
  );
  if (slotById.size === 0) return null;
  const slotOf = Int16Array.from(points.header.categories, (category) => (category.id !== null ? slotById.get(category.id) ?? -1 : -1));
  return { snapshot: points.header.snapshot, canvas, count: withIcon.length, slotOf };
}

/** The half zoom step a map is thinned for. */
export const thinStep = (zoom: number) => Math.floor(zoom * 2) / 2;

/** The points to draw on a dense map at a zoom (see `thinPoints`): their attributes, and which point each is. */
export function thin(points: DecodedPoints, data: PointsLayerProps['data'], zoom: number): { data: PointsLayerProps['data']; indices: Uint32Array } {
  const indices = thinPoints(points.positions, points.header.count, { zoom, cellPixels: THIN_CELL_PIXELS, bbox: points.header.bbox ?? [-180, -85, 180, 85] });
  const length = indices.length;
  const subset = <T extends Float64Array | Float32Array | Uint8Array>(source: T, size: number): T => {
    const out = new (source.constructor as new (length: number) => T)(length * size);
    for (let at = 0; at < length; at++) {
      const from = indices[at]! * size;
      for (let component = 0; component < size; component++) out[at * size + component] = source[from + component]!;
    }
    return out;
  };
  const { getPosition, getFillColor, getIconSlot } = data.attributes;
  return {
    indices,
    data: {
      length,
      attributes: {
        getPosition: { ...getPosition, value: subset(getPosition.value as Float64Array, 2) },
        getFillColor: { ...getFillColor, value: subset(getFillColor.value as Uint8Array, 4) },
        getIconSlot: { ...getIconSlot, value: subset(getIconSlot.value as Float32Array, 1) },
      },
    },
  };
}

/** The points' attributes with each point's icon cell, from its category's. */
export function withIconSlots(data: PointsLayerProps['data'], points: DecodedPoints, atlas: IconAtlas): PointsLayerProps['data'] {
  const slots = new Float32Array(points.header.count);
  for (let index = 0; index < slots.length; index++) slots[index] = atlas.slotOf[points.categories[index]!]!;
  return { ...data, attributes: { ...data.attributes, getIconSlot: { value: slots, size: 1 } } };
}

