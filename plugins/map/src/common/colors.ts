import type { Rgb } from './protocol.js';

/**
 * The map's colours are the workbench's (`categoryColors` of the SDK: a preset's own colour,
 * distinct ones for the rest), as RGB for the GPU.
 */

/** `#rrggbb` as RGB, 0–255 (grey for anything else). */
export function hexToRgb(color: string): Rgb {
  const rgba = parseHexColor(color);
  return rgba === null ? [120, 120, 120] : [rgba[0], rgba[1], rgba[2]];
}

/** `#rrggbb` or `#rrggbbaa` as RGBA, 0–255; null for anything else. */
export function parseHexColor(text: string | undefined): [number, number, number, number] | null {
  const match = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(text ?? '');
  if (match === null) return null;
  const value = parseInt(match[1]!, 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255, match[2] === undefined ? 255 : parseInt(match[2], 16)];
}

export function cssColor([r, g, b]: Rgb): string {
  return `rgb(${r}, ${g}, ${b})`;
}
