import { CairnError, Emitter, ErrorCodes, isCairnError, trackFeature, type MapLayerProvider, type ObservationFilter, type PluginContext } from '@cairn/sdk';
import { BASEMAPS_CHANGED_EVENT, ICONS_RESOURCE, LAYERS_CHANGED_EVENT, MAP_METHODS, MAP_SERVICE, POINTS_RESOURCE, TILES_RESOURCE, type MapService } from '../common/protocol.js';

/** `cairn basemap add PATH|URL [--name N] [--attribution A]`, or `{ path }` from `cairn run`. */
interface AddInput {
  path?: unknown;
  name?: unknown;
  attribution?: unknown;
}

/**
 * Starts with every window, so activation only registers names: the code that reads the points
 * and the basemaps loads on the first request.
 */
export function activate(ctx: PluginContext): void {
  const points = import('./points.js').then(({ PointSets }) => new PointSets(ctx));
  let basemapsLoaded: Promise<import('./basemaps.js').Basemaps> | null = null;
  const basemaps = () => (basemapsLoaded ??= import('./basemaps.js').then(({ Basemaps }) => new Basemaps(ctx)));
  const changed = () => ctx.services.emit(MAP_SERVICE, BASEMAPS_CHANGED_EVENT, null);

  const addBasemap = async (input: AddInput | string) => {
    const given = typeof input === 'string' ? { path: input } : (input ?? {});
    const optional = (value: unknown, name: string) => {
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'string' || value.trim() === '') throw new CairnError(ErrorCodes.INVALID_INPUT, `basemap add: --${name} takes some text.`);
      return value.trim();
    };
    const options = { name: optional(given.name, 'name'), attribution: optional(given.attribution, 'attribution') };
    const added = await ctx.progress('Adding a basemap', async (report) => (await basemaps()).add(String(given.path ?? ''), options, report));
    changed();
    return added;
  };
  const removeBasemap = async (input: { id?: unknown } | string) => {
    const id = typeof input === 'string' ? input : input?.id;
    if (typeof id !== 'string' || id === '') throw new CairnError(ErrorCodes.INVALID_INPUT, 'basemap remove: give the id of a basemap (`cairn basemap list` shows them).');
    await (await basemaps()).remove(id);
    changed();
    return { removed: id };
  };

  const service: MapService = {
    point: async (snapshot, index) => (await points).point(snapshot, index),
    layers: () => ctx.mapLayers.layers(),
    basemaps: async () => (await basemaps()).list(),
    addBasemap: (source) => addBasemap(source),
    removeBasemap: async (id) => void (await removeBasemap(id)),
  };
  for (const method of MAP_METHODS) if (typeof service[method] !== 'function') throw new Error(`The map service lacks '${method}'.`);
  ctx.subscriptions.push(
    ctx.services.register(MAP_SERVICE, service),
    // The points the list's filter matches (`?filter=` its JSON), all of them without one.
    ctx.resources.register(POINTS_RESOURCE, async (request) => (await points).encode(parsePointsFilter(request.query.filter))),
    ctx.resources.register(TILES_RESOURCE, async (request) => (await basemaps()).tile(request.path)),
    // A category's icon, as its preset has it (a Mapeo configuration's SVG).
    ctx.resources.register(ICONS_RESOURCE, async (request) => {
      const preset = await ctx.project.presets.get(request.path).catch(() => null);
      return preset?.iconSvg ? { contentType: 'image/svg+xml', body: preset.iconSvg } : null;
    }),
    ctx.mapLayers.onDidChange(() => ctx.services.emit(MAP_SERVICE, LAYERS_CHANGED_EVENT, null)),
    ctx.mapLayers.register(tracksLayer(ctx)),
    ctx.commands.register('map.addBasemap', addBasemap),
    ctx.commands.register('map.listBasemaps', async () => (await basemaps()).list()),
    ctx.commands.register('map.removeBasemap', removeBasemap),
    { dispose: () => void basemapsLoaded?.then((loaded) => loaded.dispose()) },
  );
}

/** The filter of a points request: what the observation list filters on, checked. */
function parsePointsFilter(text: string | undefined): ObservationFilter {
  if (text === undefined || text === '') return {};
  let given: unknown;
  try {
    given = JSON.parse(text);
  } catch {
    throw new CairnError(ErrorCodes.INVALID_INPUT, 'The points filter is not JSON.');
  }
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new CairnError(ErrorCodes.INVALID_INPUT, 'The points filter must be an object.');
  const { bbox, category, text: words, from, to } = given as Record<string, unknown>;
  const filter: ObservationFilter = {};
  if (bbox !== undefined) {
    if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every((value) => typeof value === 'number' && Number.isFinite(value))) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, 'The points filter: bbox must be [west, south, east, north] in degrees.');
    }
    filter.bbox = bbox as [number, number, number, number];
  }
  for (const [key, value] of Object.entries({ category, text: words, from, to })) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new CairnError(ErrorCodes.INVALID_INPUT, `The points filter: ${key} must be text.`);
    (filter as Record<string, string>)[key] = value;
  }
  return filter;
}

/** Drawn where tracks are: a colour no category gets by default (the palette's are muted). */
const TRACK_COLOR = '#d81b60';

/**
 * The project's tracks (routes phones recorded) as a layer of lines, in the layer panel like any
 * plugin's, drawn again whenever a track changes (an edit, a sync).
 */
function tracksLayer(ctx: PluginContext): MapLayerProvider {
  const changed = new Emitter<void>();
  ctx.subscriptions.push(changed, ctx.project.onDidChange((change) => change.type === 'track' && changed.fire()));
  return {
    provideLayers: async () => {
      const tracks = await ctx.project.tracks.list().catch((error: unknown) => {
        if (isCairnError(error, ErrorCodes.NO_PROJECT)) return [];
        throw error;
      });
      if (tracks.length === 0) return [];
      return [{ id: 'tracks', title: 'Tracks', style: { lineColor: TRACK_COLOR, lineWidth: 3 }, data: { type: 'FeatureCollection', features: tracks.map(trackFeature) } }];
    },
    onDidChange: changed.event,
  };
}
