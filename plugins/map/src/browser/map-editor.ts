import { Deck, MapView, type MapViewState, type PickingInfo, type WebMercatorViewport } from '@deck.gl/core';
import { errorMessage, h, type BrowserPluginContext, type Disposable } from '@cairn/sdk/browser';
import { decodePoints } from '../common/points.js';
import { ICONS_RESOURCE, MAP_SERVICE, POINTS_RESOURCE, TILES_RESOURCE, type MapService } from '../common/protocol.js';
import { embeddedBasemap, FINE_BASEMAP_ZOOM } from './embedded-basemap.js';
import { attributionOf, EMBEDDED_ATTRIBUTION, heatmapLayer, hexagonLayer, pointsLayer, selectionLayer, underlyingLayers } from './layers.js';
import { LegendOverlay } from './legend.js';
import { MapInteraction } from './map-interaction.js';
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
 * keyboard to pan and zoom, and a reload of the points whenever data changes.
 */
export function renderMap(container: HTMLElement, ctx: BrowserPluginContext, state: MapState): MapHandle {
  performance.mark('map:created');
  const service = ctx.services.get<MapService>(MAP_SERVICE);
  const help = h('p', { id: 'map-keys', class: 'map-sr-only' }, 'Arrow keys pan, + and − zoom, 0 fits the map to the observations. Shift and drag a box to list the observations in it.');
  const surface = h('div', { class: 'map-surface', role: 'application', 'aria-label': 'Map', 'aria-describedby': 'map-keys', tabindex: '0' });
  const tooltip = h('div', { class: 'map-tooltip', role: 'tooltip', hidden: true });
  const box = h('div', { class: 'map-box', hidden: true });
  const announce = h('div', { class: 'map-sr-only', 'aria-live': 'polite' });
  const status = h('div', { class: 'map-status' });
  const attribution = h('div', { class: 'map-attribution' }, EMBEDDED_ATTRIBUTION);
  const legend = new LegendOverlay(state);
  const zoomIn = h('button', { type: 'button', 'aria-label': 'Zoom in', title: 'Zoom in (+)' }, '+');
  const zoomOut = h('button', { type: 'button', 'aria-label': 'Zoom out', title: 'Zoom out (−)' }, '−');
  const fit = h('button', { type: 'button', 'aria-label': 'Fit to the observations', title: 'Fit to the observations (0)' }, '⤢');
  const controls = h('div', { class: 'map-zoom', role: 'group', 'aria-label': 'Zoom' }, zoomIn, zoomOut, fit);
  surface.append(tooltip, box);
  container.append(h('div', { class: 'map-editor' }, surface, controls, legend.element, status, attribution, help, announce));

  let filterKey = JSON.stringify(state.listFilter);
  const mapPoints = new MapPoints((id) => ctx.resources.url(ICONS_RESOURCE, id), () => draw());
  const picker = new PointPicker(mapPoints, service, tooltip);
  let viewState: MapViewState = { ...WORLD };
  let zoomBand = '';
  let selected: number | null = null;
  let fitted = false;
  let disposed = false;
  let firstFrameMarked = false;
  let waitingForFiner = false;
  const subscriptions: Disposable[] = [];

  const deck = new Deck<MapView>({
    parent: surface as HTMLDivElement,
    width: '100%',
    height: '100%',
    views: new MapView({ repeat: true }),
    deviceProps: { webgl: { antialias: false } },
    viewState,
    // Keyboard handled below (it must work the same with or without deck's focus handling).
    controller: { dragRotate: false, touchRotate: false, keyboard: false },
    onViewStateChange: ({ viewState: next }) => {
      setView(next as MapViewState);
      return next;
    },
    getCursor: ({ isHovering, isDragging }) => (isDragging ? 'grabbing' : isHovering ? 'pointer' : 'grab'),
    onHover: (info) => void picker.hover(info),
    onClick: (info) => void click(info),
    onAfterRender: () => {
      // Frames drawn so far, for whoever measures how fast the map follows (the benchmark does).
      surface.dataset.frames = String(Number(surface.dataset.frames ?? 0) + 1);
      const points = mapPoints.shown;
      if (points !== null && !firstFrameMarked) {
        firstFrameMarked = true;
        performance.mark('map:first-points-frame');
        surface.dataset.drawn = String(points.header.count);
      }
    },
    layers: [],
  });

  function setView(next: MapViewState): void {
    viewState = { ...next, pitch: 0, bearing: 0 };
    deck.setProps({ viewState });
    state.setView(currentBbox());
    // Where the map looks, for whoever needs to find a place on the screen (the tests do).
    surface.dataset.view = JSON.stringify({ longitude: viewState.longitude, latitude: viewState.latitude, zoom: viewState.zoom });
    // Some layers depend on the zoom (the basemap's scale, icons, the hexagons' size): redraw
    // when it crosses one of their steps.
    const band = `${viewState.zoom >= FINE_BASEMAP_ZOOM}:${viewState.zoom >= DENSE_ZOOM ? '' : thinStep(viewState.zoom)}:${viewState.zoom >= ICON_ZOOM}:${state.visible.hexagons ? Math.round(viewState.zoom) : ''}`;
    if (band !== zoomBand) {
      zoomBand = band;
      draw();
    }
  }

  function viewport(): WebMercatorViewport {
    return viewportOf(viewState, surface.clientWidth, surface.clientHeight);
  }

  function currentBbox(): Bbox {
    const view = viewport();
    return boxOnScreen(view, 0, 0, view.width, view.height);
  }

  function draw(): void {
    if (disposed) return;
    const { visible } = state;
    const { basemap: base, finer } = embeddedBasemap(viewState.zoom);
    // Every open map draws again once the finer basemap has loaded (once each).
    if (finer !== null && !waitingForFiner) {
      waitingForFiner = true;
      void finer.then(() => draw(), () => undefined);
    }
    const layers = underlyingLayers(state, base, ctx.resources.url(TILES_RESOURCE));
    attribution.textContent = attributionOf(state);
    const points = mapPoints.shown;
    if (points !== null && points.header.count > 0) {
      const count = points.header.count;
      // The aggregation layers are made only when shown: hidden, they would still aggregate.
      if (visible.heatmap) layers.push(heatmapLayer(mapPoints.data));
      if (visible.hexagons) layers.push(hexagonLayer(points, viewState));
      // Zoomed in, categories with an icon show it (the atlas is made the first time it is needed,
      // and kept, so that zooming in and out does not make its texture again).
      const showIcons = visible.points && viewState.zoom >= ICON_ZOOM;
      const atlas = mapPoints.iconAtlas(showIcons);
      const dense = count > DENSE_COUNT && viewState.zoom < DENSE_ZOOM;
      const data = mapPoints.drawn(dense ? thinStep(viewState.zoom) : null);
      if (data !== null) {
        // How many dots the map draws, for whoever checks the thinning (the tests do).
        surface.dataset.shown = String(data.length);
        layers.push(pointsLayer(data, { visible: visible.points, dense, atlas, showIcons }));
      }
      if (selected !== null && selected < count) {
        layers.push(selectionLayer(points, selected, visible.points));
      }
    }
    deck.setProps({ layers });
  }

  let loadCount = 0;
  async function load(): Promise<void> {
    const mine = ++loadCount;
    status.textContent = mapPoints.shown === null ? 'Loading the observations…' : '';
    try {
      const query: Record<string, string> = Object.keys(state.listFilter).length > 0 ? { filter: JSON.stringify(state.listFilter) } : {};
      const response = await fetch(ctx.resources.url(POINTS_RESOURCE, '', query));
      if (!response.ok) throw new Error(await response.text());
      const bytes = await response.arrayBuffer();
      performance.mark('map:points-fetched');
      const decoded = decodePoints(bytes);
      if (disposed || mine !== loadCount) return;
      // A point selected in the last set is found again only by chance: drop it.
      selected = null;
      mapPoints.load(decoded, state.hiddenCategories);
      surface.dataset.shownCategories = String(mapPoints.categoriesShown);
      const count = decoded.header.count;
      const narrowed = Object.keys(state.listFilter).length > 0;
      status.textContent = count > 0 ? '' : narrowed ? 'No observation matches the list’s filters.' : 'No observations yet: add some, import a file or sync.';
      surface.dataset.points = String(count);
      surface.dataset.snapshot = String(decoded.header.snapshot);
      state.setLegend(decoded.header.categories, count);
      legend.update();
      if (!fitted) {
        fitted = true;
        fitToData();
      }
      draw();
    } catch (error) {
      if (!disposed) status.textContent = `The observations could not be loaded: ${errorMessage(error)}`;
    }
  }

  function fitToData(): void {
    setView(fittedView(mapPoints.shown?.header.bbox ?? null, viewport(), viewState));
  }

  async function click(info: PickingInfo): Promise<void> {
    const index = picker.picked(info);
    if (index !== null) await select(index);
  }

  async function select(index: number): Promise<void> {
    selected = index;
    draw();
    const point = await picker.pointAt(index);
    if (point === null) return;
    surface.dataset.selected = point.id;
    await ctx.commands.execute('observations.open', point.id);
  }

  async function filterToView(): Promise<void> {
    await ctx.commands.execute('observations.setFilter', { bbox: currentBbox() });
  }

  const interaction = new MapInteraction(surface, box, { zoomIn, zoomOut, fit }, {
    pan: (dx, dy) => setView(pannedView(viewport(), viewState, dx, dy)),
    zoom: (by) => zoom(by),
    fitToData: () => fitToData(),
    // Shift+drag: the list narrowed to the box.
    listBox: (left, top, right, bottom) =>
      void ctx.commands
        .execute('observations.setFilter', { bbox: boxOnScreen(viewport(), left, top, right, bottom) })
        .catch((error: unknown) => ctx.notifications.error(errorMessage(error))),
  });

  function zoom(by: number): void {
    setView(zoomedView(viewState, by));
    announce.textContent = `Zoom ${Math.round(viewState.zoom)}`;
  }

  // Keep the canvas the size of its tab.
  const resize = new ResizeObserver(() => deck.setProps({ width: '100%', height: '100%' }));
  resize.observe(surface);

  let reloadTimer: ReturnType<typeof setTimeout> | null = null;
  subscriptions.push(
    ctx.events.onDidChangeData((changes) => {
      if (!changes.some((change) => change.type === 'observation' || change.type === 'preset')) return;
      if (reloadTimer !== null) clearTimeout(reloadTimer);
      reloadTimer = setTimeout(() => {
        reloadTimer = null;
        picker.forget();
        void load();
      }, RELOAD_DELAY_MS);
    }),
    state.onDidChange(() => {
      // The list's filter changed: fetch what it matches. A legend's toggle: show the rest.
      const nextFilter = JSON.stringify(state.listFilter);
      if (nextFilter !== filterKey) {
        filterKey = nextFilter;
        void load();
      }
      if (mapPoints.hide(state.hiddenCategories)) surface.dataset.shownCategories = String(mapPoints.categoriesShown);
      legend.update();
      draw();
    }),
  );

  draw();
  void load();
  return {
    fitToData,
    filterToView,
    dispose: () => {
      disposed = true;
      if (reloadTimer !== null) clearTimeout(reloadTimer);
      for (const subscription of subscriptions) subscription.dispose();
      resize.disconnect();
      interaction.dispose();
      deck.finalize();
    },
  };
}
