import { Emitter, type Disposable, type ObservationFilter } from '@cairn/sdk/browser';
import type { ProvidedMapLayer } from '@cairn/sdk/browser';
import type { BasemapInfo, MapCategory } from '../common/protocol.js';

/** The map's layers the user can turn on and off, in the order the panel lists them. */
export const LAYERS = [
  { id: 'basemap', title: 'Basemap (land and countries)' },
  { id: 'points', title: 'Observations' },
  { id: 'heatmap', title: 'Heatmap' },
  { id: 'hexagons', title: 'Hexagon counts' },
] as const;

export type LayerId = (typeof LAYERS)[number]['id'];

/** The panel's key of a layer another plugin provides. */
export const providedKey = (layer: ProvidedMapLayer) => `${layer.plugin}:${layer.id}`;

/** West, south, east, north in degrees. */
export type Bbox = [number, number, number, number];

/**
 * What the side bar's panel and the map tab share: which layers show, the legend of the points
 * loaded, and the box in view.
 */
export class MapState implements Disposable {
  readonly visible: Record<LayerId, boolean> = { basemap: true, points: true, heatmap: false, hexagons: false };
  /** Layers other plugins provide, and which of them show (by `providedKey`). */
  provided: ProvidedMapLayer[] = [];
  /** The user's basemaps (files and URLs), and which of them show (all, unless turned off). */
  basemaps: BasemapInfo[] = [];
  readonly basemapHidden = new Set<string>();
  readonly providedVisible = new Map<string, boolean>();
  legend: MapCategory[] = [];
  total = 0;
  /** A map tab loaded points at least once (an empty legend then means no observations). */
  loaded = false;
  /** The box the map shows; null until a map tab is open. */
  view: Bbox | null = null;
  /** Categories the user turned off in a legend (by id, '' for none): the map leaves them out. */
  readonly hiddenCategories = new Set<string>();
  /** What the observation list shows: the map shows the same. */
  listFilter: ObservationFilter = {};
  private readonly onDidChangeEmitter = new Emitter<void>();
  readonly onDidChange = this.onDidChangeEmitter.event;

  setVisible(layer: LayerId, visible: boolean): void {
    if (this.visible[layer] === visible) return;
    this.visible[layer] = visible;
    this.onDidChangeEmitter.fire();
  }

  setBasemaps(basemaps: BasemapInfo[]): void {
    this.basemaps = basemaps;
    this.onDidChangeEmitter.fire();
  }

  setBasemapVisible(id: string, visible: boolean): void {
    if (visible === !this.basemapHidden.has(id)) return;
    if (visible) this.basemapHidden.delete(id);
    else this.basemapHidden.add(id);
    this.onDidChangeEmitter.fire();
  }

  setProvided(layers: ProvidedMapLayer[]): void {
    this.provided = layers;
    for (const layer of layers) if (!this.providedVisible.has(providedKey(layer))) this.providedVisible.set(providedKey(layer), layer.visible !== false);
    this.onDidChangeEmitter.fire();
  }

  setProvidedVisible(key: string, visible: boolean): void {
    if (this.providedVisible.get(key) === visible) return;
    this.providedVisible.set(key, visible);
    this.onDidChangeEmitter.fire();
  }

  isProvidedVisible(layer: ProvidedMapLayer): boolean {
    return this.providedVisible.get(providedKey(layer)) ?? layer.visible !== false;
  }

  setLegend(legend: MapCategory[], total: number): void {
    this.legend = legend;
    this.total = total;
    this.loaded = true;
    this.onDidChangeEmitter.fire();
  }

  /** Shows or hides a category's points (from either legend). */
  toggleCategory(id: string | null): void {
    const key = id ?? '';
    if (this.hiddenCategories.has(key)) this.hiddenCategories.delete(key);
    else this.hiddenCategories.add(key);
    this.onDidChangeEmitter.fire();
  }

  isCategoryHidden(id: string | null): boolean {
    return this.hiddenCategories.has(id ?? '');
  }

  setListFilter(filter: ObservationFilter): void {
    const { sort: _sort, descending: _descending, limit: _limit, offset: _offset, ...narrowing } = filter;
    if (JSON.stringify(narrowing) === JSON.stringify(this.listFilter)) return;
    this.listFilter = narrowing;
    this.onDidChangeEmitter.fire();
  }

  setView(view: Bbox | null): void {
    this.view = view;
  }

  dispose(): void {
    this.onDidChangeEmitter.dispose();
  }
}
