import type { Layer, MapViewState } from '@deck.gl/core';
import { GeoJsonLayer, ScatterplotLayer } from '@deck.gl/layers';
import { HeatmapLayer, HexagonLayer } from '@deck.gl/aggregation-layers';
import { parseHexColor } from '../common/colors.js';
import type { DecodedPoints } from '../common/points.js';
import type { Basemap } from './basemap.js';
import { LinesLayer } from './lines-layer.js';
import type { IconAtlas } from './point-data.js';
import { PointsLayer, type PointsLayerProps } from './points-layer.js';
import type { MapState } from './state.js';
import { basemapLayer } from './user-basemap.js';

/**
 * The deck.gl layers of a map, bottom to top: the embedded basemap, the user's basemaps, other
 * plugins' layers, then the observations (heatmap, hexagons, points, the selected one's ring).
 */

/** The embedded basemap's attribution, shown whatever else is. */
export const EMBEDDED_ATTRIBUTION = 'Basemap: Natural Earth (public domain), via world-atlas';
/** Pixels an icon is drawn at. */
const ICON_SIZE = 28;

/** What lies under the observations, as the state shows it: the basemaps, then other plugins' layers. */
export function underlyingLayers(state: MapState, embedded: Basemap, tilesUrl: string): Layer[] {
  const { visible } = state;
  const layers: Layer[] = [
    new GeoJsonLayer({ id: 'basemap-land', data: embedded.land as never, visible: visible.basemap, filled: true, stroked: false, getFillColor: [243, 240, 231] }),
    new LinesLayer({ id: 'basemap-borders', data: embedded.borders, visible: visible.basemap, color: [176, 168, 150] }),
  ];
  // The user's basemaps (MBTiles, PMTiles, a URL), over the embedded one, tiles served by the host.
  for (const basemap of state.basemaps) layers.push(basemapLayer(basemap, tilesUrl, !state.basemapHidden.has(basemap.id)));
  // Other plugins' layers, over the basemaps and under the observations.
  for (const provided of state.provided) {
    const style = provided.style ?? {};
    layers.push(
      new GeoJsonLayer({
        id: `provided:${provided.plugin}:${provided.id}`,
        data: provided.data as never,
        visible: state.isProvidedVisible(provided),
        filled: style.fillColor !== undefined,
        stroked: true,
        getFillColor: parseHexColor(style.fillColor) ?? [0, 0, 0, 0],
        getLineColor: parseHexColor(style.lineColor) ?? [40, 40, 40, 255],
        lineWidthUnits: 'pixels',
        getLineWidth: style.lineWidth ?? 2,
        pointRadiusUnits: 'pixels',
        getPointRadius: style.pointRadius ?? 5,
      }),
    );
  }
  return layers;
}

/** The attributions of what shows: the embedded basemap's, then each shown basemap's and layer's. */
export function attributionOf(state: MapState): string {
  return [
    EMBEDDED_ATTRIBUTION,
    ...state.basemaps.filter((basemap) => basemap.attribution && !state.basemapHidden.has(basemap.id)).map((basemap) => basemap.attribution),
    ...state.provided.filter((layer) => layer.attribution && state.isProvidedVisible(layer)).map((layer) => layer.attribution!),
  ].join(' · ');
}

/** Where the points are dense, from the attributes the points layer takes (the same buffers, uploaded once). */
export function heatmapLayer(data: PointsLayerProps['data'] | null): Layer {
  return new HeatmapLayer({ id: 'heatmap', data: data as never, radiusPixels: 30, getWeight: 1 });
}

/** The points counted in hexagons about 24 pixels wide at the zoom in view. */
export function hexagonLayer(points: DecodedPoints, view: MapViewState): Layer {
  const { positions } = points;
  const metersPerPixel = (40_075_016 * Math.cos((view.latitude * Math.PI) / 180)) / (512 * 2 ** view.zoom);
  const hexagonZoom = Math.round(view.zoom);
  return new HexagonLayer({
    id: 'hexagons',
    data: { length: points.header.count } as never,
    getPosition: (_: unknown, { index }: { index: number }) => [positions[index * 2]!, positions[index * 2 + 1]!],
    radius: Math.max(50, metersPerPixel * 2 ** (view.zoom - hexagonZoom) * 24),
    coverage: 0.9,
    opacity: 0.55,
    gpuAggregation: true,
  });
}

/**
 * The observations, one GL point each: dots with a ring, small dots with none on a dense map,
 * or close in their categories' icons once the atlas is drawn.
 */
export function pointsLayer(data: PointsLayerProps['data'], options: { visible: boolean; dense: boolean; atlas: IconAtlas | null; showIcons: boolean }): Layer {
  const { visible, dense, atlas, showIcons } = options;
  return new PointsLayer({
    id: 'points',
    data,
    visible,
    radiusPixels: dense ? 3 : 5,
    lineWidthPixels: dense ? 0 : 1,
    iconAtlas: atlas?.canvas ?? null,
    iconCount: atlas?.count ?? 1,
    iconSizePixels: ICON_SIZE,
    showIcons: showIcons && atlas !== null,
    pickable: true,
    autoHighlight: true,
    highlightColor: [0, 0, 0, 90],
  });
}

/** A ring around the selected point. */
export function selectionLayer(points: DecodedPoints, index: number, visible: boolean): Layer {
  const { positions } = points;
  return new ScatterplotLayer({
    id: 'selection',
    data: [index],
    visible,
    getPosition: (at: number) => [positions[at * 2]!, positions[at * 2 + 1]!],
    radiusUnits: 'pixels',
    getRadius: 9,
    filled: false,
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: 3,
    getLineColor: [20, 20, 20],
  });
}
