import type { PluginContext } from '@cairn/sdk';
import { LAYERS_CHANGED_EVENT, MAP_METHODS, MAP_SERVICE, POINTS_RESOURCE, type MapService } from '../common/protocol.js';

/**
 * Starts with every window, so activation only registers names: the code that reads the points
 * loads on the first request.
 */
export function activate(ctx: PluginContext): void {
  const points = import('./points.js').then(({ PointSets }) => new PointSets(ctx));
  const service: MapService = {
    point: async (snapshot, index) => (await points).point(snapshot, index),
    layers: () => ctx.mapLayers.layers(),
  };
  for (const method of MAP_METHODS) if (typeof service[method] !== 'function') throw new Error(`The map service lacks '${method}'.`);
  ctx.subscriptions.push(
    ctx.services.register(MAP_SERVICE, service),
    ctx.resources.register(POINTS_RESOURCE, async () => (await points).encode()),
    ctx.mapLayers.onDidChange(() => ctx.services.emit(MAP_SERVICE, LAYERS_CHANGED_EVENT, null)),
  );
}
