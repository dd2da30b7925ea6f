import { append, clear, errorMessage, formatDateTime, formatNumber, h, type AttachmentVariant, type BrowserPluginContext, type Disposable, type EditorContext, type Observation, type Remote } from '@cairn/sdk/browser';
import { describeChanges, editableOf, patchBetween } from '../common/edit-json.js';
import type { ObservationDetail, ObservationsService } from '../common/protocol.js';
import type { Catalog } from './catalog.js';
import { ObservationForm, type FormValues } from './form.js';
import { rememberPlace, type Place } from './places.js';

export interface DetailDeps {
  ctx: BrowserPluginContext;
  service: Remote<ObservationsService>;
  catalog: Catalog;
  /** The tab the detail is in: its title, and whether it holds unsaved work. */
  editor: EditorContext;
  editJson(id: string): void;
  /** Closes the editor the detail is in. */
  close(): void;
}

/** A tab's title for an observation: its category and when it was made. */
function observationTitle(catalog: Catalog, observation: Pick<Observation, 'category' | 'createdAt'>): string {
  return `${catalog.categoryName(observation.category) || 'Observation'} · ${formatDateTime(observation.createdAt)}`;
}

/**
 * One observation: its form (edit and save as a new version), photos, the fork banner when two
 * devices edited it at once, its history, and delete. It follows changes made elsewhere: drawn
 * again when untouched, a notice when the user has unsaved edits.
 */
export function renderDetail(container: HTMLElement, deps: DetailDeps, id: string): Disposable {
  const { ctx, service, catalog } = deps;
  const urls: string[] = [];
  let form: ObservationForm | null = null;
  let current: ObservationDetail | null = null;
  /** The history stays open when the detail is drawn again (after a save, a sync). */
  let historyOpen = false;
  /** Photos' full views, over the whole window (outside the tab): they go when the tab goes. */
  const photoViews = new Set<HTMLElement>();
  const notice = h('div', { class: 'obs-notice', role: 'status', hidden: true });
  const body = h('div', { class: 'obs-detail-body' });
  container.classList.add('obs-detail');
  container.append(h('section', { 'aria-label': 'Observation', class: 'obs-detail-inner' }, notice, body));

  const changedElsewhere = () => {
    notice.textContent = 'This observation changed elsewhere (another window, the command line or a sync). Save to keep your edits on top, or reopen it to see the change.';
    notice.hidden = false;
  };

  /**
   * Fetches the observation and draws it, unless nothing changed or the user is editing: loads
   * may overlap (the first one, a change reported by the host), and a late one must never wipe
   * the form being typed in. `force` draws anyway (after this tab's own save).
   */
  const load = async (force = false) => {
    let next: ObservationDetail;
    try {
      next = await service.detail(id);
    } catch (error) {
      clear(body);
      body.append(h('p', { class: 'view-message' }, errorMessage(error)));
      current = null;
      return;
    }
    await catalog.ready();
    deps.editor.setTitle(observationTitle(catalog, next.observation));
    const same = current !== null && current.observation.version === next.observation.version && current.forks.length === next.forks.length;
    if (!force && (same || form?.isDirty)) {
      if (!same) changedElsewhere();
      return;
    }
    current = next;
    draw(next);
  };

  const save = async (patch: Parameters<ObservationsService['update']>[1], base: string | null, done: string, values?: FormValues) => {
    try {
      await service.update(id, patch, base);
      ctx.notifications.info(done);
      notice.hidden = true;
      deps.editor.setDirty(false);
      if (values !== undefined) rememberPlace(values);
      await load(true);
    } catch (error) {
      ctx.notifications.error(errorMessage(error));
    }
  };

  const draw = (detail: ObservationDetail) => {
    const { observation, forks } = detail;
    for (const url of urls.splice(0)) URL.revokeObjectURL(url);
    form = new ObservationForm(catalog, editableOf(observation));
    deps.editor.setDirty(false);
    const saveButton = h('button', { type: 'button', class: 'primary', disabled: true }, 'Save');
    form.onDidChange = () => {
      saveButton.disabled = false;
      deps.editor.setDirty(true);
    };
    saveButton.addEventListener('click', () => {
      const read = form!.read();
      if ('errors' in read) return;
      const patch = patchBetween(editableOf(observation), read.values);
      if (Object.keys(patch).length === 0) {
        deps.editor.setDirty(false);
        return ctx.notifications.info('Nothing changed.');
      }
      void save(patch, null, `Saved a new version: ${describeChanges(editableOf(observation), read.values).join('; ')}.`, read.values);
    });
    const preset = catalog.preset(observation.category);
    clear(body);
    append(
      body,
      forks.length > 0 ? forkBanner(detail) : null,
      h('h2', { class: 'obs-title' }, catalog.icon(observation.category, 24), preset?.name ?? observation.category ?? 'Observation'),
      h(
        'p',
        { class: 'obs-meta' },
        `Created ${formatDateTime(observation.createdAt)} by ${catalog.deviceName(observation.createdBy)}`,
        observation.updatedAt !== observation.createdAt ? ` · edited ${formatDateTime(observation.updatedAt)}` : '',
      ),
      positionLine(observation),
      form.element,
      photos(observation),
      recordings(observation),
      h(
        'div',
        { class: 'obs-actions' },
        saveButton,
        h('button', { type: 'button', class: 'secondary', onclick: () => deps.editJson(id) }, 'Edit as JSON'),
        h('button', { type: 'button', class: 'secondary obs-danger', onclick: () => confirmDelete() }, 'Delete…'),
      ),
      history(observation),
    );
  };

  const forkBanner = ({ observation, forks }: ObservationDetail) => {
    const versions = [observation, ...forks];
    return h(
      'div',
      { class: 'obs-fork-banner', role: 'alert' },
      h('strong', {}, 'This observation was edited on two devices at the same time.'),
      ` Showing the version edited last. Keep one of the ${versions.length} versions:`,
      h(
        'ul',
        { 'aria-label': 'Versions' },
        ...versions.map((version, index) =>
          h(
            'li',
            { class: 'obs-version' },
            h('span', {}, `${index === 0 ? 'Shown' : 'Other'} — edited ${formatDateTime(version.updatedAt)}`, index === 0 ? '' : `: ${describeChanges(editableOf(observation), editableOf(version)).join('; ') || 'same content'}`),
            h(
              'button',
              { type: 'button', class: 'secondary', 'aria-label': `Keep the version edited ${formatDateTime(version.updatedAt)}`, onclick: () => void save({}, version.version, 'Kept one version; the fork is resolved on every device after they sync.') },
              'Keep this version',
            ),
          ),
        ),
      ),
    );
  };

  /** An attachment's bytes as a URL of this page (released when the view closes). */
  const attachmentUrl = async (observation: Observation, name: string, variant: AttachmentVariant | null): Promise<string> => {
    const data = await service.attachment(observation.id, name, variant);
    const url = URL.createObjectURL(new Blob([base64Bytes(data.base64)], { type: data.mimeType }));
    urls.push(url);
    return url;
  };

  const photos = (observation: Observation) => {
    const list = h('div', { class: 'obs-photos', role: 'list', 'aria-label': 'Photos' });
    for (const attachment of observation.attachments) {
      if (attachment.mimeType.startsWith('audio/')) continue; // in Recordings
      const item = h('button', { type: 'button', role: 'listitem', class: 'obs-photo', 'aria-label': `Photo ${attachment.name}`, title: attachment.name }, attachment.name);
      list.append(item);
      if (!attachment.mimeType.startsWith('image/')) continue;
      // The preview here (a phone's photos have one); the original when the photo is opened.
      void attachmentUrl(observation, attachment.name, 'preview').then(
        (url) => {
          item.replaceChildren(h('img', { src: url, alt: attachment.name, loading: 'lazy' }));
          item.addEventListener('click', () => {
            if (attachment.variants?.preview === undefined) return showPhoto(url, attachment.name);
            void attachmentUrl(observation, attachment.name, null).then(
              (original) => showPhoto(original, attachment.name),
              (error: unknown) => ctx.notifications.error(errorMessage(error)),
            );
          });
        },
        (error: unknown) => item.append(h('small', { class: 'view-error' }, ` (${errorMessage(error)})`)),
      );
    }
    const add = h('button', { type: 'button', class: 'secondary' }, 'Add photo…');
    add.addEventListener('click', async () => {
      const path = await ctx.dialogs.chooseFile({ title: 'Add a photo', mode: 'open', extensions: ['jpg', 'jpeg', 'png', 'webp', 'gif'] });
      if (path !== null) await save({ attachments: [{ path }] }, null, 'Photo added.');
    });
    const shown = observation.attachments.filter((attachment) => !attachment.mimeType.startsWith('audio/')).length;
    return h('div', { class: 'obs-photos-box' }, h('h3', {}, `Photos (${shown})`), list, add);
  };

  /** Audio recordings (a phone records them), each playable here. */
  const recordings = (observation: Observation) => {
    const audio = observation.attachments.filter((attachment) => attachment.mimeType.startsWith('audio/'));
    if (audio.length === 0) return null;
    const list = h('ul', { class: 'obs-recordings', 'aria-label': 'Recordings' });
    for (const attachment of audio) {
      const item = h('li', { 'aria-label': `Recording ${attachment.name}` }, attachment.name);
      list.append(item);
      void attachmentUrl(observation, attachment.name, null).then(
        (url) => item.append(h('audio', { controls: '', preload: 'metadata', src: url, 'aria-label': `Play ${attachment.name}` })),
        (error: unknown) => item.append(h('small', { class: 'view-error' }, ` (${errorMessage(error)})`)),
      );
    }
    return h('div', { class: 'obs-recordings-box' }, h('h3', {}, `Recordings (${audio.length})`), list);
  };

  /** How the place was measured, for an observation that came from a phone with it. */
  const positionLine = (observation: Observation) => {
    const metadata = observation.metadata;
    if (metadata === undefined) return null;
    const parts = [
      metadata.manualLocation ? 'placed by hand' : null,
      metadata.accuracy !== undefined ? `accuracy ±${formatNumber(metadata.accuracy, 1)} m` : null,
      metadata.altitude !== undefined ? `altitude ${formatNumber(metadata.altitude, 1)} m` : null,
      metadata.heading !== undefined ? `heading ${formatNumber(metadata.heading, 0)}°` : null,
      metadata.speed !== undefined ? `speed ${formatNumber(metadata.speed, 1)} m/s` : null,
      metadata.timestamp !== undefined ? `GPS fix ${formatDateTime(metadata.timestamp)}` : null,
    ].filter((part): part is string => part !== null);
    return parts.length === 0 ? null : h('p', { class: 'obs-meta', 'aria-label': 'GPS' }, `GPS: ${parts.join(' · ')}`);
  };

  const showPhoto = (url: string, name: string) => {
    const close = () => {
      overlay.remove();
      photoViews.delete(overlay);
    };
    const overlay = h(
      'div',
      { class: 'obs-photo-full', role: 'dialog', 'aria-modal': 'true', 'aria-label': name, tabindex: '-1', onclick: close },
      h('img', { src: url, alt: name }),
      h('button', { type: 'button', class: 'secondary', 'aria-label': 'Close photo', onclick: close }, 'Close'),
    );
    overlay.addEventListener('keydown', (event) => event.key === 'Escape' && close());
    photoViews.add(overlay);
    document.body.append(overlay);
    overlay.focus();
  };

  const confirmDelete = () => {
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const confirm = h('button', { type: 'button', class: 'primary obs-danger' }, 'Delete');
    const dialog = h(
      'div',
      { class: 'obs-confirm', role: 'alertdialog', 'aria-modal': 'true', 'aria-label': 'Delete this observation?' },
      h('p', {}, 'Delete this observation? Other devices delete it too when they sync; it cannot be brought back.'),
      h('div', { class: 'obs-actions' }, confirm, cancel),
    );
    cancel.addEventListener('click', () => dialog.remove());
    dialog.addEventListener('keydown', (event) => event.key === 'Escape' && dialog.remove());
    confirm.addEventListener('click', async () => {
      try {
        await service.delete(id);
        dialog.remove();
        ctx.notifications.info('Observation deleted.');
        deps.close();
      } catch (error) {
        ctx.notifications.error(errorMessage(error));
      }
    });
    body.prepend(dialog);
    cancel.focus();
  };

  const history = (observation: Observation) => {
    const list = h('ol', { class: 'obs-history', 'aria-label': 'Versions' });
    const box = h('details', { class: 'obs-history-box' }, h('summary', {}, 'History'), list);
    box.addEventListener('toggle', async () => {
      historyOpen = box.open;
      if (!box.open || list.childElementCount > 0) return;
      try {
        const versions = await service.history(observation.id);
        versions.forEach((version, index) => {
          const older = versions[index + 1];
          const changes = older ? describeChanges(editableOf(older), editableOf(version)) : ['created'];
          list.append(h('li', {}, h('strong', {}, formatDateTime(version.updatedAt)), ` — ${changes.join('; ') || 'no change'}`));
        });
      } catch (error) {
        list.append(h('li', { class: 'view-error' }, errorMessage(error)));
      }
    });
    box.open = historyOpen;
    return box;
  };

  const categories = catalog.onDidChange(() => form?.refreshCategories());
  const subscription = ctx.events.onDidChangeData((changes) => {
    const mine = changes.filter((change) => change.type === 'observation' && change.id === id);
    if (mine.length === 0) return;
    if (mine.some((change) => change.kind === 'deleted')) {
      clear(body);
      body.append(h('p', { class: 'view-message' }, 'This observation was deleted.'));
      return;
    }
    void load();
  });
  void load();
  return {
    dispose: () => {
      subscription.dispose();
      categories.dispose();
      for (const view of photoViews) view.remove();
      for (const url of urls) URL.revokeObjectURL(url);
    },
  };
}

/**
 * The "New observation" form, at `at` or with no place yet (never silently at 0, 0); once saved,
 * the editor shows the observation it made.
 */
export function renderCreate(container: HTMLElement, deps: DetailDeps, at: Place | null, onCreated: (id: string) => void): Disposable {
  const { ctx, service, catalog } = deps;
  container.classList.add('obs-detail');
  const body = h('section', { 'aria-label': 'New observation', class: 'obs-detail-inner' }, h('p', { class: 'view-message' }, 'Loading…'));
  container.append(body);
  let form: ObservationForm | null = null;
  const submit = async (values: FormValues) => {
    try {
      const created = await service.create(values);
      rememberPlace(values);
      deps.editor.setDirty(false);
      ctx.notifications.info('Observation created.');
      onCreated(created.id);
    } catch (error) {
      ctx.notifications.error(errorMessage(error));
    }
  };
  void catalog.ready().then(() => {
    form = new ObservationForm(catalog, { lat: at?.lat ?? null, lon: at?.lon ?? null, category: null, notes: '', tags: {} });
    form.onDidChange = () => deps.editor.setDirty(true);
    const create = h('button', { type: 'button', class: 'primary' }, 'Create');
    const hint = at === null ? h('p', { class: 'obs-meta' }, 'Type its latitude and longitude. (With the map open, a new observation starts at the centre of what the map shows.)') : null;
    create.addEventListener('click', async () => {
      const read = form!.read();
      if ('values' in read) return submit(read.values);
      if (!read.missingPlace) return;
      const atZero = await ctx.dialogs.confirm({
        title: 'No place given',
        message: 'This observation has no latitude and longitude. Give it a place, or save it at 0, 0 (in the ocean off West Africa) and move it later?',
        confirm: 'Save at 0, 0',
        cancel: 'Give it a place',
      });
      if (!atZero) return form!.focusPlace();
      form!.setPlace(0, 0);
      const again = form!.read();
      if ('values' in again) await submit(again.values);
    });
    body.replaceChildren(h('h2', { class: 'obs-title' }, 'New observation'), ...(hint === null ? [] : [hint]), form.element, h('div', { class: 'obs-actions' }, create));
    form.focus();
  });
  const categories = catalog.onDidChange(() => form?.refreshCategories());
  return { dispose: () => categories.dispose() };
}

function base64Bytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}
