import { errorMessage, h, type BrowserPluginContext, type Disposable } from '@cairn/sdk/browser';
import { OBSERVATIONS_SERVICE, type ListFilter, type ObservationsService } from '../common/protocol.js';
import { Catalog } from './catalog.js';
import { renderCreate, renderDetail, type DetailDeps } from './detail.js';
import { renderJsonEditor } from './json-editor.js';
import { ListFilterState, renderList } from './list.js';
import { styles } from './styles.js';

/**
 * The analysts' workbench: the "Observations" view (categories, actions), the list as an editor
 * tab, one tab per observation, "Edit as JSON", and the dialogs of import and export.
 */
export function activate(ctx: BrowserPluginContext): void {
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
    matches.text = `${count.toLocaleString()} match${count === 1 ? '' : 'es'}`;
    matches.show();
  };

  const editors = new Map<string, Disposable>();
  const openEditor = (id: string, title: string, render: (container: HTMLElement, close: () => void) => Disposable) => {
    const close = () => {
      editors.get(id)?.dispose();
      editors.delete(id);
    };
    const editor = ctx.editors.open({
      id,
      title,
      render: (container) => {
        const rendered = render(container, close);
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

  const deps = (close: () => void): DetailDeps => ({ ctx, service, catalog, editJson: (id) => editJson(id), close });
  const showList = () =>
    openEditor('observations.list', 'Observations', (container) =>
      renderList(container, ctx, service, catalog, filter, { open, create: () => create(null), import: () => void importFile(), export: () => void exportFile() }, showMatches),
    );
  const open = (id: string) => openEditor(`observations.detail.${id}`, `Observation ${id.slice(0, 6)}`, (container, close) => renderDetail(container, deps(close), id));
  const editJson = (id: string) => openEditor(`observations.json.${id}`, `JSON ${id.slice(0, 6)}`, (container, close) => renderJsonEditor(container, deps(close), id));
  let drafts = 0;
  const create = (at: { lat: number; lon: number } | null) => {
    const editorId = `observations.new.${++drafts}`;
    openEditor(editorId, 'New observation', (container, close) =>
      renderCreate(container, deps(close), at, (id) => {
        close();
        open(id);
      }),
    );
  };

  const exportFile = async () => {
    const formats = (await service.formats()).export;
    const path = await ctx.dialogs.chooseFile({
      title: `Export ${filter.narrowed ? 'the observations the list shows' : 'every observation'} (${formats.map((format) => format.title).join(', ')})`,
      mode: 'save',
      extensions: formats.flatMap((format) => format.extensions),
      defaultName: 'observations.geojson',
    });
    if (path === null) return;
    const extension = path.split('.').pop()?.toLowerCase() ?? '';
    const format = formats.find((candidate) => candidate.extensions.includes(extension));
    if (format === undefined) {
      ctx.notifications.error(`Give the file one of these extensions to choose its format: ${formats.map((candidate) => `.${candidate.extensions[0]} (${candidate.title})`).join(', ')}.`);
      return;
    }
    const { sort: _sort, descending: _descending, ...narrowing } = filter.value;
    try {
      const result = await ctx.withProgress(`Exporting ${format.title}`, (report, signal) =>
        service.export({ ...narrowing, format: format.id, out: path }, { signal, onProgress: report }),
      );
      ctx.notifications.info(`Exported ${result.observations} observations to ${result.file}.`);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_CANCELLED') ctx.notifications.error(errorMessage(error));
    }
  };

  const importFile = async () => {
    const formats = (await service.formats()).import;
    const path = await ctx.dialogs.chooseFile({ title: 'Import observations', mode: 'open', extensions: formats.flatMap((format) => format.extensions) });
    if (path === null) return;
    try {
      const result = await ctx.withProgress('Importing observations', (report, signal) => service.import({ path }, { signal, onProgress: report }));
      for (const rejected of result.rejected.slice(0, 200)) {
        ctx.log('warn', `Not imported (${rejected.line !== undefined ? `line ${rejected.line}` : `feature ${rejected.index}`}): ${rejected.reason}`);
      }
      const message = `Imported ${result.imported} observations from ${result.file}.`;
      if (result.rejected.length === 0) ctx.notifications.info(message);
      else ctx.notifications.warn(`${message} ${result.rejected.length} could not be imported; the Output panel lists why.`);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_CANCELLED') ctx.notifications.error(errorMessage(error));
    }
  };

  const importPresets = async () => {
    const path = await ctx.dialogs.chooseFile({ title: 'Import categories from a Mapeo configuration', mode: 'open', extensions: ['mapeosettings'] });
    if (path === null) return;
    try {
      const result = await ctx.withProgress('Importing categories', (report, signal) => service.importPresets(path, { signal, onProgress: report }));
      for (const warning of result.warnings) ctx.log('warn', warning);
      ctx.notifications.info(
        `Imported ${result.name ?? 'the configuration'}: ${result.presets.created} new categories, ${result.presets.updated} updated${result.warnings.length ? ` (${result.warnings.length} warnings in the Output panel)` : ''}.`,
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
    ctx.views.register('observations.view', (container) => renderView(container)),
  );

  /** The side bar view: what to do, and the categories with their counts (a click filters the list). */
  const renderView = (container: HTMLElement): Disposable => {
    const list = h('ul', { class: 'obs-categories', 'aria-label': 'Categories' });
    const draw = async () => {
      await catalog.ready();
      const counts = new Map((await service.categoryCounts({})).map((entry) => [entry.category, entry.count]));
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
              h('span', { class: 'obs-meta' }, String(counts.get(id) ?? 0)),
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
        h('button', { type: 'button', class: 'secondary', onclick: () => create(null) }, 'New observation'),
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
    const subscriptions = [catalog.onDidChange(redraw), ctx.events.onDidChangeData(redraw)];
    void draw().catch((error: unknown) => list.replaceChildren(h('li', { class: 'view-error' }, errorMessage(error))));
    // Opening the view opens the list beside it.
    showList();
    return {
      dispose: () => {
        clearTimeout(timer);
        for (const subscription of subscriptions) subscription.dispose();
      },
    };
  };
}
