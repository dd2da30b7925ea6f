import { errorMessage, h, type BrowserPluginContext, type Disposable, type Event, type ObservationFilter } from '@cairn/sdk/browser';
import { legendToggle } from './legend.js';
import { BASEMAPS_CHANGED_EVENT, LAYERS_CHANGED_EVENT, MAP_SERVICE, type MapService } from '../common/protocol.js';
import type { MapHandle } from './map-editor.js';
import { LAYERS, MapState, providedKey, type Bbox } from './state.js';
import { styles } from './styles.js';

type MapModule = typeof import('./map-editor.js');

/** What the observations plugin offers other plugins (its list's filter); only what the map reads of it. */
interface ObservationsApi {
  readonly filter: { readonly value: ObservationFilter; readonly onDidChange: Event<ObservationFilter> };
}

/**
 * The map: a tab in the editor area (deck.gl, loaded on first show so the workbench starts light),
 * and the "Map" view in the side bar with its layers, its legend and what to do.
 */
export function activate(ctx: BrowserPluginContext): void {
  const state = new MapState();
  const style = h('style', { 'data-plugin': 'map' }, styles);
  document.head.append(style);
  ctx.subscriptions.push({ dispose: () => style.remove() }, state);

  // The map shows what the observation list shows. The observations plugin may answer after this
  // one stopped: its subscriptions are released by then, so none is added.
  let active = true;
  ctx.subscriptions.push({
    dispose: () => {
      active = false;
    },
  });
  void ctx.plugins.exports<ObservationsApi>('observations').then((observations) => {
    if (observations === undefined || !active) return;
    state.setListFilter(observations.filter.value);
    ctx.subscriptions.push(observations.filter.onDidChange((filter) => state.setListFilter(filter)));
  });

  // The layers other plugins provide and the user's basemaps: asked of the host the first time
  // the Map view or a map shows (not with every window's start), then whenever they change.
  const service = ctx.services.get<MapService>(MAP_SERVICE);
  let listed = false;
  const loadProvided = () =>
    void service.layers().then(
      (layers) => state.setProvided(layers),
      (error: unknown) => ctx.log('warn', `Map layers of other plugins could not be loaded: ${errorMessage(error)}`),
    );
  const loadBasemaps = () =>
    void service.basemaps().then(
      (basemaps) => state.setBasemaps(basemaps),
      (error: unknown) => ctx.log('warn', `The basemaps could not be listed: ${errorMessage(error)}`),
    );
  const listLayers = () => {
    if (listed) return;
    listed = true;
    loadProvided();
    loadBasemaps();
  };
  ctx.subscriptions.push(
    ctx.services.onEvent(MAP_SERVICE, LAYERS_CHANGED_EVENT, () => listed && loadProvided()),
    ctx.services.onEvent(MAP_SERVICE, BASEMAPS_CHANGED_EVENT, () => listed && loadBasemaps()),
  );

  let loading: Promise<MapModule> | null = null;
  const load = () => (loading ??= import(/* @vite-ignore */ new URL('./map-editor.js', import.meta.url).href) as Promise<MapModule>);
  let handle: MapHandle | null = null;
  let shown: Promise<MapHandle> | null = null;

  /** Opens (or focuses) the map tab; resolves once the map is drawn there. */
  const show = (): Promise<MapHandle> => {
    listLayers();
    if (handle !== null) {
      ctx.editors.open({ id: 'map.main', title: 'Map', render: render, restore: { command: 'map.show' } });
      return Promise.resolve(handle);
    }
    let ready!: (map: MapHandle) => void;
    shown = new Promise<MapHandle>((resolve) => (ready = resolve));
    ctx.editors.open({ id: 'map.main', title: 'Map', render, restore: { command: 'map.show' } });
    function render(container: HTMLElement): Disposable {
      let disposed = false;
      let rendered: MapHandle | null = null;
      container.append(h('p', { class: 'view-message' }, 'Loading the map…'));
      // Where the time to a first frame starts: the tab is there, deck.gl not yet loaded.
      performance.mark('map:opening');
      load().then(
        (module) => {
          if (disposed) return;
          container.replaceChildren();
          rendered = handle = new module.MapTab(container, ctx, state);
          ready(rendered);
        },
        (error: unknown) => container.replaceChildren(h('p', { class: 'view-message' }, `The map could not load: ${errorMessage(error)}`)),
      );
      return {
        dispose: () => {
          disposed = true;
          rendered?.dispose();
          if (handle === rendered) handle = null;
          shown = null;
          state.setView(null);
        },
      };
    }
    return shown;
  };
  const withMap = async (work: (map: MapHandle) => unknown) => work(await (shown ?? show()));

  // The basemap commands, from the palette or another plugin (the host's serve the CLI).
  const addBasemap = async (given?: unknown): Promise<void> => {
    const path = typeof given === 'string' && given !== '' ? given : await ctx.dialogs.chooseFile({ title: 'Add a basemap: an MBTiles or PMTiles file (it is copied into the data dir)', mode: 'open', extensions: ['mbtiles', 'pmtiles'] });
    if (path === null) return;
    const added = await ctx.withProgress('Adding a basemap', () => service.addBasemap(path));
    ctx.notifications.info(`Basemap '${added.name}' added (zoom ${added.minzoom}–${added.maxzoom}).`);
  };
  const removeBasemap = async (id?: unknown): Promise<void> => {
    // Asked of the host: the list here is filled only once a Map view or a map has shown.
    const basemaps = await service.basemaps();
    const basemap = basemaps.find((candidate) => candidate.id === id);
    if (basemap === undefined) {
      ctx.notifications.info(basemaps.length === 0 ? 'There is no basemap to remove.' : 'To remove a basemap, click × beside it under Layers in the Map view.');
      return;
    }
    await service.removeBasemap(basemap.id);
    ctx.notifications.info(`Basemap '${basemap.name}' removed.`);
  };
  const listBasemaps = async () => {
    const basemaps = await service.basemaps();
    ctx.notifications.info(
      basemaps.length === 0
        ? 'No basemaps added: the map uses its embedded one. Add an MBTiles or PMTiles file from the Map view.'
        : `Basemaps: ${basemaps.map((basemap) => `${basemap.name} (${basemap.online ? 'online' : `zoom ${basemap.minzoom}–${basemap.maxzoom}`})`).join(', ')}.`,
    );
    return basemaps;
  };

  ctx.subscriptions.push(
    ctx.commands.register('map.show', () => void show()),
    ctx.commands.register('map.fitToData', () => withMap((map) => map.fitToData())),
    ctx.commands.register('map.filterToView', () => withMap((map) => map.filterToView())),
    // For other plugins: the box the map shows (west, south, east, north), or null with no map open.
    ctx.commands.register('map.getView', (): Bbox | null => state.view),
    ctx.commands.register('map.addBasemap', addBasemap),
    ctx.commands.register('map.removeBasemap', removeBasemap),
    ctx.commands.register('map.listBasemaps', listBasemaps),
    ctx.views.register('map.view', (container, view) => {
      listLayers();
      // Showing the view opens the map, when none is open (as the Observations view opens the list).
      const ensureMap = () => {
        if (ctx.project !== null && handle === null && shown === null) void show();
      };
      ensureMap();
      const visibility = view.onDidChangeVisibility((visible) => visible && ensureMap());
      const panel = renderPanel(container, ctx, state, { show, withMap, addBasemap, removeBasemap });
      return { dispose: () => (visibility.dispose(), panel.dispose()) };
    }),
  );
}

/** The side bar's "Map" view: actions, the layers to show, and the legend. */
function renderPanel(
  container: HTMLElement,
  ctx: BrowserPluginContext,
  state: MapState,
  actions: { show: () => Promise<MapHandle>; withMap: (work: (map: MapHandle) => unknown) => Promise<unknown>; addBasemap: (path?: string) => Promise<void>; removeBasemap: (id: string) => Promise<void> },
): Disposable {
  const layers = h('fieldset', { class: 'map-layers' }, h('legend', {}, 'Layers'));
  const toggle = (title: string, checked: boolean, onchange: (checked: boolean) => void) => {
    const box = h('input', { type: 'checkbox', checked, onchange: () => onchange(box.checked) });
    return h('label', { class: 'map-layer' }, box, ' ', title);
  };
  const legend = h('ul', { class: 'map-legend map-view-legend', 'aria-label': 'Legend' });
  const run = (work: () => unknown) => () => void Promise.resolve(work()).catch((error: unknown) => ctx.notifications.error(errorMessage(error)));
  let listed = '';
  const draw = () => {
    // Built-in layers, then those other plugins provide (named with their plugin). Redrawn only
    // when the list changes, so a box toggled from the keyboard keeps its focus.
    const checked = [
      ...LAYERS.map((layer) => state.visible[layer.id]),
      ...state.basemaps.map((basemap) => !state.basemapHidden.has(basemap.id)),
      ...state.provided.map((layer) => state.isProvidedVisible(layer)),
    ];
    const keys = [...state.basemaps.map((basemap) => `basemap:${basemap.id}`), ...state.provided.map(providedKey)].join('\n');
    if (keys !== listed || layers.querySelectorAll('input').length !== checked.length) {
      listed = keys;
      layers.replaceChildren(
        h('legend', {}, 'Layers'),
        ...LAYERS.map((layer) => toggle(layer.title, state.visible[layer.id], (value) => state.setVisible(layer.id, value))),
        ...state.basemaps.map((basemap) =>
          h(
            'div',
            { class: 'map-basemap' },
            toggle(`Basemap: ${basemap.name}${basemap.online ? ' (online)' : ''}`, !state.basemapHidden.has(basemap.id), (value) => state.setBasemapVisible(basemap.id, value)),
            h('button', { type: 'button', class: 'map-remove', 'aria-label': `Remove the basemap ${basemap.name}`, title: 'Remove', onclick: run(() => actions.removeBasemap(basemap.id)) }, '×'),
          ),
        ),
        ...state.provided.map((layer) => toggle(`${layer.title} (${layer.plugin})`, state.isProvidedVisible(layer), (value) => state.setProvidedVisible(providedKey(layer), value))),
      );
    }
    layers.querySelectorAll('input').forEach((input, index) => (input.checked = checked[index]!));
    legend.replaceChildren(...state.legend.map((category) => h('li', {}, legendToggle(category, state))));
    if (state.legend.length === 0) legend.append(h('li', { class: 'view-message' }, state.loaded ? 'No observations yet.' : 'Open the map to see its legend.'));
  };
  container.append(
    h(
      'div',
      { class: 'map-view-actions' },
      h('button', { type: 'button', class: 'primary', onclick: run(() => actions.show()) }, 'Open the map'),
      h('button', { type: 'button', onclick: run(() => actions.withMap((map) => map.fitToData())) }, 'Fit to the observations'),
      h('button', { type: 'button', onclick: run(() => actions.withMap((map) => map.filterToView())) }, 'List what the map shows'),
    ),
    layers,
    h('div', { class: 'map-view-actions' }, h('button', { type: 'button', onclick: run(() => actions.addBasemap()) }, 'Add a basemap…')),
    h('h3', { class: 'map-heading' }, 'Legend'),
    legend,
    h('p', { class: 'map-hint' }, 'On the map: drag to pan, scroll or + and − to zoom, arrows to pan, 0 to fit; Shift+drag a box to list what is in it; click a point to open it. Click a category in a legend to hide or show it. The map shows what the list’s filters let through.'),
  );
  draw();
  const subscription = state.onDidChange(draw);
  return { dispose: () => subscription.dispose() };
}
