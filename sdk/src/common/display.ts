/**
 * How the workbench shows things every plugin shows: dates, and the colour of each category. One
 * place, so the list, the forms, the map and its legend agree.
 */

/** A date and time as the workbench writes it everywhere: the user's locale, medium date, short time. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A day as the workbench writes it (the date part of `formatDateTime`). */
export function formatDay(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** A measurement in the user's locale, with at most `digits` decimals (4.25 → "4.3"). */
export function formatNumber(value: number, digits: number): string {
  return value.toLocaleString(undefined, { maximumFractionDigits: digits });
}

/** Observations with no category. */
export const NO_CATEGORY_COLOR = '#787878';

/**
 * Distinct on a light and a dark background, and told apart by most colour-blind readers
 * (Tableau 10), then more of the same character.
 */
const PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f',
];

/** `#rrggbb` (or `rrggbb`, or `#rgb`) as lower-case `#rrggbb`; null for anything else. */
export function normalizeColor(color: string | null | undefined): string | null {
  if (typeof color !== 'string') return null;
  const text = color.trim().toLowerCase().replace(/^#?/, '#');
  if (/^#[0-9a-f]{6}$/.test(text)) return text;
  if (/^#[0-9a-f]{3}$/.test(text)) return `#${[...text.slice(1)].map((digit) => digit + digit).join('')}`;
  return null;
}

/** A colour for the n-th category past the palette: hues a golden angle apart, never repeating. */
function generated(index: number): string {
  const hue = (index * 137.508) % 360;
  const [r, g, b] = hslToRgb(hue, 0.55, index % 2 === 0 ? 0.45 : 0.6);
  return `#${[r, g, b].map((value) => value.toString(16).padStart(2, '0')).join('')}`;
}

function hslToRgb(hue: number, saturation: number, lightness: number): [number, number, number] {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const x = chroma * (1 - Math.abs(((hue / 60) % 2) - 1));
  const m = lightness - chroma / 2;
  const [r, g, b] = hue < 60 ? [chroma, x, 0] : hue < 120 ? [x, chroma, 0] : hue < 180 ? [0, chroma, x] : hue < 240 ? [0, x, chroma] : hue < 300 ? [x, 0, chroma] : [chroma, 0, x];
  return [r, g, b].map((value) => Math.round((value + m) * 255)) as [number, number, number];
}

/**
 * The colour of every category: its preset's own colour where it has one; the others get
 * colours of the palette that no preset uses, in the order of their ids, so no two categories
 * share one. Given the same categories (the project's presets and the categories in use), every
 * view and every device gets the same colours.
 */
export function categoryColors(categories: ReadonlyArray<{ id: string; color?: string | null }>): Map<string, string> {
  const colors = new Map<string, string>();
  const taken = new Set<string>();
  const without: string[] = [];
  for (const { id, color } of categories) {
    if (colors.has(id)) continue;
    const own = normalizeColor(color);
    if (own === null) {
      if (!without.includes(id)) without.push(id);
      continue;
    }
    colors.set(id, own);
    taken.add(own);
    const at = without.indexOf(id);
    if (at >= 0) without.splice(at, 1);
  }
  const free = PALETTE.filter((color) => !taken.has(color));
  let next = 0;
  let extra = 0;
  for (const id of without.sort()) {
    let color = free[next++];
    while (color === undefined || taken.has(color)) color = generated(extra++);
    colors.set(id, color);
    taken.add(color);
  }
  return colors;
}

/** `1 observation`, `2,000 observations`: a count with its noun, singular or plural. */
export function countOf(count: number, one: string, many: string): string {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`;
}

function things(counts: { observations: number; attachments: number }): string | null {
  const parts: string[] = [];
  if (counts.observations > 0) parts.push(countOf(counts.observations, 'observation', 'observations'));
  if (counts.attachments > 0) parts.push(countOf(counts.attachments, 'attachment', 'attachments'));
  return parts.length === 0 ? null : parts.join(' and ');
}

/**
 * What a sync moved, in words: `received 300 observations and 1 attachment, sent nothing new.`
 * (observations and attachments counted once however many versions of them travelled).
 */
export function describeSync(summary: { sent: { observations: number; attachments: number }; received: { observations: number; attachments: number } }): string {
  const received = things(summary.received);
  const sent = things(summary.sent);
  if (received === null && sent === null) return 'both were up to date; nothing to exchange.';
  return `received ${received ?? 'nothing new'}, sent ${sent ?? 'nothing new'}.`;
}
