import type { ProvidedMapLayer } from '@cairn/sdk/common';

/** The host service the map's workbench side calls (`ctx.services.get(MAP_SERVICE)`). */
export const MAP_SERVICE = 'map';

/** The host resource the points come from, in the binary layout of `points.ts`. */
export const POINTS_RESOURCE = 'points';

/** RGB, 0–255. */
export type Rgb = [number, number, number];

/** The host resource of basemap tiles: `tiles/<basemap id>/<z>/<x>/<y>`. */
export const TILES_RESOURCE = 'tiles';

/** A basemap the user added: a file copied into the data dir, or an online tile URL. */
export interface BasemapInfo {
  id: string;
  name: string;
  kind: 'mbtiles' | 'pmtiles' | 'xyz';
  /** What its tiles are: images, or vector tiles (Mapbox Vector Tile). */
  format: 'png' | 'jpg' | 'webp' | 'pbf';
  minzoom: number;
  maxzoom: number;
  /** West, south, east, north; null for the whole world. */
  bounds: [number, number, number, number] | null;
  attribution: string;
  /** Its tiles come from the internet (an XYZ URL the user gave). */
  online: boolean;
}

/** The service's event when basemaps were added or removed. */
export const BASEMAPS_CHANGED_EVENT = 'basemapsChanged';

/** A category as the map draws and the legend lists it. */
export interface MapCategory {
  /** The category id; null for observations with none. */
  id: string | null;
  name: string;
  color: Rgb;
  /** How many of the points are of it. */
  count: number;
  /** Its preset has an icon (served as the `icons` resource, drawn when the map is zoomed in). */
  hasIcon: boolean;
}

/** The host resource of category icons: `icons/<category id>` (SVG). */
export const ICONS_RESOURCE = 'icons';

/** What comes before the points in the binary answer. */
export interface PointsHeader {
  /** Names this set of points: `point(snapshot, index)` looks an index up in it. */
  snapshot: number;
  count: number;
  /** Indexed by each point's category index. */
  categories: MapCategory[];
  /** West, south, east, north of all the points; null when there are none. */
  bbox: [number, number, number, number] | null;
}

/** What a tooltip and a click need of one point. */
export interface MapPoint {
  id: string;
  category: string | null;
  categoryName: string;
  notes: string;
  lat: number;
  lon: number;
  createdAt: string;
}

export interface MapService {
  /** The point at `index` of the set `snapshot` named; null once that set is gone (the map reloads). */
  point(snapshot: number, index: number): Promise<MapPoint | null>;
  /** The layers other plugins provide (`MapLayerProvider`). */
  layers(): Promise<ProvidedMapLayer[]>;
  basemaps(): Promise<BasemapInfo[]>;
  /** Adds an MBTiles or PMTiles file (copied into the data dir) or an XYZ URL with {z}, {x}, {y}. */
  addBasemap(source: string): Promise<BasemapInfo>;
  removeBasemap(id: string): Promise<void>;
}

/** The service's methods, for the check that it implements each (the RPC calls by name). */
export const MAP_METHODS = ['point', 'layers', 'basemaps', 'addBasemap', 'removeBasemap'] as const satisfies ReadonlyArray<keyof MapService>;

/** The service's event when the provided layers changed (a plugin came or went, new data). */
export const LAYERS_CHANGED_EVENT = 'layersChanged';
