import { errorMessage, type ChooseFileOptions } from '@cairn/sdk/browser';
import { WorkbenchRpc, type FolderListing } from '../common/workbench-protocol.js';
import { clear, h, uid } from './dom.js';
import type { HostClient } from './rpc-client.js';

/**
 * Browser mode's file chooser: the page cannot see the host's disk, so it browses the host's
 * folders over the RPC. Folders open on click; a file's name fills the name field; Enter chooses,
 * Escape cancels.
 */
export function chooseHostFile(host: HTMLElement, client: HostClient, options: ChooseFileOptions, startFolder: string | null): Promise<string | null> {
  return new Promise((resolve) => {
    const titleId = uid('chooser-title');
    const folder = h('input', { type: 'text', class: 'chooser-folder', 'aria-label': 'Folder', spellcheck: 'false' });
    const up = h('button', { class: 'secondary', type: 'button', 'aria-label': 'Parent folder' }, 'Up');
    const list = h('ul', { class: 'chooser-list', role: 'listbox', 'aria-label': 'Files and folders', tabindex: '0' });
    const name = h('input', { type: 'text', 'aria-label': 'File name', spellcheck: 'false', value: options.defaultName ?? '' });
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const choose = h('button', { class: 'primary', type: 'submit' }, options.mode === 'save' ? 'Choose' : 'Open');
    // A folder may be the answer (a Mapeo configuration folder): the one open, with its name blank.
    const chooseFolder = options.folders ? h('button', { class: 'secondary', type: 'button' }, 'Choose this folder') : null;
    const hint = options.folders ? h('p', { class: 'chooser-hint' }, 'Pick a file, or open a folder and choose it.') : null;
    const cancel = h('button', { class: 'secondary', type: 'button' }, 'Cancel');
    const form = h(
      'form',
      { class: 'chooser' },
      h('div', { class: 'chooser-bar' }, up, folder),
      list,
      h('label', { class: 'field' }, 'File name', name),
      hint,
      error,
      h('div', { class: 'chooser-actions' }, cancel, chooseFolder, choose),
    );
    const dialog = h('div', { class: 'modal', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId }, h('h2', { id: titleId }, options.title), form);
    const backdrop = h('div', { class: 'modal-backdrop' }, dialog);
    host.append(backdrop);
    const returnFocus = document.activeElement as HTMLElement | null;

    let current: FolderListing | null = null;
    const separator = () => (current?.path.includes('\\') ? '\\' : '/');
    const pathOf = (entry: string) => (current === null ? entry : `${current.path.replace(/[\\/]+$/, '')}${separator()}${entry}`);
    const finish = (result: string | null) => {
      backdrop.remove();
      returnFocus?.focus?.();
      resolve(result);
    };
    const show = (message: string | null) => {
      error.textContent = message ?? '';
      error.hidden = message === null;
    };
    let latest = 0;
    const open = async (path: string | null, typed = false) => {
      // Only the folder asked for last is shown, however the answers come back.
      const request = ++latest;
      let listing: FolderListing;
      try {
        listing = await client.request<FolderListing>(WorkbenchRpc.listFolder, path === null ? {} : { path });
      } catch (failure) {
        if (request === latest) show(errorMessage(failure));
        return;
      }
      if (request !== latest) return;
      current = listing;
      show(null);
      // Never under the user's hands: a listing that lands while they type in the folder field
      // would replace (or splice into) what they typed. Their own Enter shows the path as found.
      if (typed || document.activeElement !== folder) folder.value = current.path;
      up.disabled = current.parent === null;
      clear(list);
      const wanted = (options.extensions ?? []).map((extension) => `.${extension.toLowerCase()}`);
      for (const entry of current.entries) {
        if (entry.kind === 'file' && wanted.length > 0 && !wanted.some((extension) => entry.name.toLowerCase().endsWith(extension))) continue;
        const option = h(
          'li',
          { role: 'option', class: `chooser-entry chooser-${entry.kind}`, 'aria-selected': 'false', tabindex: '-1', dataset: { name: entry.name } },
          entry.kind === 'folder' ? `${entry.name}/` : entry.name,
        );
        option.addEventListener('click', () => {
          if (entry.kind === 'folder') void open(pathOf(entry.name));
          else {
            name.value = entry.name;
            for (const other of list.querySelectorAll('[aria-selected="true"]')) other.setAttribute('aria-selected', 'false');
            option.setAttribute('aria-selected', 'true');
          }
        });
        option.addEventListener('dblclick', () => entry.kind === 'file' && finish(pathOf(entry.name)));
        list.append(option);
      }
      if (list.childElementCount === 0) list.append(h('li', { class: 'view-message', role: 'presentation' }, 'Empty folder'));
    };

    up.addEventListener('click', () => current?.parent && void open(current.parent));
    // Typing a folder supersedes any listing still on its way, which would otherwise overwrite
    // the half-typed path when it lands.
    folder.addEventListener('input', () => (latest += 1));
    folder.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        void open(folder.value, true);
      }
    });
    cancel.addEventListener('click', () => finish(null));
    chooseFolder?.addEventListener('click', () => current !== null && finish(current.path));
    dialog.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        finish(null);
      }
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const typed = name.value.trim();
      if (typed === '' || /[\\/]/.test(typed)) return show('Type a file name (without folders), or pick a file from the list.');
      const chosen = options.mode === 'save' ? withExtension(typed, options.extensions ?? []) : typed;
      const entry = current?.entries.find((candidate) => candidate.name === chosen);
      if (options.mode === 'open' && (entry === undefined || (entry.kind === 'folder' && !options.folders))) {
        return show(`There is no ${options.folders ? 'file or folder' : 'file'} '${chosen}' in this folder.`);
      }
      finish(pathOf(chosen));
    });
    // Focus goes in at once: moved later (when the listing lands), it could land in the middle of
    // what the user is typing elsewhere in the dialog, and send an Enter to the wrong field.
    name.focus();
    void open(startFolder);
  });
}

/**
 * The name to save as: kept when it ends in one of the offered extensions (any of them, not only
 * the first: `observations.geojson` among GeoJSON, CSV and zip), else given the first.
 */
export function withExtension(name: string, extensions: readonly string[]): string {
  const lower = name.toLowerCase();
  if (extensions.length === 0 || extensions.some((extension) => lower.endsWith(`.${extension.toLowerCase()}`))) return name;
  return `${name}.${extensions[0]}`;
}
