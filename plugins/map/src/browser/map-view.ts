import { WebMercatorViewport, type MapViewState } from '@deck.gl/core';
import type { Bbox } from './state.js';

/**
 * Where a map looks, worked out from the screen: the box in view as the observation filter takes
 * it, the view that fits the points, and the view after a pan or a zoom.
 */

/** The view of a map with no points: the whole world. */
export const WORLD: MapViewState = { longitude: 0, latitude: 20, zoom: 1, pitch: 0, bearing: 0 };
/** A map of one point opens at this zoom, where the country around it shows; fitting a few close points goes no closer than the next. */
const ONE_POINT_ZOOM = 6;
const FIT_MAX_ZOOM = 12;
/** The zooms the keyboard and the buttons stay between. */
const MIN_ZOOM = 0;
const MAX_ZOOM = 20;
/** Web Mercator ends short of the poles: a pan stops there. */
const MAX_LATITUDE = 85;

/** A view on a surface of this size, in pixels (at least one each way, so a hidden tab has a viewport too). */
export function viewportOf(view: MapViewState, width: number, height: number): WebMercatorViewport {
  return new WebMercatorViewport({ ...view, width: Math.max(1, width), height: Math.max(1, height) });
}

/** The box between two corners of the screen (pixels from its top left), as the observation filter takes it. */
export function boxOnScreen(viewport: WebMercatorViewport, left: number, top: number, right: number, bottom: number): Bbox {
  const [west, north] = viewport.unproject([left, top]) as [number, number];
  const [east, south] = viewport.unproject([right, bottom]) as [number, number];
  return lonLatBox(west, south, east, north);
}

/** The view that shows every point of a box (west, south, east, north); the world when there are none. */
export function fittedView(bbox: Bbox | null, viewport: WebMercatorViewport, current: MapViewState): MapViewState {
  if (bbox === null) return { ...WORLD };
  const [west, south, east, north] = bbox;
  if (east - west < 1e-6 && north - south < 1e-6) return { ...current, longitude: west, latitude: south, zoom: ONE_POINT_ZOOM };
  const fit = viewport.fitBounds([[west, south], [east, north]], { padding: Math.min(40, Math.floor(Math.min(viewport.width, viewport.height) / 4)), maxZoom: FIT_MAX_ZOOM });
  return { ...current, longitude: fit.longitude, latitude: fit.latitude, zoom: Math.max(0, fit.zoom) };
}

/** The view with its centre moved by so many pixels. */
export function pannedView(viewport: WebMercatorViewport, current: MapViewState, dx: number, dy: number): MapViewState {
  const [longitude, latitude] = viewport.unproject([viewport.width / 2 + dx, viewport.height / 2 + dy]) as [number, number];
  return { ...current, longitude, latitude: Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, latitude)) };
}

/** The view zoomed in (a positive step) or out. */
export function zoomedView(current: MapViewState, by: number): MapViewState {
  return { ...current, zoom: Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, current.zoom + by)) };
}

/**
 * A box of the screen as the observation filter takes it. The map repeats the world sideways, so
 * longitudes are brought back into [-180, 180] (a box across the antimeridian then has west >
 * east, which the filter understands), and a view wider than the world is the whole world.
 */
function lonLatBox(west: number, south: number, east: number, north: number): Bbox {
  const lat = (value: number) => Math.max(-90, Math.min(90, value));
  if (east - west >= 360) return [-180, lat(south), 180, lat(north)];
  const wrap = (lon: number) => ((((lon + 180) % 360) + 360) % 360) - 180;
  return [wrap(west), lat(south), east === 180 ? 180 : wrap(east), lat(north)];
}
