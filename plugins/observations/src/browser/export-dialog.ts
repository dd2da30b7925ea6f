import { countOf, ErrorCodes, errorMessage, h, isCairnError, uid, type BrowserPluginContext, type FormatInfo, type Remote } from '@cairn/sdk/browser';
import type { ListFilter, ObservationsService, PathInfo } from '../common/protocol.js';

/** Where the last export went, so the next one starts there (this window's browser keeps it). */
const LAST_FOLDER_KEY = 'cairn.observations.exportFolder';

/** GeoJSON first (what GIS tools and Mapeo read), then the others as their plugins list them. */
function exportFormatsInOrder(formats: readonly FormatInfo[]): FormatInfo[] {
  return [...formats].sort((a, b) => Number(b.id === 'geojson') - Number(a.id === 'geojson'));
}

/**
 * The file name for a format: an extension of any export format is swapped for this format's,
 * any other name gets it added (`observations.geojson` → `observations.csv`; `survey` → `survey.csv`).
 */
function nameForFormat(name: string, format: FormatInfo, formats: readonly FormatInfo[]): string {
  const extension = format.extensions[0] ?? format.id;
  const trimmed = name.trim();
  if (format.extensions.some((candidate) => trimmed.toLowerCase().endsWith(`.${candidate.toLowerCase()}`))) return trimmed;
  const known = formats.flatMap((candidate) => candidate.extensions).sort((a, b) => b.length - a.length);
  const other = known.find((candidate) => trimmed.toLowerCase().endsWith(`.${candidate.toLowerCase()}`));
  const base = other === undefined ? trimmed : trimmed.slice(0, -other.length - 1);
  return `${base || 'observations'}.${extension}`;
}

/** A full path typed in the name box (`/home/…`, `C:\…`, `\\server\…`) is taken as it is, as in any desktop save dialog. */
function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

function joinPath(folder: string, name: string, separator: string): string {
  return isAbsolutePath(name) ? name : `${folder.replace(/[\\/]+$/, '')}${separator}${name}`;
}

export interface ExportScope {
  filter: ListFilter;
  /** The list narrows what is exported (else: every observation). */
  narrowed: boolean;
}

/**
 * "Export observations": a dialog with the format, the file name (its extension follows the
 * format), the folder it goes to and Browse…; the path it writes is shown whole, and a file that
 * is there already is replaced only once the user says so.
 */
export async function showExportDialog(ctx: BrowserPluginContext, service: Remote<ObservationsService>, scope: ExportScope): Promise<void> {
  const { sort: _sort, descending: _descending, ...narrowing } = scope.filter;
  const [formats, home, count] = await Promise.all([
    service.formats().then((all) => exportFormatsInOrder(all.export)),
    service.pathInfo(''),
    service.count(narrowing),
  ]);
  if (formats.length === 0) {
    ctx.notifications.error('No export format is enabled: enable the Observations plugin (or one that adds a format) in Plugins.');
    return;
  }
  let folder = localStorage.getItem(LAST_FOLDER_KEY) ?? home.home;
  const formatId = uid('export-format');
  const nameId = uid('export-name');
  const select = h('select', { id: formatId }, ...formats.map((format) => h('option', { value: format.id }, format.title)));
  const name = h('input', { id: nameId, type: 'text', spellcheck: 'false', autocomplete: 'off', value: nameForFormat('observations', formats[0]!, formats) });
  const folderText = h('code', { class: 'obs-export-folder' });
  const target = h('p', { class: 'obs-meta', 'aria-live': 'polite' });
  const error = h('p', { class: 'view-error', role: 'alert', hidden: true });
  const browse = h('button', { type: 'button', class: 'secondary' }, 'Browse…');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Export');
  const format = () => formats.find((candidate) => candidate.id === select.value) ?? formats[0]!;
  const path = () => joinPath(folder, name.value.trim(), home.separator);
  const showTarget = () => {
    folderText.textContent = folder;
    target.textContent = name.value.trim() === '' ? '' : `Writes ${path()}`;
  };
  const fail = (message: string | null) => {
    error.textContent = message ?? '';
    error.hidden = message === null;
  };

  ctx.dialogs.show({
    title: 'Export observations',
    render: (body, close) => {
      const form = h(
        'form',
        { class: 'obs-export' },
        h('p', {}, scope.narrowed ? `The ${countOf(count, 'observation', 'observations')} the list shows.` : `Every observation of the project (${count.toLocaleString()}).`),
        h('div', { class: 'field' }, h('label', { for: formatId }, 'Format'), select),
        h('div', { class: 'field' }, h('label', { for: nameId }, 'File name'), name),
        h('div', { class: 'obs-export-where' }, h('span', {}, 'In '), folderText, browse),
        target,
        error,
        h('div', { class: 'obs-actions obs-actions-end' }, cancel, submit),
      );
      body.append(form);
      select.addEventListener('change', () => {
        name.value = nameForFormat(name.value, format(), formats);
        showTarget();
      });
      name.addEventListener('input', () => {
        fail(null);
        showTarget();
      });
      browse.addEventListener('click', async () => {
        const chosen = await ctx.dialogs.chooseFile({ title: 'Export to', mode: 'save', extensions: format().extensions, defaultName: name.value.trim() || 'observations', folder });
        if (chosen === null) return;
        const at = Math.max(chosen.lastIndexOf('/'), chosen.lastIndexOf('\\'));
        folder = at > 0 ? chosen.slice(0, at) : folder;
        name.value = nameForFormat(chosen.slice(at + 1), format(), formats);
        showTarget();
        name.focus();
      });
      cancel.addEventListener('click', close);
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        void exportTo(close);
      });
      showTarget();
      name.focus();
      name.setSelectionRange(0, name.value.lastIndexOf('.') > 0 ? name.value.lastIndexOf('.') : name.value.length);
    },
  });

  /** Checks the target, asks before replacing a file, then exports with progress. */
  async function exportTo(close: () => void): Promise<void> {
    if (name.value.trim() === '') return fail('Type a file name, e.g. observations.geojson.');
    const chosen = format();
    let info: PathInfo;
    try {
      info = await service.pathInfo(path());
    } catch (cause) {
      return fail(errorMessage(cause));
    }
    if (info.kind === 'folder') return fail(`${info.path} is a folder: type a file name.`);
    if (info.kind === 'file') {
      const replace = await ctx.dialogs.confirm({
        title: 'Replace the file?',
        message: `${info.path} exists already. Replace it with this export?`,
        confirm: 'Replace',
        danger: true,
      });
      if (!replace) return;
    }
    close();
    try {
      const result = await ctx.withProgress(`Exporting ${chosen.title}`, (report, signal) =>
        service.export({ ...narrowing, format: chosen.id, out: info.path }, { signal, onProgress: report }),
      );
      const at = Math.max(result.file.lastIndexOf('/'), result.file.lastIndexOf('\\'));
      if (at > 0) localStorage.setItem(LAST_FOLDER_KEY, result.file.slice(0, at));
      ctx.notifications.info(`Exported ${countOf(result.observations, 'observation', 'observations')} to ${result.file}.`);
    } catch (cause) {
      if (!isCairnError(cause, ErrorCodes.CANCELLED)) ctx.notifications.error(errorMessage(cause));
    }
  }
}
