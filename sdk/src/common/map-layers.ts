/**
 * Map layers from plugins: a territory's boundary, planned routes, protected areas — GeoJSON the
 * map draws over its basemap, listed in its layer panel. A plugin provides them through the
 * `MapLayerProvider` extension point (see the node side of the SDK); the map asks every provider.
 */

/** GeoJSON (RFC 7946, WGS 84 longitude/latitude): a FeatureCollection. */
export interface MapLayerData {
  type: 'FeatureCollection';
  features: unknown[];
}

/** How a layer is drawn; colours as `#rrggbb` or `#rrggbbaa`. */
export interface MapLayerStyle {
  fillColor?: string;
  lineColor?: string;
  /** Pixels. Default 2. */
  lineWidth?: number;
  /** Pixels, for points. Default 5. */
  pointRadius?: number;
}

export interface MapLayer {
  /** Unique within its provider. */
  id: string;
  /** What the layer panel calls it. */
  title: string;
  data: MapLayerData;
  style?: MapLayerStyle;
  /** Shown when the map opens. Default true. */
  visible?: boolean;
  /** Where the data comes from, shown on the map while the layer is. */
  attribution?: string;
}

/** A layer as the map receives it: with the plugin that provides it. */
export interface ProvidedMapLayer extends MapLayer {
  /** The id of the plugin that provides it. */
  plugin: string;
}
