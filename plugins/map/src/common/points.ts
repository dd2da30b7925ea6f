import type { PointsHeader } from './protocol.js';

/**
 * The points travel as bytes, not JSON, so a million of them load in a blink and go to the GPU as
 * they are: 'CMP1', the header's byte length (uint32, little-endian), the header as JSON, padding
 * to a multiple of 8, then lon/lat pairs (float64, little-endian) and one category index per point
 * (uint16).
 */
const MAGIC = 'CMP1';

export interface DecodedPoints {
  header: PointsHeader;
  /** lon, lat, lon, lat, … */
  positions: Float64Array;
  /** Into `header.categories`. */
  categories: Uint16Array;
}

export function encodePoints(header: PointsHeader, positions: Float64Array, categories: Uint16Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = align(8 + json.byteLength, 8);
  const bytes = new Uint8Array(start + positions.byteLength + categories.byteLength);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(4, json.byteLength, true);
  bytes.set(json, 8);
  // Every platform Cairn runs on is little-endian: the typed arrays' bytes are the wire's.
  bytes.set(new Uint8Array(positions.buffer, positions.byteOffset, positions.byteLength), start);
  bytes.set(new Uint8Array(categories.buffer, categories.byteOffset, categories.byteLength), start + positions.byteLength);
  return bytes;
}

export function decodePoints(buffer: ArrayBuffer): DecodedPoints {
  const bytes = new Uint8Array(buffer);
  if (bytes.byteLength < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw new Error('The map points are not in the expected format.');
  const length = new DataView(buffer).getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as PointsHeader;
  const start = align(8 + length, 8);
  const positions = new Float64Array(buffer, start, header.count * 2);
  const categories = new Uint16Array(buffer, start + positions.byteLength, header.count);
  return { header, positions, categories };
}

function align(offset: number, to: number): number {
  return Math.ceil(offset / to) * to;
}
