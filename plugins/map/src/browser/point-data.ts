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
const THIN_CELL_PIXELS = 2;

/** The points' attributes: their positions, their categories' colours, and no icon yet. */
function pointAttributes(points: DecodedPoints): PointsLayerProps['data'] {
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
function shownPoints(points: DecodedPoints, hidden: (categoryIndex: number) => boolean): { points: DecodedPoints; origin: Uint32Array | null } {
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
async function buildIconAtlas(points: DecodedPoints, urlOf: (categoryId: string) => string): Promise<IconAtlas | null> {
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
function thin(points: DecodedPoints, data: PointsLayerProps['data'], zoom: number): { data: PointsLayerProps['data']; indices: Uint32Array } {
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
function withIconSlots(data: PointsLayerProps['data'], points: DecodedPoints, atlas: IconAtlas): PointsLayerProps['data'] {
  const slots = new Float32Array(points.header.count);
  for (let index = 0; index < slots.length; index++) slots[index] = atlas.slotOf[points.categories[index]!]!;
  return { ...data, attributes: { ...data.attributes, getIconSlot: { value: slots, size: 1 } } };
}


type PointData = PointsLayerProps['data'];

/** A set of hidden categories as a key, to tell when it changed. */
const keyOf = (hidden: ReadonlySet<string>) => [...hidden].sort().join('\n');

/**
 * A map's points as the GPU takes them: those loaded (the list's filter applied), those shown
 * (the categories a legend hides left out), their attributes, the subset a dense map draws, and
 * the atlas of their categories' icons. The attributes stay one object until the points or the
 * icons change, and the thinned subset one per half zoom step: a new object would have deck.gl
 * upload every attribute again.
 */
export class MapPoints {
  private loaded: DecodedPoints | null = null;
  private current: DecodedPoints | null = null;
  /** For each point shown, its index among those loaded (the host's name for it); null when all show. */
  private origin: Uint32Array | null = null;
  /** The hidden categories (ids, '' for none) that the points shown leave out. */
  private hiddenKey = '';
  private attributes: PointData | null = null;
  private thinned: { from: PointData; step: number; data: PointData; indices: Uint32Array } | null = null;
  /** What the points layer draws: its index i is point `drawnIndices[i]`, or i itself when null. */
  private drawnIndices: Uint32Array | null = null;
  /** The icons of the points' categories, drawn once per set of points; null until ready. */
  private atlasFor: { snapshot: number; ready: IconAtlas | null } | null = null;
  /** How many of the loaded points' categories show. */
  categoriesShown = 0;

  constructor(
    private readonly iconUrl: (categoryId: string) => string,
    /** The atlas asked for is drawn: the map draws again. */
    private readonly onIconsReady: () => void,
  ) {}

  /** The points shown; null until the first set is loaded. */
  get shown(): DecodedPoints | null {
    return this.current;
  }

  /** The attributes of every point shown. */
  get data(): PointData | null {
    return this.attributes;
  }

  /** A new set from the host; the categories in `hidden` (ids, '' for none) are left out. */
  load(points: DecodedPoints, hidden: ReadonlySet<string>): void {
    this.loaded = points;
    this.show(hidden);
  }

  /** Leaves out the categories in `hidden`; false, and nothing made again, when those are left out already. */
  hide(hidden: ReadonlySet<string>): boolean {
    if (this.loaded === null || keyOf(hidden) === this.hiddenKey) return false;
    this.show(hidden);
    return true;
  }

  /**
   * What the points layer draws: every point shown, or on a dense map thinned for a half zoom
   * step (see `thinStep`), made once per step.
   */
  drawn(thinnedFor: number | null): PointData | null {
    const points = this.current;
    const attributes = this.attributes;
    if (points === null || attributes === null) return null;
    if (thinnedFor === null) {
      this.drawnIndices = null;
      return attributes;
    }
    if (this.thinned?.from !== attributes || this.thinned.step !== thinnedFor) this.thinned = { from: attributes, step: thinnedFor, ...thin(points, attributes, thinnedFor) };
    this.drawnIndices = this.thinned.indices;
    return this.thinned.data;
  }

  /** The point shown that is the points layer's `drawnIndex`, as last drawn. */
  shownIndex(drawnIndex: number): number {
    return this.drawnIndices?.[drawnIndex] ?? drawnIndex;
  }

  /** A point shown by the host's name for it: its index among those loaded. */
  loadedIndex(shownIndex: number): number {
    return this.origin?.[shownIndex] ?? shownIndex;
  }

  /**
   * The atlas of the icons of the points' categories, once drawn; null until then, and when none
   * has one. With `build` it is started the first time (zoomed in, where icons show) and kept, so
   * that zooming in and out does not make its texture again; `onIconsReady` says when it is there.
   */
  iconAtlas(build: boolean): IconAtlas | null {
    const current = this.current;
    if (current === null) return null;
    if (this.atlasFor?.snapshot === current.header.snapshot) return this.atlasFor.ready;
    if (!build) return null;
    const entry: { snapshot: number; ready: IconAtlas | null } = { snapshot: current.header.snapshot, ready: null };
    this.atlasFor = entry;
    void buildIconAtlas(current, this.iconUrl).then((built) => {
      if (this.atlasFor !== entry || built === null) return;
      entry.ready = built;
      if (this.attributes !== null && this.current === current) this.attributes = withIconSlots(this.attributes, current, built);
      this.onIconsReady();
    });
    return null;
  }

  private show(hidden: ReadonlySet<string>): void {
    const all = this.loaded!;
    const isHidden = (id: string | null) => hidden.has(id ?? '');
    this.hiddenKey = keyOf(hidden);
    const shown = shownPoints(all, (index) => isHidden(all.header.categories[index]!.id));
    this.current = shown.points;
    this.origin = shown.origin;
    this.attributes = pointAttributes(shown.points);
    this.thinned = null;
    if (this.atlasFor?.ready && this.atlasFor.snapshot === shown.points.header.snapshot) this.attributes = withIconSlots(this.attributes, shown.points, this.atlasFor.ready);
    this.categoriesShown = all.header.categories.filter((category) => !isHidden(category.id)).length;
  }
}
