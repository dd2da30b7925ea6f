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
