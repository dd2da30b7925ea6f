import { inject, injectable } from '@cairn/sdk/inversify';
import {
  CairnError,
  DisposableStore,
  Emitter,
  ErrorCodes,
  errorMessage,
  type MapLayerProvider,
  toDisposable,
  type Disposable,
  type Logger,
  type MapLayer,
  type ProvidedMapLayer,
} from '@cairn/sdk';
import { LogService } from '../log-service.js';

interface Registered {
  owner: string;
  provider: MapLayerProvider;
}

/**
 * The map layers plugins provide. The map asks for them all at once; a provider that throws, or
 * gives a layer that is not one, is left out with a warning and the others still show.
 */
@injectable()
export class MapLayerRegistry {
  private readonly providers: Registered[] = [];
  private readonly onDidChangeEmitter = new Emitter<void>();
  readonly onDidChange = this.onDidChangeEmitter.event;
  private readonly log: Logger;

  constructor(@inject(LogService) log: LogService) {
    this.log = log.forSource('map-layers');
  }

  register(owner: string, provider: MapLayerProvider): Disposable {
    if (typeof provider?.provideLayers !== 'function') {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `Plugin '${owner}' registered a map layer provider without a provideLayers() method.`);
    }
    const entry = { owner, provider };
    this.providers.push(entry);
    const store = new DisposableStore();
    if (typeof provider.onDidChange === 'function') store.add(provider.onDidChange(() => this.onDidChangeEmitter.fire()));
    this.onDidChangeEmitter.fire();
    store.add(
      toDisposable(() => {
        const index = this.providers.indexOf(entry);
        if (index < 0) return;
        this.providers.splice(index, 1);
        this.onDidChangeEmitter.fire();
      }),
    );
    return store;
  }

  async layers(): Promise<ProvidedMapLayer[]> {
    const all = await Promise.all(
      this.providers.map(async ({ owner, provider }) => {
        try {
          const given = await provider.provideLayers();
          if (!Array.isArray(given)) throw new Error('provideLayers() did not give an array');
          const seen = new Set<string>();
          return given.flatMap((layer) => {
            const problem = layerProblem(layer, seen);
            if (problem !== null) {
              this.log.warn(`Plugin '${owner}': a map layer was left out: ${problem}.`);
              return [];
            }
            seen.add(layer.id);
            return [{ ...layer, plugin: owner }];
          });
        } catch (error) {
          this.log.warn(`Plugin '${owner}': its map layers were left out: ${errorMessage(error)}.`);
          return [];
        }
      }),
    );
    return all.flat();
  }

  dispose(): void {
    this.onDidChangeEmitter.dispose();
  }
}

function layerProblem(layer: MapLayer, seen: Set<string>): string | null {
  if (typeof layer !== 'object' || layer === null) return 'it is not an object';
  if (typeof layer.id !== 'string' || layer.id === '') return 'it has no id';
  if (seen.has(layer.id)) return `the id '${layer.id}' is used twice`;
  if (typeof layer.title !== 'string' || layer.title === '') return `'${layer.id}' has no title`;
  if (layer.data?.type !== 'FeatureCollection' || !Array.isArray(layer.data.features)) return `the data of '${layer.id}' is not a GeoJSON FeatureCollection`;
  return null;
}
