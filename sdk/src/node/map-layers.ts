import type { Disposable } from '../common/disposable.js';
import type { Event } from '../common/event.js';
import type { MapLayer, ProvidedMapLayer } from '../common/map-layers.js';

/** Extension point for map layers (`bindContribution(bind, MapLayerProvider, MyLayers)`). */
export const MapLayerProvider = Symbol.for('cairn.MapLayerProvider');

export interface MapLayerProvider {
  /** The layers to draw now. A provider that throws is left out; the others still show. */
  provideLayers(): MapLayer[] | Promise<MapLayer[]>;
  /** Fired when the layers changed (new data, say): the map asks again. */
  readonly onDidChange?: Event<void>;
}

export interface MapLayersApi {
  /** The same as contributing to `MapLayerProvider`; disposing withdraws the layers. */
  register(provider: MapLayerProvider): Disposable;
  /** Every valid layer of every provider of the enabled plugins, in plugin order. */
  layers(): Promise<ProvidedMapLayer[]>;
  /** A provider came, went or said its layers changed. */
  readonly onDidChange: Event<void>;
}
