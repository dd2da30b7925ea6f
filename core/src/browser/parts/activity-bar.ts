import { Emitter } from '@cairn/sdk/browser';
import type { WorkbenchView } from '../../common/workbench-protocol.js';
import { h } from '../dom.js';
import { hasIcon, icon } from '../icons.js';

/**
 * The activity bar: one tab per side bar view (`role="tablist"`, "Activity Bar"), named after its
 * view. Roving focus: the arrows move between tabs, Home and End jump, Enter and Space choose.
 */
export class ActivityBar {
  readonly element: HTMLElement;
  private readonly tabs = new Map<string, HTMLButtonElement>();
  private readonly onDidClickEmitter = new Emitter<string>();
  /** A tab was clicked: its view is wanted, or put away when it is the one shown. */
  readonly onDidClick = this.onDidClickEmitter.event;
  private readonly onDidChooseEmitter = new Emitter<string>();
  /** Enter or Space on a tab: its view is wanted, with the focus in it. */
  readonly onDidChoose = this.onDidChooseEmitter.event;

  constructor() {
    this.element = h('div', { class: 'activity-bar', role: 'tablist', 'aria-label': 'Activity Bar', 'aria-orientation': 'vertical' });
  }

  /** The tabs, in this order; tabs of views that went away are removed. */
  setViews(views: readonly WorkbenchView[]): void {
    const ids = new Set(views.map((view) => view.id));
    for (const [id, tab] of this.tabs) {
      if (ids.has(id)) continue;
      tab.remove();
      this.tabs.delete(id);
    }
    for (const view of views) {
      const tab = this.tabs.get(view.id) ?? this.createTab(view);
      this.element.append(tab);
    }
  }

  /** The id of the tab element of a view (the side bar is labelled by it). */
  tabId(viewId: string): string {
    return `activity-${viewId}`;
  }

  /** Marks the active view's tab (selected only while the side bar shows it). */
  update(activeView: string | null, sideBarVisible: boolean): void {
    for (const [id, tab] of this.tabs) {
      const selected = id === activeView && sideBarVisible;
      tab.setAttribute('aria-selected', selected ? 'true' : 'false');
      tab.classList.toggle('active', selected);
      tab.tabIndex = id === activeView ? 0 : -1;
    }
  }

  /** The tab that takes the focus when the activity bar is entered. */
  focusTarget(): HTMLElement | null {
    return this.element.querySelector<HTMLElement>('[role="tab"][tabindex="0"]') ?? this.element.querySelector<HTMLElement>('[role="tab"]');
  }

  private createTab(view: WorkbenchView): HTMLButtonElement {
    const tab = h(
      'button',
      {
        class: 'activity-tab',
        role: 'tab',
        id: this.tabId(view.id),
        'aria-label': view.name,
        title: view.name,
        'aria-controls': 'side-bar',
        'aria-selected': 'false',
        tabindex: '-1',
        dataset: { view: view.id },
      },
      hasIcon(view.icon) ? icon(view.icon!) : h('span', { class: 'activity-letter', 'aria-hidden': 'true' }, view.name.charAt(0).toUpperCase()),
    );
    tab.addEventListener('click', () => this.onDidClickEmitter.fire(view.id));
    tab.addEventListener('keydown', (event) => this.onKey(event, view.id));
    this.tabs.set(view.id, tab);
    return tab;
  }

  private onKey(event: KeyboardEvent, id: string): void {
    const tabs = [...this.element.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
    const index = tabs.findIndex((tab) => tab.dataset.view === id);
    let next = -1;
    if (event.key === 'ArrowDown' || event.key === 'ArrowRight') next = (index + 1) % tabs.length;
    else if (event.key === 'ArrowUp' || event.key === 'ArrowLeft') next = (index - 1 + tabs.length) % tabs.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = tabs.length - 1;
    else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      this.onDidChooseEmitter.fire(id);
      return;
    }
    if (next < 0) return;
    event.preventDefault();
    for (const tab of tabs) tab.tabIndex = -1;
    tabs[next]!.tabIndex = 0;
    tabs[next]!.focus();
  }

  dispose(): void {
    this.onDidClickEmitter.dispose();
    this.onDidChooseEmitter.dispose();
  }
}
