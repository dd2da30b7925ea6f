import type { Rgb } from './protocol.js';

/** Distinct on a light basemap, and told apart by most colour-blind readers (Tableau 10). */
const PALETTE: Rgb[] = [
  [78, 121, 167], [242, 142, 43], [225, 87, 89], [118, 183, 178], [89, 161, 79],
  [237, 201, 72], [176, 122, 161], [255, 157, 167], [156, 117, 95], [186, 176, 172],
];

/** Observations with no category. */
export const NO_CATEGORY_COLOR: Rgb = [120, 120, 120];

/**
 * A category's colour: its preset's own (`#rrggbb`), else one of the palette picked by its id, so
 * a category keeps its colour on every device and across reloads.
 */
export function categoryColor(id: string | null, presetColor: string | null | undefined): Rgb {
  if (id === null) return NO_CATEGORY_COLOR;
  const own = parseHexColor(presetColor?.startsWith('#') ? presetColor : `#${presetColor ?? ''}`);
  if (own !== null) return [own[0], own[1], own[2]];
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
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
