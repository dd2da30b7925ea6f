import { errorMessage, toDisposable, type Disposable, type Event, type SyncSectionOptions } from '@cairn/sdk/browser';
import { clear, h } from './dom.js';

interface SyncViewServices {
  sections(): Array<SyncSectionOptions & { owner: string }>;
  onDidChange: Event<void>;
  hasTransports(): boolean;
}

/**
 * The Sync view: one section per way to sync, each drawn by the plugin that provides it (with a
 * file, over Wi-Fi, a third party's). Disabling a plugin takes its section away.
 */
export function renderSyncView(container: HTMLElement, services: SyncViewServices): Disposable {
  const region = h('div', { class: 'sync-view', role: 'region', 'aria-label': 'Sync' });
  container.append(region);
  const drawn = new Map<string, { element: HTMLElement; rendered: Disposable | null }>();
  const render = () => {
    const sections = services.sections();
    const wanted = new Set(sections.map((section) => section.id));
    for (const [id, entry] of drawn) {
      if (wanted.has(id)) continue;
      void entry.rendered?.dispose();
      entry.element.remove();
      drawn.delete(id);
    }
    region.querySelector('.view-message')?.remove();
    for (const section of sections) {
      let entry = drawn.get(section.id);
      if (entry === undefined) {
        const body = h('div', { class: 'sync-section-body' });
        const element = h('section', { class: 'sync-section', 'aria-label': section.title, dataset: { section: section.id } }, h('h3', {}, section.title), body);
        entry = { element, rendered: null };
        drawn.set(section.id, entry);
        const target = entry;
        void Promise.resolve()
          .then(() => section.render(body))
          .then((result) => (target.rendered = result ?? null))
          .catch((error: unknown) => body.append(h('p', { class: 'view-error', role: 'alert' }, errorMessage(error))));
      }
      region.append(entry.element);
    }
    if (sections.length === 0) {
      region.append(
        h(
          'p',
          { class: 'view-message' },
          services.hasTransports() ? 'Loading the ways to sync…' : 'No way to sync is enabled: enable “Sync with a file” or “Sync over Wi-Fi” in Plugins.',
        ),
      );
    }
  };
  render();
  const subscription = services.onDidChange(render);
  return toDisposable(async () => {
    subscription.dispose();
    for (const entry of drawn.values()) await entry.rendered?.dispose();
    clear(container);
  });
}
