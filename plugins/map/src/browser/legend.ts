import { h } from '@cairn/sdk/browser';
import { cssColor } from '../common/colors.js';
import type { MapCategory } from '../common/protocol.js';
import type { MapState } from './state.js';

/**
 * A category of a legend (on the map, and in the Map view): its colour, name and count, as a
 * toggle button — pressed while its points show; a click hides or shows them.
 */
export function legendToggle(category: MapCategory, state: MapState): HTMLButtonElement {
  const shown = !state.isCategoryHidden(category.id);
  return h(
    'button',
    {
      type: 'button',
      class: `map-legend-item${shown ? '' : ' map-legend-off'}`,
      'aria-pressed': shown ? 'true' : 'false',
      title: shown ? `Hide ${category.name} on the map` : `Show ${category.name} on the map`,
      onclick: () => state.toggleCategory(category.id),
    },
    h('span', { class: 'map-swatch', style: `background: ${cssColor(category.color)}` }),
    h('span', { class: 'map-legend-name' }, category.name),
    h('span', { class: 'map-meta' }, category.count.toLocaleString()),
  );
}

/** Categories the legend on the map lists; the Map view lists them all. */
const OVERLAY_CATEGORIES = 12;

/** The legend on the map: a category per row, a click (or Enter) hides or shows its points. */
export class LegendOverlay {
  readonly element = h('ul', { class: 'map-legend map-legend-overlay', 'aria-label': 'Map legend' });

  constructor(private readonly state: MapState) {}

  /** Draws the legend of the points loaded; hidden while there are none or the points layer is off. */
  update(): void {
    const { legend, visible } = this.state;
    this.element.replaceChildren(...legend.slice(0, OVERLAY_CATEGORIES).map((category) => h('li', {}, legendToggle(category, this.state))));
    if (legend.length > OVERLAY_CATEGORIES) this.element.append(h('li', { class: 'map-meta' }, `and ${legend.length - OVERLAY_CATEGORIES} more (the Map view lists all)`));
    this.element.hidden = legend.length === 0 || !visible.points;
  }
}
