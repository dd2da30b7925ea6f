/**
 * The icons of the sample categories, drawn for Cairn (MIT, like the rest of it): a white glyph
 * on a disc of the category's colour, so each reads on a light or a dark list and on the map.
 * Drawn on a 24-unit grid; `cut` is drawn in the disc's colour, to cut shapes out of the glyph.
 */
const glyphs: Record<string, (cut: string) => string> = {
  // A paw print: the pad and four toes.
  animal: () =>
    '<ellipse cx="12" cy="15.2" rx="4.2" ry="3.4"/><circle cx="7" cy="10.6" r="1.7"/><circle cx="10" cy="7.4" r="1.8"/><circle cx="14" cy="7.4" r="1.8"/><circle cx="17" cy="10.6" r="1.7"/>',
  // A leaf and its vein.
  plant: (cut) => `<path d="M6 18C6 10 10.5 6 18.5 5.5C18.5 13.5 14.5 18 6 18Z"/><path d="M6.5 17.5L14 10" stroke="${cut}" stroke-width="1.3" stroke-linecap="round" fill="none"/>`,
  // A drop.
  water: () => '<path d="M12 4.5C15.2 9 17.2 11.6 17.2 14.6A5.2 5.2 0 0 1 6.8 14.6C6.8 11.6 8.8 9 12 4.5Z"/>',
  // A tent with its door open.
  camp: (cut) => `<path d="M12 5L19.5 18.5H4.5Z"/><path d="M12 11L14.6 18.5H9.4Z" fill="${cut}"/>`,
  // A warning sign.
  threat: (cut) => `<path d="M12 4.2L20.5 19H3.5Z" stroke-linejoin="round"/><rect x="11" y="9.2" width="2" height="5.3" rx="1" fill="${cut}"/><circle cx="12" cy="16.6" r="1.15" fill="${cut}"/>`,
  // A winding trail.
  path: () => '<path d="M7 19C10 15.5 7.5 12.5 11 10S17.5 8 17 4.8" fill="none" stroke="#fff" stroke-width="2.4" stroke-linecap="round" stroke-dasharray="2.6 2.4"/>',
  // A fish and its eye.
  fishing: (cut) => `<ellipse cx="10.6" cy="12" rx="5.6" ry="3.6"/><path d="M15 12L20 8.3V15.7Z"/><circle cx="8" cy="11.3" r="0.95" fill="${cut}"/>`,
  // An arrow.
  hunting: () =>
    '<path d="M6.5 17.5L16 8" stroke="#fff" stroke-width="2" stroke-linecap="round"/><path d="M18.6 5.4L13.2 6.6L17.4 10.8Z"/><path d="M6.5 17.5L5.6 14M6.5 17.5L10 18.4" stroke="#fff" stroke-width="1.6" stroke-linecap="round" fill="none"/>',
  // A house and its door.
  community: (cut) => `<path d="M12 4.8L19.5 11.6H17.4V18.8H6.6V11.6H4.5Z"/><rect x="10.5" y="14" width="3" height="4.8" fill="${cut}"/>`,
  // Three dots: anything else.
  other: () => '<circle cx="7.2" cy="12" r="1.9"/><circle cx="12" cy="12" r="1.9"/><circle cx="16.8" cy="12" r="1.9"/>',
};

/** The SVG of a sample category's icon in its colour; the `other` glyph for an id it has none for. */
export function sampleIcon(id: string, color: string): string {
  const glyph = glyphs[id] ?? glyphs.other!;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48" viewBox="0 0 24 24">` +
    `<circle cx="12" cy="12" r="11.5" fill="${color}"/><g fill="#fff">${glyph(color)}</g></svg>`
  );
}
