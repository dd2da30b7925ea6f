import { Emitter, errorMessage, toDisposable, type ConfirmOptions, type Disposable, type EditorContext, type EditorOptions } from '@cairn/sdk/browser';
import type { SavedEditor } from '../../common/workbench-protocol.js';
import { h, listen } from '../dom.js';

interface EditorSlot {
  id: string;
  owner: string;
  title: string;
  restore: EditorOptions['restore'];
  tab: HTMLElement;
  label: HTMLElement;
  close: HTMLButtonElement;
  body: HTMLElement;
  rendered: Disposable | null;
  dirty: boolean;
  visible: boolean;
  readonly onDidChangeVisibility: Emitter<boolean>;
}

export interface EditorAreaServices {
  confirm(options: ConfirmOptions): Promise<boolean>;
}

/**
 * The editor area: a tab per open editor (`Editor Tabs`), the active one's content, and when none
 * is open the placeholder (the welcome page, or the project's home). A tab with unsaved work is
 * marked, and closing it asks first. The open tabs can be listed, to be opened again after a reload.
 */
export class EditorArea {
  readonly element: HTMLElement;
  /** Where the welcome page or the project's home is drawn. */
  readonly placeholder: HTMLElement;
  private readonly tabs: HTMLElement;
  private readonly body: HTMLElement;
  private readonly editors = new Map<string, EditorSlot>();
  private activeId: string | null = null;
  private readonly onDidChangeEmitter = new Emitter<void>();
  /** Editors opened, closed, activated or retitled: the saved layout follows. */
  readonly onDidChange = this.onDidChangeEmitter.event;
  private readonly unloadGuard: Disposable;

  constructor(private readonly services: EditorAreaServices) {
    this.tabs = h('div', { class: 'editor-tabs', role: 'tablist', 'aria-label': 'Editor Tabs' });
    this.placeholder = h('div', { class: 'editor-placeholder' });
    this.body = h('div', { class: 'editor-body', role: 'tabpanel', 'aria-label': 'Editor', tabindex: '-1' }, this.placeholder);
    this.element = h('main', { class: 'editor-area', 'aria-label': 'Editor Area' }, this.tabs, this.body);
    // Leaving the window (reload, close) with unsaved work: the browser asks.
    this.unloadGuard = listen(window, 'beforeunload', (event) => {
      if (this.hasUnsavedWork()) event.preventDefault();
    });
  }

  get active(): string | null {
    return this.activeId;
  }

  /** The element that takes the focus when the editor area is entered. */
  get focusTarget(): HTMLElement {
    return this.body;
  }

  has(id: string): boolean {
    return this.editors.has(id);
  }

  hasUnsavedWork(): boolean {
    return [...this.editors.values()].some((slot) => slot.dirty);
  }

  /** Opens an editor, or focuses it when it is open; disposing the result closes it without asking. */
  open(owner: string, options: EditorOptions): Disposable {
    if (!this.editors.has(options.id)) this.create(owner, options);
    this.activate(options.id);
    return toDisposable(() => this.remove(options.id));
  }

  /** The open editors that can be opened again, in tab order, and the active one. */
  saved(): { editors: SavedEditor[]; active: string | null } {
    const editors = [...this.editors.values()].flatMap((slot) => (slot.restore === undefined ? [] : [{ id: slot.id, title: slot.title, restore: slot.restore }]));
    return { editors, active: editors.some((editor) => editor.id === this.activeId) ? this.activeId : null };
  }

  activate(id: string): void {
    if (!this.editors.has(id)) return;
    this.activeId = id;
    this.placeholder.hidden = true;
    this.update();
    this.onDidChangeEmitter.fire();
  }

  /** The placeholder instead of any editor (the editors stay open). */
  showPlaceholder(): void {
    this.activeId = null;
    this.placeholder.hidden = false;
    this.update();
    this.onDidChangeEmitter.fire();
  }

  /** Closes an editor as the user asked: unsaved work is lost only once they confirm. */
  async close(id: string): Promise<boolean> {
    const slot = this.editors.get(id);
    if (slot === undefined) return true;
    if (slot.dirty) {
      const discard = await this.services.confirm({
        title: `Close ${slot.title}?`,
        message: `“${slot.title}” has changes that are not saved. If you close it, they are lost.`,
        confirm: 'Discard changes',
        cancel: 'Keep editing',
        danger: true,
      });
      if (!discard) {
        this.activate(id);
        return false;
      }
    }
    this.remove(id);
    return true;
  }

  /** Closes the active editor (Ctrl+W), asking first if it holds unsaved work. */
  closeActive(): Promise<boolean> {
    return this.activeId === null ? Promise.resolve(true) : this.close(this.activeId);
  }

  private create(owner: string, options: EditorOptions): void {
    const label = h('span', { class: 'editor-tab-label' }, options.title);
    const close = h('button', { class: 'editor-tab-close', 'aria-label': `Close ${options.title}`, title: 'Close', tabindex: '-1' }, '×');
    const tab = h('div', { class: 'editor-tab', role: 'tab', tabindex: '0', 'aria-selected': 'false', dataset: { editor: options.id } }, label, close);
    const body = h('div', { class: 'editor-content', hidden: true });
    const slot: EditorSlot = {
      id: options.id,
      owner,
      title: options.title,
      restore: options.restore,
      tab,
      label,
      close,
      body,
      rendered: null,
      dirty: false,
      visible: false,
      onDidChangeVisibility: new Emitter<boolean>(),
    };
    tab.addEventListener('click', () => this.activate(slot.id));
    tab.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') this.activate(slot.id);
      if (event.key === 'Delete') void this.close(slot.id);
    });
    close.addEventListener('click', (event) => {
      event.stopPropagation();
      void this.close(slot.id);
    });
    this.tabs.append(tab);
    this.body.append(body);
    this.editors.set(slot.id, slot);
    this.label(slot);
    const context: EditorContext = {
      get visible() {
        return slot.visible;
      },
      onDidChangeVisibility: slot.onDidChangeVisibility.event,
      setDirty: (dirty) => this.setDirty(slot, dirty),
      setTitle: (title) => this.setTitle(slot, title),
    };
    void Promise.resolve()
      .then(() => options.render(body, context))
      .then((result) => {
        if (this.editors.get(slot.id) === slot) slot.rendered = result ?? null;
        else void result?.dispose();
      })
      .catch((error: unknown) => body.append(h('p', { class: 'view-error', role: 'alert' }, `This editor failed: ${errorMessage(error)}`)));
  }

  private remove(id: string): void {
    const slot = this.editors.get(id);
    if (slot === undefined) return;
    this.editors.delete(id);
    void slot.rendered?.dispose();
    slot.onDidChangeVisibility.dispose();
    slot.tab.remove();
    slot.body.remove();
    if (this.activeId === id) {
      const next = [...this.editors.keys()].at(-1);
      if (next !== undefined) this.activate(next);
      else this.showPlaceholder();
    } else {
      this.onDidChangeEmitter.fire();
    }
  }

  private setDirty(slot: EditorSlot, dirty: boolean): void {
    if (slot.dirty === dirty) return;
    slot.dirty = dirty;
    this.label(slot);
  }

  private setTitle(slot: EditorSlot, title: string): void {
    if (slot.title === title || title.trim() === '') return;
    slot.title = title;
    this.label(slot);
    this.onDidChangeEmitter.fire();
  }

  /** The tab's title, with a dot (and “unsaved” for screen readers) while it holds unsaved work. */
  private label(slot: EditorSlot): void {
    slot.label.textContent = slot.title;
    slot.tab.classList.toggle('dirty', slot.dirty);
    slot.tab.setAttribute('aria-label', slot.dirty ? `${slot.title} (unsaved)` : slot.title);
    slot.close.setAttribute('aria-label', `Close ${slot.title}`);
    slot.close.textContent = slot.dirty ? '●' : '×';
    slot.close.title = slot.dirty ? 'Unsaved changes: close…' : 'Close';
  }

  private update(): void {
    for (const [id, slot] of this.editors) {
      const active = id === this.activeId;
      slot.tab.setAttribute('aria-selected', active ? 'true' : 'false');
      slot.body.hidden = !active;
      if (active !== slot.visible) {
        slot.visible = active;
        slot.onDidChangeVisibility.fire(active);
      }
    }
  }

  /** Closes every editor without asking, and stops guarding the window's unload. */
  dispose(): void {
    void this.unloadGuard.dispose();
    for (const id of [...this.editors.keys()]) this.remove(id);
    this.onDidChangeEmitter.dispose();
  }
}
