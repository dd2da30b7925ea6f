import { countOf, ErrorCodes, errorMessage, h, isCairnError, type BrowserPluginContext, type Disposable, type EditorContext, type Event } from '@cairn/sdk/browser';
import { OBSERVATIONS_SERVICE, type ListFilter, type ObservationsService } from '../common/protocol.js';
import { Catalog } from './catalog.js';
import { renderCreate, renderDetail, type DetailDeps } from './detail.js';
import { showExportDialog } from './export-dialog.js';
import { renderJsonEditor } from './json-editor.js';
import { ListFilterState, renderList } from './list.js';
import { lastPlace, type Place } from './places.js';
import { styles } from './styles.js';

/** What this plugin offers other plugins' workbench sides (`ctx.plugins.exports('observations')`). */
export interface ObservationsApi {
  /** The list's filter: the map draws what the list shows. */
  readonly filter: { readonly value: ListFilter; readonly onDidChange: Event<ListFilter> };
}

/**
 * The analysts' workbench: the "Observations" view (categories, actions), the list as an editor
 * tab, one tab per observation, "Edit as JSON", and the dialogs of import and export.
 */
export function activate(ctx: BrowserPluginContext): ObservationsApi {
  const service = ctx.services.get<ObservationsService>(OBSERVATIONS_SERVICE);
  const catalog = new Catalog(ctx, service);
  const filter = new ListFilterState();
  const style = h('style', { 'data-plugin': 'observations' }, styles);
  document.head.append(style);
  ctx.subscriptions.push({ dispose: () => style.remove() }, filter);

  const matches = ctx.statusBar.createItem({ id: 'observations.matches', text: '', tooltip: 'Observations the list shows', alignment: 'right', priority: 10, command: 'observations.showList' });
  matches.hide();
  ctx.subscriptions.push(matches);
  const showMatches = (count: number) => {
    matches.text = countOf(count, 'match', 'matches');
    matches.show();
  };

  const editors = new Map<string, Disposable>();
  const openEditor = (
    id: string,
    title: string,
    render: (container: HTMLElement, editor: EditorContext, close: () => void) => Disposable,
    restore?: { command: string; args?: unknown[] },
  ) => {
    const close = () => {
      editors.get(id)?.dispose();
      editors.delete(id);
    };
    const editor = ctx.editors.open({
      id,
      title,
      ...(restore !== undefined && { restore }),
      render: (container, context) => {
        const rendered = render(container, context, close);
        return {
          dispose: () => {
            rendered.dispose();
            editors.delete(id);
            if (id === 'observations.list') matches.hide();
          },
        };
      },
    });
    editors.set(id, editor);
  };

  const deps = (editor: EditorContext, close: () => void): DetailDeps => ({ ctx, service, catalog, editor, editJson: (id) => editJson(id), close });
  const showList = () =>
    openEditor(
      'observations.list',
      'Observations',
      (container) => renderList(container, ctx, service, catalog, filter, { open, create: () => void create(null), import: () => void importFile(), export: () => void exportFile() }, showMatches),
      { command: 'observations.showList' },
    );
  const open = (id: string) =>
    openEditor(`observations.detail.${id}`, 'Observation', (container, editor, close) => renderDetail(container, deps(editor, close), id), { command: 'observations.open', args: [id] });
  const editJson = (id: string) =>
    openEditor(`observations.json.${id}`, 'Observation JSON', (container, editor, close) => renderJsonEditor(container, deps(editor, close), id), { command: 'observations.editJson', args: [id] });

  /** Where a new observation starts: where it was asked for, else the map's centre, else the last place used. */
  const startingPlace = async (at: Place | null): Promise<Place | null> => {
    if (at !== null) return at;
    const view = await ctx.commands.execute<[number, number, number, number] | null>('map.getView').catch(() => null);
    if (Array.isArray(view) && view.length === 4) return { lat: round((view[1] + view[3]) / 2), lon: round((view[0] + view[2]) / 2) };
    return lastPlace();
  };
  let drafts = 0;
  const create = async (at: Place | null) => {
    const place = await startingPlace(at);
    const editorId = `observations.new.${++drafts}`;
    openEditor(editorId, 'New observation', (container, editor, close) =>
      renderCreate(container, deps(editor, close), place, (id) => {
        close();
        open(id);
      }),
    );
  };

  const exportFile = () => showExportDialog(ctx, service, { filter: filter.value, narrowed: filter.narrowed }).catch((error: unknown) => ctx.notifications.error(errorMessage(error)));

  const importFile = async () => {
    const formats = (await service.formats()).import;
    const path = await ctx.dialogs.chooseFile({ title: 'Import observations', mode: 'open', extensions: formats.flatMap((format) => format.extensions) });
    if (path === null) return;
    try {
      const result = await ctx.withProgress('Importing observations', (report, signal) => service.import({ path }, { signal, onProgress: report }));
      for (const rejected of result.rejected.slice(0, 200)) {
        ctx.log('warn', `Not imported (${rejected.line !== undefined ? `line ${rejected.line}` : `feature ${rejected.index}`}): ${rejected.reason}`);
      }
      const skipped = result.skipped ?? 0;
      const parts = [`Imported ${countOf(result.imported, 'observation', 'observations')} from ${result.file}.`];
      if (skipped > 0) parts.push(`Skipped ${countOf(skipped, 'observation that was', 'observations that were')} imported before.`);
      if (result.rejected.length > 0) parts.push(`${countOf(result.rejected.length, 'row', 'rows')} could not be imported; the Output panel lists why.`);
      if (result.rejected.length === 0) ctx.notifications.info(parts.join(' '));
      else ctx.notifications.warn(parts.join(' '));
    } catch (error) {
      if (!isCairnError(error, ErrorCodes.CANCELLED)) ctx.notifications.error(errorMessage(error));
    }
  };

  const importPresets = async () => {
    const path = await ctx.dialogs.chooseFile({ title: 'Import categories (a .mapeosettings or .comapeocat file, or a configuration folder)', mode: 'open', extensions: ['mapeosettings', 'comapeocat'], folders: true });
    if (path === null) return;
    try {
      const result = await ctx.withProgress('Importing categories', (report, signal) => service.importPresets(path, { signal, onProgress: report }));
      for (const warning of result.warnings) ctx.log('warn', warning);
      ctx.notifications.info(
        `Imported ${result.name ?? 'the configuration'}: ${countOf(result.presets.created, 'new category', 'new categories')}, ${result.presets.updated} updated${result.warnings.length ? ` (${countOf(result.warnings.length, 'warning', 'warnings')} in the Output panel)` : ''}.`,
      );
    } catch (error) {
      ctx.notifications.error(errorMessage(error));
    }
  };

  ctx.subscriptions.push(
    ctx.commands.register('observations.showList', () => showList()),
    // From the palette; the map plugin passes the clicked point.
    ctx.commands.register('observations.create', (at?: { lat?: number; lon?: number }) =>
      create(typeof at?.lat === 'number' && typeof at.lon === 'number' ? { lat: at.lat, lon: at.lon } : null),
    ),
    ctx.commands.register('observations.open', (id: string) => open(id)),
    ctx.commands.register('observations.editJson', (id: string) => editJson(id)),
    // For other plugins (the map offers its view's box): narrow the list, and show it.
    ctx.commands.register('observations.setFilter', (patch: Partial<ListFilter>) => {
      filter.update(patch ?? {});
      showList();
    }),
    ctx.commands.register('observations.export', () => exportFile()),
    ctx.commands.register('observations.import', () => importFile()),
    ctx.commands.register('observations.importPresets', () => importPresets()),
    ctx.views.register('observations.view', (container, view) => {
      // Showing the view opens the list beside it, when it is not open already (and there is a
      // project: until then the welcome page is what the editor area shows).
      const ensureList = () => {
        if (ctx.project !== null && !editors.has('observations.list')) showList();
      };
      ensureList();
      const shown = view.onDidChangeVisibility((visible) => visible && ensureList());
      const rendered = renderView(container);
      return { dispose: () => (shown.dispose(), rendered.dispose()) };
    }),
  );

  /** The side bar view: what to do, and the categories with their counts (a click filters the list). */
  const renderView = (container: HTMLElement): Disposable => {
    const list = h('ul', { class: 'obs-categories', 'aria-label': 'Categories' });
    const draw = async () => {
      if (ctx.project === null) {
        list.replaceChildren(h('li', { class: 'view-message' }, 'No project yet: create or join one.'));
        return;
      }
      await catalog.ready();
      const counts = catalog.counts;
      // The project's categories, then any that observations use without a preset.
      const ids = [...catalog.presets.map((preset) => preset.id), ...[...counts.keys()].filter((id): id is string => id !== null && catalog.preset(id) === null).sort()];
      list.replaceChildren(
        ...ids.map((id) =>
          h(
            'li',
            {},
            h(
              'button',
              { type: 'button', class: 'obs-category-button', onclick: () => (filter.update({ category: id }), showList()) },
              catalog.icon(id, 20),
              h('span', {}, catalog.categoryName(id)),
              h('span', { class: 'obs-meta' }, (counts.get(id) ?? 0).toLocaleString()),
            ),
          ),
        ),
      );
      if (ids.length === 0) list.append(h('li', { class: 'view-message' }, 'No categories yet: import a Mapeo configuration.'));
    };
    container.append(
      h(
        'div',
        { class: 'obs-view-actions' },
        h('button', { type: 'button', class: 'primary', onclick: () => showList() }, 'Open the list'),
        h('button', { type: 'button', class: 'secondary', onclick: () => void create(null) }, 'New observation'),
        h('button', { type: 'button', class: 'secondary', onclick: () => void importFile() }, 'Import…'),
        h('button', { type: 'button', class: 'secondary', onclick: () => void exportFile() }, 'Export…'),
        h('button', { type: 'button', class: 'secondary', onclick: () => void importPresets() }, 'Import categories…'),
      ),
      h('h3', { class: 'obs-view-heading' }, 'Categories'),
      list,
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const redraw = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void draw().catch((error: unknown) => list.replaceChildren(h('li', { class: 'view-error' }, errorMessage(error)))), 300);
    };
    const subscriptions = [catalog.onDidChange(redraw), catalog.onDidChangeCounts(redraw), ctx.events.onDidChangeProject(redraw)];
    void draw().catch((error: unknown) => list.replaceChildren(h('li', { class: 'view-error' }, errorMessage(error))));
    return {
      dispose: () => {
        clearTimeout(timer);
        for (const subscription of subscriptions) subscription.dispose();
      },
    };
  };

  return { filter: { get value() { return filter.value; }, onDidChange: filter.onDidChange } };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
