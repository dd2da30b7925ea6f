import { Deck, MapView, type MapViewState, type PickingInfo, type WebMercatorViewport } from '@deck.gl/core';
import type { Device } from '@luma.gl/core';
import { errorMessage, h, type BrowserPluginContext, type Disposable } from '@cairn/sdk/browser';
import { decodePoints } from '../common/points.js';
import { ICONS_RESOURCE, MAP_SERVICE, POINTS_RESOURCE, TILES_RESOURCE, type MapService } from '../common/protocol.js';
import { embeddedBasemap, FINE_BASEMAP_ZOOM } from './embedded-basemap.js';
import { attributionOf, EMBEDDED_ATTRIBUTION, heatmapLayer, hexagonLayer, pointsLayer, selectionLayer, underlyingLayers } from './layers.js';
import { LegendOverlay } from './legend.js';
import { MapInteraction, type MapNavigation } from './map-interaction.js';
import { boxOnScreen, fittedView, pannedView, viewportOf, WORLD, zoomedView } from './map-view.js';
import { MapPoints, thinStep } from './point-data.js';
import { PointPicker } from './point-picking.js';
import type { Bbox, MapState } from './state.js';

/** What the rest of the plugin can ask of an open map. */
export interface MapHandle extends Disposable {
  fitToData(): void;
  /** Narrows the observation list to the box in view. */
  filterToView(): Promise<void>;
}

/** How long after the last change the points are fetched again (a sync brings many at once). */
const RELOAD_DELAY_MS = 250;
/** From this zoom on, a point of a category with an icon is drawn as its icon. */
const ICON_ZOOM = 12;
/**
 * A map of more points than this, seen from further out than `DENSE_ZOOM`, draws them as small
 * dots with no ring: big ones would merge into a blot, and on a GPU-less machine (WebGL on the
 * CPU) every pixel of every dot costs, so a 100k-point frame takes a quarter of the time.
 */
const DENSE_COUNT = 20_000;
const DENSE_ZOOM = 8;

/**
 * The map tab: deck.gl straight on a canvas (no React, no map library), the embedded basemap
 * under the observations, colour by category, hover and click, Shift+drag to list a box, the
 * keyboard to pan and zoom, and a reload of the points whenever data changes. What it draws is
 * made in layers.ts from the points (point-data.ts); the pointer and the keys are handled in
 * point-picking.ts and map-interaction.ts. Everything it adds goes when it is disposed.
 */
export class MapTab implements MapHandle, MapNavigation {
  private readonly surface: HTMLElement;
  private readonly announce: HTMLElement;
  private readonly status: HTMLElement;
  private readonly attribution: HTMLElement;
  private readonly legend: LegendOverlay;
  private readonly deck: Deck<MapView>;
  /** The GPU device deck.gl made for this tab, once it has. */
  private device: Device | null = null;
  private readonly points: MapPoints;
  private readonly picker: PointPicker;
  /** Released when the tab goes, in the order they were added. */
  private readonly disposables: Disposable[] = [];
  private view: MapViewState = { ...WORLD };
  /** The zoom steps the layers were last made for (see `setView`). */
  private zoomBand = '';
  /** The list's filter the points are loaded with. */
  private filterKey: string;
  /** The point ringed as selected (its index among those shown), until the next set of points. */
  private selected: number | null = null;
  /** The first set of points fits the view to them; later ones leave it where it is. */
  private fitted = false;
  /** Loads started: only the last one's points are shown. */
  private loads = 0;
  private reloadTimer: ReturnType<typeof setTimeout> | null = null;
  private firstFrameMarked = false;
  private waitingForFiner = false;
  private disposed = false;

  constructor(
    container: HTMLElement,
    private readonly ctx: BrowserPluginContext,
    private readonly state: MapState,
  ) {
    performance.mark('map:created');
    const help = h('p', { id: 'map-keys', class: 'map-sr-only' }, 'Arrow keys pan, + and − zoom, 0 fits the map to the observations. Shift and drag a box to list the observations in it.');
    const surface = h('div', { class: 'map-surface', role: 'application', 'aria-label': 'Map', 'aria-describedby': 'map-keys', tabindex: '0' });
    const tooltip = h('div', { class: 'map-tooltip', role: 'tooltip', hidden: true });
    const box = h('div', { class: 'map-box', hidden: true });
    this.surface = surface;
    this.announce = h('div', { class: 'map-sr-only', 'aria-live': 'polite' });
    this.status = h('div', { class: 'map-status' });
    this.attribution = h('div', { class: 'map-attribution' }, EMBEDDED_ATTRIBUTION);
    this.legend = new LegendOverlay(state);
    const zoomIn = h('button', { type: 'button', 'aria-label': 'Zoom in', title: 'Zoom in (+)' }, '+');
    const zoomOut = h('button', { type: 'button', 'aria-label': 'Zoom out', title: 'Zoom out (−)' }, '−');
    const fit = h('button', { type: 'button', 'aria-label': 'Fit to the observations', title: 'Fit to the observations (0)' }, '⤢');
    const controls = h('div', { class: 'map-zoom', role: 'group', 'aria-label': 'Zoom' }, zoomIn, zoomOut, fit);
    surface.append(tooltip, box);
    container.append(h('div', { class: 'map-editor' }, surface, controls, this.legend.element, this.status, this.attribution, help, this.announce));

    this.filterKey = JSON.stringify(state.listFilter);
    this.points = new MapPoints((id) => ctx.resources.url(ICONS_RESOURCE, id), () => this.draw());
    this.picker = new PointPicker(this.points, ctx.services.get<MapService>(MAP_SERVICE), tooltip);
    this.deck = new Deck<MapView>({
      parent: surface as HTMLDivElement,
      width: '100%',
      height: '100%',
      views: new MapView({ repeat: true }),
      deviceProps: { webgl: { antialias: false } },
      viewState: this.view,
      // The keyboard is MapInteraction's (it must work the same with or without deck's focus handling).
      controller: { dragRotate: false, touchRotate: false, keyboard: false },
      onViewStateChange: ({ viewState: next }) => {
        this.setView(next as MapViewState);
        return next;
      },
      getCursor: ({ isHovering, isDragging }) => (isDragging ? 'grabbing' : isHovering ? 'pointer' : 'grab'),
      onHover: (info) => void this.picker.hover(info),
      onClick: (info) => void this.click(info),
      onAfterRender: () => this.rendered(),
      onDeviceInitialized: (device) => {
        this.device = device;
        if (this.disposed) this.releaseCanvas();
      },
      layers: [],
    });

    const interaction = new MapInteraction(surface, box, { zoomIn, zoomOut, fit }, this);
    // Keep the canvas the size of its tab.
    const resize = new ResizeObserver(() => this.deck.setProps({ width: '100%', height: '100%' }));
    resize.observe(surface);
    this.disposables.push(
      { dispose: () => clearTimeout(this.reloadTimer ?? undefined) },
      ctx.events.onDidChangeData((changes) => {
        if (changes.some((change) => change.type === 'observation' || change.type === 'preset')) this.reloadSoon();
      }),
      state.onDidChange(() => this.stateChanged()),
      { dispose: () => resize.disconnect() },
      interaction,
      {
        dispose: () => {
          this.deck.finalize();
          this.releaseCanvas();
        },
      },
    );

    this.draw();
    void this.load();
  }

  dispose(): void {
    this.disposed = true;
    for (const disposable of this.disposables.splice(0)) void disposable.dispose();
  }

  /**
   * Stops what watches the canvas. deck.gl 9.3's finalize drops its canvas context without
   * destroying it (visgl/deck.gl#10355): the context's ResizeObserver, IntersectionObserver and
   * device-pixel-ratio media query listener stay, and keep the closed tab, its points and its
   * WebGL context alive.
   */
  private releaseCanvas(): void {
    this.device?.getDefaultCanvasContext().destroy();
  }

  fitToData(): void {
    this.setView(fittedView(this.points.shown?.header.bbox ?? null, this.viewport(), this.view));
  }

  async filterToView(): Promise<void> {
    await this.ctx.commands.execute('observations.setFilter', { bbox: this.bboxInView() });
  }

  pan(dx: number, dy: number): void {
    this.setView(pannedView(this.viewport(), this.view, dx, dy));
  }

  zoom(by: number): void {
    this.setView(zoomedView(this.view, by));
    this.announce.textContent = `Zoom ${Math.round(this.view.zoom)}`;
  }

  /** Shift+drag: the list narrowed to the box. */
  listBox(left: number, top: number, right: number, bottom: number): void {
    void this.ctx.commands
      .execute('observations.setFilter', { bbox: boxOnScreen(this.viewport(), left, top, right, bottom) })
      .catch((error: unknown) => this.ctx.notifications.error(errorMessage(error)));
  }

  private setView(next: MapViewState): void {
    const view = (this.view = { ...next, pitch: 0, bearing: 0 });
    this.deck.setProps({ viewState: view });
    this.state.setView(this.bboxInView());
    // Where the map looks, for whoever needs to find a place on the screen (the tests do).
    this.surface.dataset.view = JSON.stringify({ longitude: view.longitude, latitude: view.latitude, zoom: view.zoom });
    // Some layers depend on the zoom (the basemap's scale, icons, the hexagons' size): redraw
    // when it crosses one of their steps.
    const band = `${view.zoom >= FINE_BASEMAP_ZOOM}:${view.zoom >= DENSE_ZOOM ? '' : thinStep(view.zoom)}:${view.zoom >= ICON_ZOOM}:${this.state.visible.hexagons ? Math.round(view.zoom) : ''}`;
    if (band !== this.zoomBand) {
      this.zoomBand = band;
      this.draw();
    }
  }

  private viewport(): WebMercatorViewport {
    return viewportOf(this.view, this.surface.clientWidth, this.surface.clientHeight);
  }

  private bboxInView(): Bbox {
    const view = this.viewport();
    return boxOnScreen(view, 0, 0, view.width, view.height);
  }

  /** Makes the layers for the state, the points and the view, and hands them to deck.gl. */
  private draw(): void {
    if (this.disposed) return;
    const { state, view } = this;
    const { visible } = state;
    const { basemap, finer } = embeddedBasemap(view.zoom);
    // Every open map draws again once the finer basemap has loaded (once each).
    if (finer !== null && !this.waitingForFiner) {
      this.waitingForFiner = true;
      void finer.then(() => this.draw(), () => undefined);
    }
    const layers = underlyingLayers(state, basemap, this.ctx.resources.url(TILES_RESOURCE));
    this.attribution.textContent = attributionOf(state);
    const points = this.points.shown;
    if (points !== null && points.header.count > 0) {
      const count = points.header.count;
      // The aggregation layers are made only when shown: hidden, they would still aggregate.
      if (visible.heatmap) layers.push(heatmapLayer(this.points.data));
      if (visible.hexagons) layers.push(hexagonLayer(points, view));
      // Zoomed in, categories with an icon show it (the atlas is made the first time it is needed).
      const showIcons = visible.points && view.zoom >= ICON_ZOOM;
      const atlas = this.points.iconAtlas(showIcons);
      const dense = count > DENSE_COUNT && view.zoom < DENSE_ZOOM;
      const data = this.points.drawn(dense ? thinStep(view.zoom) : null);
      if (data !== null) {
        // How many dots the map draws, for whoever checks the thinning (the tests do).
        this.surface.dataset.shown = String(data.length);
        layers.push(pointsLayer(data, { visible: visible.points, dense, atlas, showIcons }));
      }
      if (this.selected !== null && this.selected < count) layers.push(selectionLayer(points, this.selected, visible.points));
    }
    this.deck.setProps({ layers });
  }

  /** After each frame deck.gl drew. */
  private rendered(): void {
    const { surface } = this;
    // Frames drawn so far, for whoever measures how fast the map follows (the benchmark does).
    surface.dataset.frames = String(Number(surface.dataset.frames ?? 0) + 1);
    const points = this.points.shown;
    if (points !== null && !this.firstFrameMarked) {
      this.firstFrameMarked = true;
      performance.mark('map:first-points-frame');
      surface.dataset.drawn = String(points.header.count);
    }
  }

  /** Fetches the points the list's filter lets through, and shows them. */
  private async load(): Promise<void> {
    const { state, status, surface } = this;
    const mine = ++this.loads;
    status.textContent = this.points.shown === null ? 'Loading the observations…' : '';
    try {
      const query: Record<string, string> = Object.keys(state.listFilter).length > 0 ? { filter: JSON.stringify(state.listFilter) } : {};
      const response = await fetch(this.ctx.resources.url(POINTS_RESOURCE, '', query));
      if (!response.ok) throw new Error(await response.text());
      const bytes = await response.arrayBuffer();
      performance.mark('map:points-fetched');
      const decoded = decodePoints(bytes);
      if (this.disposed || mine !== this.loads) return;
      // A point selected in the last set is found again only by chance: drop it.
      this.selected = null;
      this.points.load(decoded, state.hiddenCategories);
      surface.dataset.shownCategories = String(this.points.categoriesShown);
      const count = decoded.header.count;
      const narrowed = Object.keys(state.listFilter).length > 0;
      status.textContent = count > 0 ? '' : narrowed ? 'No observation matches the list’s filters.' : 'No observations yet: add some, import a file or sync.';
      surface.dataset.points = String(count);
      surface.dataset.snapshot = String(decoded.header.snapshot);
      state.setLegend(decoded.header.categories, count);
      this.legend.update();
      if (!this.fitted) {
        this.fitted = true;
        this.fitToData();
      }
      this.draw();
    } catch (error) {
      if (!this.disposed) status.textContent = `The observations could not be loaded: ${errorMessage(error)}`;
    }
  }

  /** Data changed on the host: the points are fetched again once the changes pause. */
  private reloadSoon(): void {
    if (this.reloadTimer !== null) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = null;
      this.picker.forget();
      void this.load();
    }, RELOAD_DELAY_MS);
  }

  private stateChanged(): void {
    // The list's filter changed: fetch what it matches. A legend's toggle: show the rest.
    const filterKey = JSON.stringify(this.state.listFilter);
    if (filterKey !== this.filterKey) {
      this.filterKey = filterKey;
      void this.load();
    }
    if (this.points.hide(this.state.hiddenCategories)) this.surface.dataset.shownCategories = String(this.points.categoriesShown);
    this.legend.update();
    this.draw();
  }

  private async click(info: PickingInfo): Promise<void> {
    const index = this.picker.picked(info);
    if (index !== null) await this.select(index);
  }

  /** Rings a point and opens it in the observations plugin. */
  private async select(index: number): Promise<void> {
    this.selected = index;
    this.draw();
    const point = await this.picker.pointAt(index);
    if (point === null) return;
    this.surface.dataset.selected = point.id;
    await this.ctx.commands.execute('observations.open', point.id);
  }
}
