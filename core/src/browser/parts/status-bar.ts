import type { StatusBarItem, StatusBarItemOptions } from '@cairn/sdk/browser';
import type { ProjectSummary } from '../../common/workbench-protocol.js';
import { h } from '../dom.js';
import { icon } from '../icons.js';

/**
 * The status bar (`role="status"`, "Status Bar"): the project and its observation count, long
 * work in progress, syncs running, and the items plugins add (ordered by priority).
 */
export class StatusBar {
  readonly element: HTMLElement;
  /** The project's item: a click shows the project's home. */
  readonly projectItem: HTMLButtonElement;
  private readonly left: HTMLElement;
  private readonly right: HTMLElement;
  private readonly countItem: HTMLElement;
  private readonly progressItem: HTMLElement;
  private readonly syncItem: HTMLElement;

  constructor(
    showHome: () => void,
    private readonly run: (command: string) => void,
  ) {
    this.projectItem = h('button', { class: 'status-item', title: 'Project' });
    this.countItem = h('span', { class: 'status-item', 'aria-label': 'Observations' });
    this.progressItem = h('span', { class: 'status-item status-progress', hidden: true });
    this.syncItem = h('span', { class: 'status-item status-sync', hidden: true });
    this.left = h('div', { class: 'status-left' }, this.projectItem, this.progressItem, this.syncItem);
    this.right = h('div', { class: 'status-right' }, this.countItem);
    this.element = h('footer', { class: 'status-bar', role: 'status', 'aria-label': 'Status Bar' }, this.left, this.right);
    this.projectItem.addEventListener('click', showHome);
  }

  setProject(project: ProjectSummary | null): void {
    const name = project ? (project.info.projectName ?? 'Unnamed project') : 'No project';
    this.projectItem.replaceChildren(icon('project'), ` ${name}`);
    this.projectItem.setAttribute('aria-label', project ? `Project: ${name}` : 'No project');
    this.countItem.textContent = project ? `${project.observations.toLocaleString()} observation${project.observations === 1 ? '' : 's'}` : '';
    this.countItem.hidden = project === null;
  }

  /** Long work: its title (and percent) while it runs; null when it is over. */
  setProgress(title: string | null, percent?: number): void {
    this.progressItem.hidden = title === null;
    if (title !== null) this.progressItem.replaceChildren(icon('progress'), ` ${title}${percent !== undefined ? ` ${Math.round(percent)}%` : ''}`);
  }

  /** The syncs running, in a few words; null when none is. */
  setSync(text: string | null): void {
    this.syncItem.hidden = text === null;
    if (text !== null) this.syncItem.replaceChildren(icon('sync'), ` ${text}`);
  }

  createItem(options: StatusBarItemOptions): StatusBarItem {
    const element = options.command
      ? h('button', { class: 'status-item', onclick: () => this.run(options.command!) })
      : h('span', { class: 'status-item' });
    element.dataset.priority = String(options.priority ?? 0);
    const side = options.alignment === 'left' ? this.left : this.right;
    side.append(element);
    [...side.children]
      .filter((child) => (child as HTMLElement).dataset.priority !== undefined)
      .sort((a, b) => Number((b as HTMLElement).dataset.priority) - Number((a as HTMLElement).dataset.priority))
      .forEach((child) => side.append(child));
    let text = options.text;
    let tooltip = options.tooltip;
    const item: StatusBarItem = {
      get text() {
        return text;
      },
      set text(value: string) {
        text = value;
        element.textContent = value;
      },
      get tooltip() {
        return tooltip;
      },
      set tooltip(value: string | undefined) {
        tooltip = value;
        if (value) element.title = value;
        else element.removeAttribute('title');
      },
      hide: () => (element.hidden = true),
      show: () => (element.hidden = false),
      dispose: () => element.remove(),
    };
    item.text = text;
    item.tooltip = tooltip;
    return item;
  }
}
