import countries110m from 'world-atlas/countries-110m.json' with { type: 'json' };
import land110m from 'world-atlas/land-110m.json' with { type: 'json' };
import { toBasemap, type Basemap } from './basemap.js';

/** From this zoom on, the 1:50m basemap replaces the 1:110m one. */
export const FINE_BASEMAP_ZOOM = 3;

/** The embedded basemap (Natural Earth, from world-atlas), each scale built once and only when needed. */
let coarseBasemap: Basemap | null = null;
let fineBasemap: Promise<Basemap> | null = null;
let fineBasemapReady: Basemap | null = null;

/**
 * The basemap for a zoom, and while the finer one loads, the promise of it (to draw again then).
 * Kept for the page, not per map: a map opened again finds both scales built.
 */
export function embeddedBasemap(zoom: number): { basemap: Basemap; finer: Promise<Basemap> | null } {
  coarseBasemap ??= toBasemap(land110m, countries110m);
  if (zoom < FINE_BASEMAP_ZOOM) return { basemap: coarseBasemap, finer: null };
  if (fineBasemapReady !== null) return { basemap: fineBasemapReady, finer: null };
  fineBasemap ??= (import(/* @vite-ignore */ new URL('./basemap-50m.js', import.meta.url).href) as Promise<typeof import('./basemap-50m.js')>).then((module) => (fineBasemapReady = module.fineBasemap()));
  return { basemap: coarseBasemap, finer: fineBasemap };
}
