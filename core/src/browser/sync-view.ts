import { CairnError, describeSync, Emitter, errorMessage, toDisposable, type Disposable, type SyncActivity, type SyncSectionOptions } from '@cairn/sdk/browser';
import { clear, h } from './dom.js';
import type { Notifications } from './notifications.js';
import type { StatusBar } from './parts/status-bar.js';

/**
 * The Sync view: one section per way to sync, each drawn by the plugin that provides it (with a
 * file, over Wi-Fi, a third party's). Disabling a plugin takes its section away.
 */
export class SyncSections {
  private readonly sections = new Map<string, SyncSectionOptions & { owner: string }>();
  private readonly onDidChangeEmitter = new Emitter<void>();

  add(owner: string, options: SyncSectionOptions): Disposable {
    if (this.sections.has(options.id)) throw new CairnError('ERR_INVALID_INPUT', `Sync section '${options.id}' exists already.`);
    this.sections.set(options.id, { ...options, owner });
    this.onDidChangeEmitter.fire();
    return toDisposable(() => {
      this.sections.delete(options.id);
      this.onDidChangeEmitter.fire();
    });
  }

  /** Draws the view (`role="region"`, "Sync") and keeps it in line with the sections there are. */
  render(container: HTMLElement, hasTransports: () => boolean): Disposable {
    const region = h('div', { class: 'sync-view', role: 'region', 'aria-label': 'Sync' });
    container.append(region);
    const drawn = new Map<string, { element: HTMLElement; rendered: Disposable | null }>();
    const render = () => {
      const sections = [...this.sections.values()].sort((a, b) => (a.order ?? 50) - (b.order ?? 50));
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
          const always = { visible: true, onDidChangeVisibility: () => toDisposable(() => undefined) };
          void Promise.resolve()
            .then(() => section.render(body, always))
            .then((result) => (target.rendered = result ?? null))
            .catch((error: unknown) => body.append(h('p', { class: 'view-error', role: 'alert' }, errorMessage(error))));
        }
        region.append(entry.element);
      }
      if (sections.length === 0) {
        region.append(
          h('p', { class: 'view-message' }, hasTransports() ? 'Loading the ways to sync…' : 'No way to sync is enabled: enable “Sync with a file” or “Sync over Wi-Fi” in Plugins.'),
        );
      }
    };
    render();
    const subscription = this.onDidChangeEmitter.event(render);
    return toDisposable(async () => {
      subscription.dispose();
      for (const entry of drawn.values()) await entry.rendered?.dispose();
      clear(container);
    });
  }
}

/**
 * Every sync of the host, whatever started it (a button here, another window, the command line,
 * a device that came by): in the status bar while it runs, then one notification with what it
 * brought and took, or why it failed.
 */
export class SyncActivityReporter {
  private readonly running = new Map<number, SyncActivity>();

  constructor(
    private readonly notifications: Notifications,
    private readonly statusBar: StatusBar,
  ) {}

  report(activity: SyncActivity): void {
    const peer = activity.peer.deviceName ?? activity.peer.address ?? 'a peer';
    if (activity.state === 'running') {
      this.running.set(activity.sessionId, activity);
      const progress = activity.progress;
      const remaining = progress ? progress.documents.want + progress.attachments.want : null;
      this.statusBar.setSync(`Syncing with ${peer}${remaining !== null && remaining > 0 ? ` (${remaining.toLocaleString()} to go)` : ''}`);
      return;
    }
    this.running.delete(activity.sessionId);
    if (this.running.size === 0) this.statusBar.setSync(null);
    if (activity.state === 'done' && activity.summary) {
      this.notifications.show('success', `Synced with ${peer}: ${describeSync(activity.summary)}`);
    } else if (activity.state === 'failed' && activity.error) {
      this.notifications.show('error', `Sync with ${peer} failed: ${activity.error.message}`);
    }
  }
}
