import { countOf, Emitter, errorMessage, h, type BrowserPluginContext, type Disposable, type Remote } from '@cairn/sdk/browser';
import type { ListFilter, ObservationsService } from '../common/protocol.js';
import type { Catalog } from './catalog.js';
import { ObservationGrid } from './grid.js';

/** The list's filter, shared by the list, the Observations view, the status bar and Export. */
export class ListFilterState {
  private current: ListFilter = {};
  private readonly onDidChangeEmitter = new Emitter<ListFilter>();
  readonly onDidChange = this.onDidChangeEmitter.event;

  get value(): ListFilter {
    return this.current;
  }

  /** Merges `patch` in; a key set to undefined (or '') is removed. */
  update(patch: Partial<Record<keyof ListFilter, unknown>>): void {
    const next: Record<string, unknown> = { ...this.current };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined || value === null || value === '') delete next[key];
      else next[key] = value;
    }
    this.current = next as ListFilter;
    this.onDidChangeEmitter.fire(this.current);
  }

  clear(): void {
    const { sort, descending } = this.current;
    this.current = { ...(sort && { sort }), ...(descending !== undefined && { descending }) };
    this.onDidChangeEmitter.fire(this.current);
  }

  /** Whether anything narrows the list (the order does not). */
  get narrowed(): boolean {
    const { sort: _sort, descending: _descending, ...rest } = this.current;
    return Object.keys(rest).length > 0;
  }

  dispose(): void {
    this.onDidChangeEmitter.dispose();
  }
}

export interface ListActions {
  open(id: string): void;
  create(): void;
  import(): void;
  export(): void;
}

/**
 * The "Observations" editor: a toolbar of filters (full-text search, category, dates, the map's
 * view when the map set one) above the grid.
 */
export function renderList(
  container: HTMLElement,
  ctx: BrowserPluginContext,
  service: Remote<ObservationsService>,
  catalog: Catalog,
  state: ListFilterState,
  actions: ListActions,
  onCount: (count: number) => void,
): Disposable {
  const grid = new ObservationGrid(service, catalog, actions.open);
  const search = h('input', { type: 'search', class: 'obs-search', placeholder: 'Search notes', 'aria-label': 'Search notes' });
  const category = h('select', { 'aria-label': 'Category' });
  const from = h('input', { type: 'date', 'aria-label': 'From date', title: 'Created on or after' });
  const to = h('input', { type: 'date', 'aria-label': 'To date', title: 'Created on or before' });
  const mapChip = h('button', { type: 'button', class: 'obs-chip', hidden: true, title: 'Show observations everywhere again' }, 'In the map view ×');
  const clearButton = h('button', { type: 'button', class: 'secondary', 'aria-label': 'Clear filters', title: 'Clear filters' }, 'Clear');
  const count = h('span', { class: 'obs-count', 'aria-live': 'polite' });
  const error = h('p', { class: 'view-error', role: 'alert', hidden: true });
  // What an empty list means: no match for the filters (and why, when the dates cannot match), or no data yet.
  const emptyText = h('span', {});
  const emptyClear = h('button', { type: 'button', class: 'secondary', onclick: () => state.clear() }, 'Show all observations');
  const empty = h('div', { class: 'obs-empty', role: 'status', hidden: true }, emptyText, ' ', emptyClear);
  const toolbar = h(
    'div',
    { class: 'obs-toolbar', role: 'toolbar', 'aria-label': 'Filter observations' },
    search,
    category,
    h('label', { class: 'obs-inline' }, 'From ', from),
    h('label', { class: 'obs-inline' }, 'to ', to),
    mapChip,
    clearButton,
    count,
    h('span', { class: 'obs-spacer' }),
    h('button', { type: 'button', class: 'primary', onclick: () => actions.create() }, 'New'),
    h('button', { type: 'button', class: 'secondary', onclick: () => actions.import() }, 'Import…'),
    h('button', { type: 'button', class: 'secondary', onclick: () => actions.export() }, 'Export…'),
  );
  container.classList.add('obs-list');
  container.append(toolbar, error, empty, grid.element);

  // The project's categories, then those observations use without a preset (an import before its
  // configuration, a sync from a device with another one): each can be filtered on.
  const fillCategories = () => {
    const chosen = state.value.category ?? '';
    const unknown = [...new Set([...catalog.inUse(), chosen])].filter((id) => id !== '' && catalog.preset(id) === null).sort();
    const options = [h('option', { value: '' }, 'All categories'), ...catalog.presets.map((preset) => h('option', { value: preset.id }, preset.name)), ...unknown.map((id) => h('option', { value: id }, id))];
    // Redrawn only when the choice changes: a select redrawn under the user's hand closes.
    const key = options.map((option) => `${option.value}=${option.textContent}`).join('\n');
    if (key !== category.dataset.options) {
      category.dataset.options = key;
      category.replaceChildren(...options);
    }
    category.value = chosen;
  };
  const showFilter = (filter: ListFilter) => {
    if (document.activeElement !== search) search.value = filter.text ?? '';
    category.value = filter.category ?? '';
    from.value = filter.from?.slice(0, 10) ?? '';
    to.value = filter.to?.slice(0, 10) ?? '';
    mapChip.hidden = filter.bbox === undefined;
  };
  const showCount = () => {
    count.textContent = countOf(grid.count, 'observation', 'observations');
    onCount(grid.count);
    const { from: start, to: end } = gridFilter;
    const reversed = start !== undefined && end !== undefined && start > end;
    empty.hidden = grid.count > 0 && !reversed;
    emptyClear.hidden = !state.narrowed;
    emptyText.textContent = reversed
      ? 'The From date is after the To date, so no observation can match: change one of them.'
      : state.narrowed
        ? 'No observation matches these filters.'
        : 'No observations yet: create one, import a file, or sync with another device.';
  };
  const load = async (filter: ListFilter) => {
    try {
      await grid.setFilter(filter);
      error.hidden = true;
    } catch (cause) {
      error.textContent = errorMessage(cause);
      error.hidden = false;
    }
    showCount();
  };

  let typing: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => state.update({ text: search.value.trim() }), 150);
  });
  category.addEventListener('change', () => state.update({ category: category.value }));
  // Whole days: "to" includes the day it names.
  from.addEventListener('change', () => state.update({ from: from.value ? `${from.value}T00:00:00.000Z` : undefined }));
  to.addEventListener('change', () => state.update({ to: to.value ? `${to.value}T23:59:59.999Z` : undefined }));
  mapChip.addEventListener('click', () => state.update({ bbox: undefined }));
  clearButton.addEventListener('click', () => state.clear());
  grid.onDidSort = (filter) => state.update({ sort: filter.sort, descending: filter.descending });

  // Data changed on the host (here, the CLI, a sync): fetch again, a little later if it keeps changing.
  let reloading: ReturnType<typeof setTimeout> | undefined;
  const subscriptions: Disposable[] = [
    state.onDidChange((filter) => {
      showFilter(filter);
      if (JSON.stringify(filter) !== JSON.stringify(gridFilter)) {
        gridFilter = filter;
        void load(filter);
      }
    }),
    catalog.onDidChange(() => {
      fillCategories();
      grid.redraw();
    }),
    catalog.onDidChangeCounts(() => fillCategories()),
    ctx.events.onDidChangeData((changes) => {
      if (!changes.some((change) => change.type === 'observation')) return;
      clearTimeout(reloading);
      reloading = setTimeout(() => void grid.reload().then(showCount, () => undefined), 100);
    }),
  ];
  let gridFilter = state.value;
  fillCategories();
  showFilter(state.value);
  void catalog.ready().then(() => load(state.value));
  return {
    dispose: () => {
      clearTimeout(typing);
      clearTimeout(reloading);
      for (const subscription of subscriptions) subscription.dispose();
      grid.dispose();
    },
  };
}
