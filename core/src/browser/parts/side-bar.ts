import { CairnError, Emitter, errorMessage, toDisposable, type Disposable, type ViewContext, type ViewRenderer } from '@cairn/sdk/browser';
import type { WorkbenchPlugin, WorkbenchView } from '../../common/workbench-protocol.js';
import { clear, h, uid } from '../dom.js';

/** A button of the `view/title` menu, beside the view's title. */
export interface ViewAction {
  command: string;
  title: string;
}

export interface SideBarServices {
  /** The plugin that owns a view, as the host last said. */
  plugin(id: string): WorkbenchPlugin | undefined;
  /** Asks the host to activate the plugin of a view nobody has rendered yet. */
  openView(id: string): Promise<unknown>;
  run(command: string): void;
}

interface ViewSlot {
  view: WorkbenchView;
  body: HTMLElement;
  /** What rendered the body, to dispose when the view goes; null until it is rendered. */
  rendered: Disposable | null;
  visible: boolean;
  readonly onDidChangeVisibility: Emitter<boolean>;
}

/**
 * The side bar: the title of the view shown, its actions, and the body of each view (rendered
 * the first time it shows, kept while others show). Core views render at once; a plugin's once
 * its workbench part registered a renderer, and until then the host is asked to activate it.
 */
export class SideBar {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly actions: HTMLElement;
  private readonly body: HTMLElement;
  private readonly slots = new Map<string, ViewSlot>();
  private readonly renderers = new Map<string, { owner: string; render: ViewRenderer }>();
  private active: string | null = null;
  private shown = false;

  constructor(private readonly services: SideBarServices) {
    this.title = h('h2', { class: 'side-bar-title', id: uid('side-bar-title') });
    this.actions = h('div', { class: 'side-bar-actions', role: 'toolbar', 'aria-label': 'View actions' });
    this.body = h('div', { class: 'side-bar-body' });
    this.element = h(
      'section',
      { class: 'side-bar', id: 'side-bar', role: 'tabpanel', 'aria-labelledby': this.title.id, tabindex: '-1' },
      h('div', { class: 'side-bar-header' }, this.title, this.actions),
      this.body,
    );
  }

  /** The views there are; the bodies of those that went away are disposed. */
  setViews(views: readonly WorkbenchView[]): void {
    const ids = new Set(views.map((view) => view.id));
    for (const [id, slot] of this.slots) {
      if (ids.has(id)) continue;
      void slot.rendered?.dispose();
      slot.onDidChangeVisibility.dispose();
      slot.body.remove();
      this.slots.delete(id);
    }
    for (const view of views) {
      const slot = this.slots.get(view.id);
      if (slot !== undefined) {
        slot.view = view;
        continue;
      }
      const body = h('div', { class: 'view-body', dataset: { view: view.id }, hidden: true });
      this.body.append(body);
      this.slots.set(view.id, { view, body, rendered: null, visible: false, onDidChangeVisibility: new Emitter<boolean>() });
    }
  }

  /** A renderer for a view; the core registers its own views' renderers the same way. */
  registerRenderer(owner: string, viewId: string, render: ViewRenderer): Disposable {
    if (this.renderers.has(viewId)) throw new CairnError('ERR_INVALID_INPUT', `View '${viewId}' already has a renderer.`);
    this.renderers.set(viewId, { owner, render });
    this.renderActive();
    return toDisposable(async () => {
      this.renderers.delete(viewId);
      const slot = this.slots.get(viewId);
      if (slot?.rendered) {
        const rendered = slot.rendered;
        slot.rendered = null;
        await rendered.dispose();
        clear(slot.body);
      }
    });
  }

  /** Shows `viewId` (rendering it if it is not yet), labelled by its activity tab; or nothing. */
  show(viewId: string | null, visible: boolean, labelledBy: string | null): void {
    this.active = viewId;
    this.shown = visible;
    const slot = viewId === null ? undefined : this.slots.get(viewId);
    this.title.textContent = slot?.view.name ?? '';
    if (labelledBy !== null) this.element.setAttribute('aria-labelledby', labelledBy);
    for (const [id, each] of this.slots) {
      each.body.hidden = id !== viewId;
      const nowVisible = visible && id === viewId && each.rendered !== null;
      if (nowVisible !== each.visible) {
        each.visible = nowVisible;
        each.onDidChangeVisibility.fire(nowVisible);
      }
    }
    this.renderActive();
  }

  /** The `view/title` menu of the view shown. */
  setActions(actions: readonly ViewAction[]): void {
    clear(this.actions);
    for (const action of actions) {
      this.actions.append(h('button', { class: 'view-action', title: action.title, 'aria-label': action.title, onclick: () => this.services.run(action.command) }, action.title));
    }
  }

  isRendered(viewId: string): boolean {
    return (this.slots.get(viewId)?.rendered ?? null) !== null;
  }

  /** Renders the view shown if it is not yet: at once with a renderer, else once its plugin gives one. */
  renderActive(): void {
    const slot = this.active === null ? undefined : this.slots.get(this.active);
    if (slot === undefined || slot.rendered !== null || !this.shown) return;
    const renderer = this.renderers.get(slot.view.id);
    if (renderer !== undefined) {
      clear(slot.body);
      slot.rendered = toDisposable(() => clear(slot.body));
      slot.visible = true;
      const context: ViewContext = {
        get visible() {
          return slot.visible;
        },
        onDidChangeVisibility: slot.onDidChangeVisibility.event,
      };
      void Promise.resolve()
        .then(() => renderer.render(slot.body, context))
        .then((result) => {
          const inner = result ?? null;
          slot.rendered = toDisposable(async () => {
            await inner?.dispose();
            clear(slot.body);
          });
        })
        .catch((error: unknown) => this.failed(slot, error));
      return;
    }
    // Its plugin may still be waiting for the view to be opened: ask the host to activate it.
    const plugin = this.services.plugin(slot.view.owner);
    clear(slot.body);
    if (plugin !== undefined && plugin.browser === null) {
      slot.body.append(h('p', { class: 'view-message' }, `Plugin '${plugin.displayName}' has no workbench part to show this view.`));
      return;
    }
    slot.body.append(h('p', { class: 'view-message' }, 'Loading…'));
    void this.services.openView(slot.view.id).catch((error: unknown) => this.failed(slot, error));
  }

  private failed(slot: ViewSlot, error: unknown): void {
    clear(slot.body);
    slot.body.append(h('p', { class: 'view-message view-error', role: 'alert' }, `This view could not be shown: ${errorMessage(error)}`));
  }
}
