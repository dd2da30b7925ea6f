import { clear, formatDateTime, h, type Disposable, type ObservationSortKey, type Remote } from '@cairn/sdk/browser';
import type { GridRow, ListFilter, ObservationsService } from '../common/protocol.js';
import type { Catalog } from './catalog.js';

const ROW_HEIGHT = 28;
/** Rows fetched per request: a screenful or two. */
const PAGE = 100;
/** Rows drawn above and below the visible ones, so a fast scroll shows rows rather than gaps. */
const OVERSCAN = 10;
/** Pages kept in the window; the others are fetched again when scrolled back to. */
const KEEP_PAGES = 40;

interface Column {
  key: ObservationSortKey;
  title: string;
  width: string;
  cell(row: GridRow, catalog: Catalog): Node | string;
}

const columns: Column[] = [
  { key: 'createdAt', title: 'Date', width: '180px', cell: (row) => formatDateTime(row.createdAt) },
  {
    key: 'category',
    title: 'Category',
    width: '170px',
    cell: (row, catalog) => h('span', { class: 'obs-category' }, catalog.icon(row.category), catalog.categoryName(row.category)),
  },
  { key: 'notes', title: 'Notes', width: 'minmax(160px, 1fr)', cell: (row) => row.notes.split('\n', 1)[0]! },
  { key: 'lat', title: 'Latitude', width: '92px', cell: (row) => row.lat.toFixed(5) },
  { key: 'lon', title: 'Longitude', width: '98px', cell: (row) => row.lon.toFixed(5) },
  { key: 'createdBy', title: 'Author', width: '120px', cell: (row, catalog) => catalog.deviceName(row.createdBy) },
  { key: 'attachments', title: 'Photos', width: '70px', cell: (row) => (row.attachments === 0 ? '' : String(row.attachments)) },
];

/**
 * The observation list: an ARIA grid ("Observations", `aria-rowcount` = the matches) that draws
 * only the rows in view and fetches them a page at a time, so 100k rows scroll like 100. Sorting
 * is the host's (an index query), as is filtering.
 */
export class ObservationGrid implements Disposable {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly header: HTMLElement;
  private filter: ListFilter = {};
  private total = 0;
  /** Bumped on every new filter or data change; late pages of an older one are dropped. */
  private generation = 0;
  private readonly pages = new Map<number, GridRow[]>();
  private readonly pending = new Set<number>();
  private active = 0;
  private frame = 0;
  private readonly template: string;
  private readonly resize: ResizeObserver;
  private firstDrawn = false;
  private counted = false;

  constructor(
    private readonly service: Remote<ObservationsService>,
    private readonly catalog: Catalog,
    private readonly open: (id: string) => void,
  ) {
    this.template = columns.map((column) => column.width).join(' ');
    this.header = h('div', { role: 'row', class: 'obs-grid-row obs-grid-header', style: `grid-template-columns:${this.template}` });
    this.spacer = h('div', { class: 'obs-grid-spacer' });
    this.body = h('div', { role: 'rowgroup', class: 'obs-grid-body' }, this.spacer);
    this.element = h(
      'div',
      { role: 'grid', 'aria-label': 'Observations', 'aria-rowcount': '0', 'aria-colcount': String(columns.length), 'aria-readonly': 'true', tabindex: '0', class: 'obs-grid' },
      h('div', { role: 'rowgroup', class: 'obs-grid-head' }, this.header),
      this.body,
    );
    this.body.addEventListener('scroll', () => this.schedule());
    this.element.addEventListener('keydown', (event) => this.onKey(event));
    this.resize = new ResizeObserver(() => this.schedule());
    this.resize.observe(this.body);
    this.renderHeader();
    performance.mark('observations:grid-created');
  }

  get count(): number {
    return this.total;
  }

  /** Shows the observations `filter` matches, from the top. Resolves once the first rows are drawn. */
  async setFilter(filter: ListFilter): Promise<void> {
    this.filter = { ...filter };
    this.active = 0;
    this.body.scrollTop = 0;
    this.renderHeader();
    await this.reload();
  }

  /** Fetches again (the data changed), keeping the scroll position. */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    const total = await this.service.count(this.filter);
    if (generation !== this.generation) return;
    this.pages.clear();
    this.pending.clear();
    this.total = total;
    this.counted = true;
    this.element.setAttribute('aria-rowcount', String(total));
    this.spacer.style.height = `${total * ROW_HEIGHT}px`;
    this.active = Math.min(this.active, Math.max(0, total - 1));
    const [first] = this.visibleRange();
    await this.fetch(Math.floor(first / PAGE), generation);
    this.draw();
  }

  /** Draws the rows again (category names or device names changed). */
  redraw(): void {
    this.schedule();
  }

  private renderHeader(): void {
    clear(this.header);
    const sort = this.filter.sort ?? 'createdAt';
    const descending = this.filter.descending ?? (sort === 'createdAt' || sort === 'updatedAt');
    columns.forEach((column, index) => {
      const sorted = column.key === sort;
      this.header.append(
        h(
          'div',
          { role: 'columnheader', 'aria-colindex': String(index + 1), 'aria-sort': sorted ? (descending ? 'descending' : 'ascending') : 'none', class: 'obs-grid-cell' },
          h(
            'button',
            { type: 'button', class: 'obs-sort', title: `Sort by ${column.title.toLowerCase()}`, onclick: () => void this.sortBy(column.key) },
            column.title,
            sorted ? (descending ? ' ▼' : ' ▲') : '',
          ),
        ),
      );
    });
  }

  private async sortBy(key: ObservationSortKey): Promise<void> {
    const current = this.filter.sort ?? 'createdAt';
    const descending = current === key ? !(this.filter.descending ?? (key === 'createdAt' || key === 'updatedAt')) : key === 'createdAt' || key === 'updatedAt';
    await this.setFilter({ ...this.filter, sort: key, descending });
    this.onDidSort?.(this.filter);
  }

  /** Told when the user sorts by a column (the list keeps the order in its filter). */
  onDidSort: ((filter: ListFilter) => void) | null = null;

  private visibleRange(): [number, number] {
    const first = Math.max(0, Math.floor(this.body.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.total, Math.ceil((this.body.scrollTop + (this.body.clientHeight || 600)) / ROW_HEIGHT) + OVERSCAN);
    return [first, last];
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private async fetch(page: number, generation: number): Promise<void> {
    if (this.pages.has(page) || this.pending.has(page) || page * PAGE >= this.total) return;
    this.pending.add(page);
    try {
      const rows = await this.service.page(this.filter, page * PAGE, PAGE);
      if (generation !== this.generation) return;
      this.pages.set(page, rows);
      // Forget the pages farthest from this one.
      if (this.pages.size > KEEP_PAGES) {
        const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - page) - Math.abs(a - page));
        for (const old of far.slice(0, this.pages.size - KEEP_PAGES)) this.pages.delete(old);
      }
    } finally {
      this.pending.delete(page);
    }
  }

  private draw(): void {
    const [first, last] = this.visibleRange();
    const missing = new Set<number>();
    const rows: HTMLElement[] = [];
    for (let index = first; index < last; index++) {
      const page = Math.floor(index / PAGE);
      const row = this.pages.get(page)?.[index % PAGE];
      if (row === undefined) missing.add(page);
      rows.push(this.renderRow(index, row));
    }
    this.spacer.replaceChildren(...rows);
    // For the benchmark: when the first rows with data were drawn (or the empty list was).
    if (!this.firstDrawn && this.counted && (missing.size === 0 || this.total === 0)) {
      this.firstDrawn = true;
      performance.mark('observations:grid-first-rows');
    }
    this.element.setAttribute('aria-activedescendant', this.total > 0 ? `obs-row-${this.active}` : '');
    if (missing.size > 0) {
      const generation = this.generation;
      void Promise.all([...missing].map((page) => this.fetch(page, generation))).then(() => {
        if (generation === this.generation) this.schedule();
      });
    }
  }

  private renderRow(index: number, row: GridRow | undefined): HTMLElement {
    const element = h('div', {
      role: 'row',
      id: `obs-row-${index}`,
      'aria-rowindex': String(index + 1),
      'aria-selected': index === this.active ? 'true' : 'false',
      class: `obs-grid-row${index === this.active ? ' active' : ''}${row?.forked ? ' forked' : ''}`,
      style: `top:${index * ROW_HEIGHT}px;grid-template-columns:${this.template}`,
      dataset: row ? { id: row.id } : {},
    });
    columns.forEach((column, position) =>
      element.append(h('div', { role: 'gridcell', 'aria-colindex': String(position + 1), class: 'obs-grid-cell' }, row ? column.cell(row, this.catalog) : position === 0 ? '…' : '')),
    );
    if (row) {
      element.addEventListener('click', () => {
        this.active = index;
        this.element.focus();
        this.open(row.id);
        this.schedule();
      });
    }
    return element;
  }

  private onKey(event: KeyboardEvent): void {
    if (this.total === 0) return;
    const perScreen = Math.max(1, Math.floor(this.body.clientHeight / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: perScreen, PageUp: -perScreen, Home: -Infinity, End: Infinity };
    if (event.key in moves) {
      event.preventDefault();
      this.active = Math.max(0, Math.min(this.total - 1, this.active + moves[event.key]!));
      const top = this.active * ROW_HEIGHT;
      if (top < this.body.scrollTop) this.body.scrollTop = top;
      else if (top + ROW_HEIGHT > this.body.scrollTop + this.body.clientHeight) this.body.scrollTop = top + ROW_HEIGHT - this.body.clientHeight;
      this.draw();
    } else if (event.key === 'Enter') {
      const row = this.pages.get(Math.floor(this.active / PAGE))?.[this.active % PAGE];
      if (row) {
        event.preventDefault();
        this.open(row.id);
      }
    }
  }

  dispose(): void {
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.resize.disconnect();
    this.generation++;
    this.element.remove();
  }
}
