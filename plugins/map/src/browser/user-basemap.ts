import type { Layer } from '@deck.gl/core';
import { BitmapLayer } from '@deck.gl/layers';
import { MVTLayer, TileLayer } from '@deck.gl/geo-layers';
import { MVTLoader } from '@loaders.gl/mvt';
import type { BasemapInfo } from '../common/protocol.js';

/** A user's basemap as a deck.gl layer: images on tiles, or vector tiles drawn in quiet colours. */
export function basemapLayer(basemap: BasemapInfo, tilesUrl: string, visible: boolean): Layer {
  const template = `${tilesUrl}/${encodeURIComponent(basemap.id)}/{z}/{x}/{y}`;
  const common = {
    id: `basemap:${basemap.id}`,
    data: template,
    visible,
    minZoom: basemap.minzoom,
    maxZoom: basemap.maxzoom,
    ...(basemap.bounds !== null ? { extent: basemap.bounds } : {}),
  };
  if (basemap.format === 'pbf') {
    return new MVTLayer({
      ...common,
      // Parsed here, not in a worker that loaders.gl would fetch from a CDN: there is no internet.
      loaders: [MVTLoader],
      loadOptions: { worker: false },
      filled: true,
      stroked: true,
      getFillColor: [226, 221, 206, 200],
      getLineColor: [150, 144, 130, 255],
      lineWidthUnits: 'pixels',
      getLineWidth: 1,
      pointRadiusUnits: 'pixels',
      getPointRadius: 2,
    }) as unknown as Layer;
  }
  return new TileLayer({
    ...common,
    tileSize: 256,
    renderSubLayers: (props) => {
      const { west, south, east, north } = props.tile.bbox as { west: number; south: number; east: number; north: number };
      return new BitmapLayer({ id: props.id, image: props.data as never, bounds: [west, south, east, north] });
    },
  }) as unknown as Layer;
}
