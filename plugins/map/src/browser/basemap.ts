import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { segments, type LinesLayerProps } from './lines-layer.js';

/** The embedded basemap at one scale: land to fill, and the borders between countries. */
export interface Basemap {
  land: GeoJSON.FeatureCollection | GeoJSON.Feature;
  /** The borders between countries, as segments. */
  borders: LinesLayerProps['data'];
}

/** Natural Earth land and countries (world-atlas TopoJSON) as the layers draw them. */
export function toBasemap(landTopology: unknown, countriesTopology: unknown): Basemap {
  const land = landTopology as Topology<{ land: GeometryCollection }>;
  const countries = countriesTopology as Topology<{ countries: GeometryCollection }>;
  return { land: feature(land, land.objects.land), borders: segments(mesh(countries, countries.objects.countries, (a, b) => a !== b).coordinates) };
}
