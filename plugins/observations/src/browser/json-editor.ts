import { errorMessage, formatDateTime, h, type Disposable } from '@cairn/sdk/browser';
import { getLocation } from 'jsonc-parser';
import { describeChanges, editableOf, editSchema, parseEditable, patchBetween } from '../common/edit-json.js';
import type { DetailDeps } from './detail.js';

type MonacoModule = typeof import('./monaco.js');

let loading: Promise<MonacoModule> | null = null;

/** Monaco, once per window: its script and its stylesheet, from beside this plugin's entry. */
function loadMonaco(): Promise<MonacoModule> {
  loading ??= (async () => {
    const css = h('link', { rel: 'stylesheet', href: new URL('./monaco.css', import.meta.url).href });
    document.head.append(css);
    return (await import(/* @vite-ignore */ new URL('./monaco.js', import.meta.url).href)) as MonacoModule;
  })();
  return loading;
}

/**
 * "Edit as JSON": the observation's editable part in Monaco, validated against its JSON schema as
 * the user types (markers in the editor). Saving refuses invalid JSON and schema errors, and
 * shows what changed before it writes a new version.
 */
export function renderJsonEditor(container: HTMLElement, deps: DetailDeps, id: string): Disposable {
  const { service, catalog, ctx } = deps;
  const host = h('div', { class: 'obs-monaco', 'aria-label': 'Observation JSON' });
  const problems = h('div', { class: 'view-error', role: 'alert', hidden: true });
  const review = h('div', { class: 'obs-review', hidden: true });
  const save = h('button', { type: 'button', class: 'primary' }, 'Save');
  const status = h('span', { class: 'obs-meta', role: 'status' }, 'Loading the editor…');
  container.classList.add('obs-json');
  container.append(h('div', { class: 'obs-actions' }, save, status), problems, review, host);
  let disposed = false;
  const disposables: Array<{ dispose(): void }> = [];

  void (async () => {
    try {
      const [{ monaco, jsonDefaults, validateNow }, detail] = await Promise.all([loadMonaco(), service.detail(id), catalog.ready()]);
      if (disposed) return;
      const before = editableOf(detail.observation);
      const uri = monaco.Uri.parse(`cairn://observations/${id}.json`);
      jsonDefaults.setDiagnosticsOptions({
        validate: true,
        allowComments: false,
        // A value the host would refuse is an error, not a warning: it blocks Save.
        schemaValidation: 'error',
        schemas: [{ uri: 'cairn://schemas/observation-edit.json', fileMatch: ['cairn://observations/*'], schema: editSchema(catalog.presets) }],
      });
      const model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(JSON.stringify(before, null, 2), 'json', uri);
      const original = JSON.stringify(before, null, 2);
      model.setValue(original);
      disposables.push(model.onDidChangeContent(() => deps.editor.setDirty(model.getValue() !== original)));
      // The workbench's theme (which the user may have chosen), not only the system's.
      const dark = document.documentElement.dataset.theme === 'dark';
      const editor = monaco.editor.create(host, { model, automaticLayout: true, minimap: { enabled: false }, theme: dark ? 'vs-dark' : 'vs', fontSize: 13, scrollBeyondLastLine: false });
      disposables.push(editor, model);
      status.textContent = `Version of ${formatDateTime(detail.observation.updatedAt)}`;
      editor.focus();

      save.addEventListener('click', async () => {
        review.hidden = true;
        const text = model.getValue();
        const parsed = parseEditable(text);
        // The text as it is now, not the markers (they follow the typing half a second late).
        const diagnostics = 'error' in parsed ? [] : (await validateNow(uri).catch(() => [])).filter((diagnostic) => diagnostic.severity === 1);
        const reasons = 'error' in parsed ? [parsed.error] : diagnostics.map((diagnostic) => `${fieldAt(text, model.getOffsetAt({ lineNumber: diagnostic.range.start.line + 1, column: diagnostic.range.start.character + 1 }), diagnostic.range.start.line + 1)}: ${diagnostic.message}`);
        problems.replaceChildren(...(reasons.length > 0 ? [h('strong', {}, 'Not saved. '), ...reasons.map((reason) => h('div', {}, reason))] : []));
        problems.hidden = reasons.length === 0;
        if (reasons.length > 0 || 'error' in parsed) return;
        const changes = describeChanges(before, parsed.value);
        if (changes.length === 0) return ctx.notifications.info('Nothing changed.');
        const confirm = h('button', { type: 'button', class: 'primary' }, 'Save these changes');
        const cancel = h('button', { type: 'button', class: 'secondary' }, 'Keep editing');
        review.replaceChildren(h('strong', {}, 'What changes:'), h('ul', { 'aria-label': 'Changes' }, ...changes.map((change) => h('li', {}, change))), h('div', { class: 'obs-actions' }, confirm, cancel));
        review.hidden = false;
        cancel.addEventListener('click', () => (review.hidden = true));
        confirm.addEventListener('click', async () => {
          try {
            await service.update(id, patchBetween(before, parsed.value), null);
            ctx.notifications.info(`Saved a new version: ${changes.join('; ')}.`);
            deps.editor.setDirty(false);
            deps.close();
          } catch (error) {
            problems.replaceChildren(h('strong', {}, 'Not saved. '), errorMessage(error));
            problems.hidden = false;
          }
        });
        confirm.focus();
      });
    } catch (error) {
      status.textContent = '';
      problems.textContent = `The editor could not be opened: ${errorMessage(error)}`;
      problems.hidden = false;
    }
  })();

  return {
    dispose: () => {
      disposed = true;
      for (const disposable of disposables) disposable.dispose();
    },
  };
}

/** The field a problem is in (`lat`, `tags.count`), to name it; the line when it is in none. */
function fieldAt(text: string, offset: number, line: number): string {
  const path = getLocation(text, offset).path.filter((part) => part !== '');
  return path.length === 0 ? `Line ${line}` : path.map(String).join('.');
}
