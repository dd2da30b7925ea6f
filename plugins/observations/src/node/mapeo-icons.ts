/**
 * The icons of a Mapeo configuration as standalone SVG markup, the form a category keeps: a
 * bundle's sprite (icons.svg, one `<symbol>` per icon) split into one `<svg>` each, or an icon
 * file of a source folder without what comes before its `<svg>`.
 */

/** Each `<symbol>` of an SVG sprite as a standalone `<svg>`, by symbol id. */
export function symbolsOf(sprite: string): Map<string, string> {
  const symbols = new Map<string, string>();
  for (const [, attributes = '', content = ''] of sprite.matchAll(/<symbol\b([^>]*)>([\s\S]*?)<\/symbol\s*>/g)) {
    const parsed = [...attributes.matchAll(/([\w:.-]+)\s*=\s*("[^"]*"|'[^']*')/g)].map(([, name = '', value = '']) => ({ name, value }));
    const id = parsed.find((attribute) => attribute.name === 'id')?.value.slice(1, -1);
    if (id === undefined || symbols.has(id)) continue;
    // Its viewBox (and any other presentation attribute) carries over; its id and namespaces do not.
    const kept = parsed.filter((attribute) => attribute.name !== 'id' && !attribute.name.startsWith('xmlns'));
    const xlink = content.includes('xlink:') ? ' xmlns:xlink="http://www.w3.org/1999/xlink"' : '';
    symbols.set(id, `<svg xmlns="http://www.w3.org/2000/svg"${xlink}${kept.map(({ name, value }) => ` ${name}=${value}`).join('')}>${content}</svg>`);
  }
  return symbols;
}

/** An SVG file's markup from its `<svg>` on: no XML declaration, doctype or editor comment before it. */
export function standaloneSvg(text: string): string | null {
  const start = text.search(/<svg[\s>]/);
  const end = text.lastIndexOf('</svg>');
  if (start < 0 || end < start) return null;
  return text.slice(start, end + '</svg>'.length);
}
