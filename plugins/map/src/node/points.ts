import { categoryColors, NO_CATEGORY_COLOR, type ObservationFilter, type PluginContext, type ResourceResponse } from '@cairn/sdk';
import { hexToRgb } from '../common/colors.js';
import { encodePoints } from '../common/points.js';
import type { MapCategory, MapPoint, PointsHeader } from '../common/protocol.js';

/** How many sets of points are remembered for `point`: the one shown, and the one loading. */
const KEPT_SETS = 2;

/**
 * Builds the binary set of points the map draws, and remembers the ids behind the last few sets:
 * the workbench names a point by its set and index (it never holds a million ids).
 */
export class PointSets {
  private next = 1;
  private readonly sets = new Map<number, string[]>();
  /** The categories every observation of the project uses, until observations change. */
  private inUse: Promise<Array<string | null>> | null = null;
  /** Bumped on every change of observations: what was read before one is not kept after it. */
  private changes = 0;

  constructor(private readonly ctx: PluginContext) {
    ctx.subscriptions.push(
      ctx.project.observations.onDidChange(() => {
        this.changes += 1;
        this.inUse = null;
      }),
    );
  }

  /**
   * The points that match `filter` (the list's). Colours are worked out over every category of
   * the project, filtered or not, so a category keeps its colour whatever the list shows, and it
   * is the colour the list and the legend give it.
   */
  async encode(filter: ObservationFilter = {}): Promise<ResourceResponse> {
    const { observations, presets } = this.ctx.project;
    const everything = Object.keys(filter).length === 0;
    const changes = this.changes;
    const [positions, known, filteredInUse] = await Promise.all([
      observations.positions(filter),
      presets.list(),
      // Unfiltered, the points themselves say which categories are in use; filtered, the project is asked (once per change).
      everything ? null : (this.inUse ??= observations.countByCategory({}).then((counts) => counts.map((entry) => entry.category))),
    ]);
    const inUse = filteredInUse ?? [...new Set(positions.categories)];
    if (everything && changes === this.changes) this.inUse = Promise.resolve(inUse);
    const colors = categoryColors([...known, ...inUse.flatMap((id) => (id === null ? [] : [{ id }]))]);
    const count = positions.ids.length;
    const categoryIndex = new Map<string | null, number>();
    const categories: MapCategory[] = [];
    const byId = new Map(known.map((preset) => [preset.id, preset]));
    const indices = new Uint16Array(count);
    const lonLat = new Float64Array(count * 2);
    let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
    for (let index = 0; index < count; index++) {
      const category = positions.categories[index] ?? null;
      let at = categoryIndex.get(category);
      if (at === undefined) {
        const preset = category === null ? undefined : byId.get(category);
        at = categories.length;
        categoryIndex.set(category, at);
        categories.push({
          id: category,
          name: category === null ? 'No category' : (preset?.name ?? category),
          color: hexToRgb(category === null ? NO_CATEGORY_COLOR : (colors.get(category) ?? NO_CATEGORY_COLOR)),
          count: 0,
          hasIcon: typeof preset?.iconSvg === 'string' && preset.iconSvg.length > 0,
        });
      }
      categories[at]!.count += 1;
      indices[index] = at;
      const lon = positions.lon[index]!;
      const lat = positions.lat[index]!;
      lonLat[index * 2] = lon;
      lonLat[index * 2 + 1] = lat;
      if (lon < west) west = lon;
      if (lon > east) east = lon;
      if (lat < south) south = lat;
      if (lat > north) north = lat;
    }
    const snapshot = this.next++;
    this.sets.set(snapshot, positions.ids);
    for (const old of this.sets.keys()) if (this.sets.size > KEPT_SETS) this.sets.delete(old);
    categories.sort((a, b) => b.count - a.count);
    // Sorting the legend moved the categories: point each index at its new place.
    const moved = new Uint16Array(categories.length);
    categories.forEach((category, at) => (moved[categoryIndex.get(category.id)!] = at));
    for (let index = 0; index < count; index++) indices[index] = moved[indices[index]!]!;
    const header: PointsHeader = { snapshot, count, categories, bbox: count === 0 ? null : [west, south, east, north] };
    return { contentType: 'application/octet-stream', body: encodePoints(header, lonLat, indices) };
  }

  async point(snapshot: number, index: number): Promise<MapPoint | null> {
    const id = this.sets.get(snapshot)?.[index];
    if (id === undefined) return null;
    const observation = await this.ctx.project.observations.get(id).catch(() => null);
    if (observation === null) return null;
    const preset = observation.category === null ? null : await this.ctx.project.presets.get(observation.category).catch(() => null);
    return {
      id,
      category: observation.category,
      categoryName: observation.category === null ? 'No category' : (preset?.name ?? observation.category),
      notes: observation.notes.slice(0, 200),
      lat: observation.lat,
      lon: observation.lon,
      createdAt: observation.createdAt,
    };
  }
}
