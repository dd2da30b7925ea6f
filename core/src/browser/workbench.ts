import {
  CairnError,
  DisposableStore,
  Emitter,
  errorMessage,
  toDisposable,
  type Disposable,
  type DocumentChange,
  type EditorOptions,
  type LogLevel,
  type LogRecord,
  type PluginInfo,
  type ProgressReport,
  type StatusBarItem,
  type StatusBarItemOptions,
  type SyncSectionOptions,
  type ChooseFileOptions,
  type ServiceEvent,
  type SyncActivity,
  type ViewRenderer,
} from '@cairn/sdk/browser';
import { defaultLayout, WorkbenchRpc, type LayoutState, type WorkbenchState, type WorkbenchView } from '../common/workbench-protocol.js';
import { BrowserCommands, type PaletteCommand } from './commands.js';
import { CommandPalette } from './command-palette.js';
import { clear, h, uid } from './dom.js';
import { Keybindings } from './keybindings.js';
import { Notifications, type ProgressHandle } from './notifications.js';
import { BrowserPlugins } from './plugin-runtime.js';
import type { HostClient } from './rpc-client.js';
import { renderHome, renderWelcome } from './welcome.js';
import { renderPluginsView } from './plugins-view.js';
import { renderSyncView } from './sync-view.js';
import { chooseHostFile } from './file-chooser.js';
import { hasIcon, icon } from './icons.js';

/** A view in the activity bar: the core's own, or one a plugin declares. */
interface ViewSlot {
  view: WorkbenchView;
  tab: HTMLButtonElement;
  body: HTMLElement;
  /** What rendered the body, to dispose when the view goes. */
  rendered: Disposable | null;
}

interface EditorSlot {
  id: string;
  owner: string;
  tab: HTMLElement;
  body: HTMLElement;
  rendered: Disposable | null;
}

interface HostProgress extends ProgressReport {
  id: number;
  title: string;
  done: boolean;
}

const coreViews: WorkbenchView[] = [
  { id: 'workbench.sync', name: 'Sync', owner: 'core', location: 'sidebar', icon: 'sync' },
  { id: 'workbench.plugins', name: 'Plugins', owner: 'core', location: 'sidebar', icon: 'plugins' },
];

const coreKeybindings = [
  { key: 'f1', command: 'workbench.action.showCommands' },
  { key: 'ctrl+shift+p', command: 'workbench.action.showCommands' },
  { key: 'ctrl+b', command: 'workbench.action.toggleSidebar' },
  { key: 'ctrl+j', command: 'workbench.action.togglePanel' },
  { key: 'f6', command: 'workbench.action.focusNextPart' },
  { key: 'shift+f6', command: 'workbench.action.focusPreviousPart' },
];

/**
 * The workbench shell: activity bar, side bar, editor area with tabs, bottom panel with the
 * Output log, status bar, command palette, keybindings, notifications and progress. Plugins fill
 * it through the SDK; the host is reached over the RPC only.
 */
export class Workbench {
  private state!: WorkbenchState;
  private layout: LayoutState = { ...defaultLayout };
  private readonly commands: BrowserCommands;
  private readonly keybindings = new Keybindings();
  private readonly plugins: BrowserPlugins;
  private readonly notifications: Notifications;
  private readonly palette: CommandPalette;
  private readonly viewRenderers = new Map<string, { owner: string; render: ViewRenderer }>();
  private readonly syncSections = new Map<string, SyncSectionOptions & { owner: string }>();
  private readonly onDidChangeSyncSectionsEmitter = new Emitter<void>();
  private lastFolder: string | null = null;
  private readonly views = new Map<string, ViewSlot>();
  private readonly editors = new Map<string, EditorSlot>();
  private activeEditor: string | null = null;
  private readonly statusItems = new Map<string, { element: HTMLElement; options: StatusBarItemOptions }>();
  private readonly onDidChangeDataEmitter = new Emitter<DocumentChange[]>();
  private readonly onDidChangePluginsEmitter = new Emitter<PluginInfo[]>();
  private readonly onDidSyncEmitter = new Emitter<SyncActivity>();
  private readonly onDidServiceEventEmitter = new Emitter<ServiceEvent>();
  private readonly syncing = new Map<number, SyncActivity>();
  private readonly hostProgress = new Map<number, ProgressHandle>();
  private readonly failedNotified = new Set<string>();
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly disposables = new DisposableStore();

  // Parts of the layout.
  private readonly root: HTMLElement;
  private readonly activityBar: HTMLElement;
  private readonly sideBar: HTMLElement;
  private readonly sideBarTitle: HTMLElement;
  private readonly sideBarActions: HTMLElement;
  private readonly sideBarBody: HTMLElement;
  private readonly editorTabs: HTMLElement;
  private readonly editorBody: HTMLElement;
  private readonly placeholder: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly output: HTMLElement;
  private readonly statusLeft: HTMLElement;
  private readonly statusRight: HTMLElement;
  private readonly projectItem: HTMLButtonElement;
  private readonly countItem: HTMLElement;
  private readonly progressItem: HTMLElement;
  private readonly syncItem: HTMLElement;

  constructor(
    container: HTMLElement,
    private readonly client: HostClient,
  ) {
    this.commands = new BrowserCommands((id, args) => client.request(WorkbenchRpc.executeCommand, { id, args }));

    this.activityBar = h('div', { class: 'activity-bar', role: 'tablist', 'aria-label': 'Activity Bar', 'aria-orientation': 'vertical' });
    this.sideBarTitle = h('h2', { class: 'side-bar-title', id: uid('side-bar-title') });
    this.sideBarActions = h('div', { class: 'side-bar-actions', role: 'toolbar', 'aria-label': 'View actions' });
    this.sideBarBody = h('div', { class: 'side-bar-body' });
    this.sideBar = h(
      'section',
      { class: 'side-bar', id: 'side-bar', role: 'tabpanel', 'aria-labelledby': this.sideBarTitle.id, tabindex: '-1' },
      h('div', { class: 'side-bar-header' }, this.sideBarTitle, this.sideBarActions),
      this.sideBarBody,
    );
    const sash = h('div', { class: 'sash', role: 'separator', 'aria-orientation': 'vertical', 'aria-label': 'Resize side bar', tabindex: '0' });
    this.editorTabs = h('div', { class: 'editor-tabs', role: 'tablist', 'aria-label': 'Editor Tabs' });
    this.placeholder = h('div', { class: 'editor-placeholder' });
    this.editorBody = h('div', { class: 'editor-body', role: 'tabpanel', 'aria-label': 'Editor', tabindex: '-1' }, this.placeholder);
    const editor = h('main', { class: 'editor-area', 'aria-label': 'Editor Area' }, this.editorTabs, this.editorBody);
    this.output = h('div', { class: 'output', role: 'log', 'aria-label': 'Output', tabindex: '0' });
    this.panel = h(
      'section',
      { class: 'panel', 'aria-label': 'Panel', tabindex: '-1' },
      h(
        'div',
        { class: 'panel-header' },
        h('div', { role: 'tablist', 'aria-label': 'Panel Tabs' }, h('button', { role: 'tab', 'aria-selected': 'true', class: 'panel-tab' }, 'Output')),
        h('button', { class: 'icon-button', 'aria-label': 'Close panel', title: 'Close panel (Ctrl+J)', onclick: () => this.togglePanel(false) }, '×'),
      ),
      this.output,
    );
    this.projectItem = h('button', { class: 'status-item', title: 'Project' });
    this.countItem = h('span', { class: 'status-item', 'aria-label': 'Observations' });
    this.progressItem = h('span', { class: 'status-item status-progress', hidden: true });
    this.syncItem = h('span', { class: 'status-item status-sync', hidden: true });
    this.statusLeft = h('div', { class: 'status-left' }, this.projectItem, this.progressItem, this.syncItem);
    this.statusRight = h('div', { class: 'status-right' }, this.countItem);
    const statusBar = h('footer', { class: 'status-bar', role: 'status', 'aria-label': 'Status Bar' }, this.statusLeft, this.statusRight);
    this.root = h('div', { class: 'workbench' }, this.activityBar, this.sideBar, sash, editor, this.panel, statusBar);
    container.append(this.root);

    this.notifications = new Notifications(container);
    this.palette = new CommandPalette(container, () => this.paletteCommands(), (id) => void this.run(id));
    this.plugins = new BrowserPlugins({
      client,
      commands: this.commands,
      registerView: (owner, viewId, render) => this.registerView(owner, viewId, render),
      openEditor: (owner, options) => this.openEditor(owner, options),
      addSyncSection: (owner, options) => this.addSyncSection(owner, options),
      chooseFile: (options) => this.chooseFile(options),
      createStatusItem: (owner, options) => this.createStatusItem(owner, options),
      notify: (level, message) => void this.notifications.show(level, message),
      withProgress: (title, task) => this.withProgress(title, task),
      log: (source, level, message) => this.appendLog({ time: new Date().toISOString(), source, level, message }),
      onDidChangeData: this.onDidChangeDataEmitter.event,
      onDidChangePlugins: this.onDidChangePluginsEmitter.event,
      onDidSync: this.onDidSyncEmitter.event,
      onDidServiceEvent: this.onDidServiceEventEmitter.event,
    });
    this.disposables.add(this.plugins.onDidLoad(() => this.renderActiveView()));
    this.registerCoreCommands();
    this.wireSash(sash);
    this.projectItem.addEventListener('click', () => this.showPlaceholder());
    document.addEventListener('keydown', (event) => this.onKey(event));
    window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.applyTheme());
  }

  async start(): Promise<void> {
    this.client.onNotification<WorkbenchState>(WorkbenchRpc.changed, (state) => void this.apply(state));
    this.client.onNotification<DocumentChange[]>(WorkbenchRpc.dataChanged, (changes) => this.onDidChangeDataEmitter.fire(changes));
    this.client.onNotification<LogRecord>(WorkbenchRpc.log, (record) => this.appendLog(record));
    this.client.onNotification<SyncActivity>(WorkbenchRpc.sync, (activity) => this.onSync(activity));
    this.client.onNotification<HostProgress>(WorkbenchRpc.progress, (event) => this.onHostProgress(event));
    this.client.onNotification<ServiceEvent>(WorkbenchRpc.serviceEvent, (event) => this.onDidServiceEventEmitter.fire(event));
    this.client.onClose(() => this.notifications.show('error', 'The connection to the Cairn host was lost. Restart `cairn serve` and reload.'));
    const [state, logs] = await Promise.all([
      this.client.request<WorkbenchState>(WorkbenchRpc.state),
      this.client.request<LogRecord[]>(WorkbenchRpc.logs),
    ]);
    for (const record of logs) this.appendLog(record);
    this.layout = { ...defaultLayout, ...state.layout };
    await this.apply(state);
    this.root.parentElement?.removeAttribute('aria-busy');
    document.body.dataset.ready = 'true';
  }

  // State -------------------------------------------------------------------------------------

  private async apply(state: WorkbenchState): Promise<void> {
    const first = this.state === undefined;
    const previousProject = this.state?.project?.info.projectKey ?? null;
    this.state = state;
    this.keybindings.set([...coreKeybindings, ...state.keybindings.map(({ key, command }) => ({ key, command }))]);
    this.applyTheme();
    this.renderViews();
    this.renderStatus();
    // The welcome page is drawn once (the user may be typing in it); the home page follows the counts.
    if (first || (state.project?.info.projectKey ?? null) !== previousProject || state.project !== null) this.renderPlaceholder();
    for (const plugin of state.plugins) {
      if (plugin.state === 'failed' && plugin.enabled && !this.failedNotified.has(plugin.id)) {
        this.failedNotified.add(plugin.id);
        this.notifications.show('error', `Plugin '${plugin.displayName}' failed: ${plugin.error ?? 'unknown error'}`);
      }
      if (plugin.state !== 'failed') this.failedNotified.delete(plugin.id);
    }
    this.onDidChangePluginsEmitter.fire(state.plugins);
    this.activateTransportsIfShown(state);
    await this.plugins.reconcile(state.plugins);
    this.applyLayout();
  }

  /** While the Sync view is open, a transport's plugin that was just enabled is wanted at once. */
  private activateTransportsIfShown(state: WorkbenchState): void {
    const sync = this.views.get('workbench.sync');
    if (sync === undefined || sync.rendered === null || this.layout.activeView !== 'workbench.sync') return;
    const owners = new Set(state.transports.map((transport) => transport.owner));
    const waiting = state.plugins.some((plugin) => owners.has(plugin.id) && plugin.enabled && plugin.state === 'inactive');
    if (waiting) void this.client.request(WorkbenchRpc.activateTransports).catch((error: unknown) => this.notifications.show('error', errorMessage(error)));
  }

  private allViews(): WorkbenchView[] {
    return [...coreViews, ...this.state.views.filter((view) => (view.location ?? 'sidebar') === 'sidebar')];
  }

  // Activity bar and side bar ----------------------------------------------------------------

  private renderViews(): void {
    const views = this.allViews();
    const ids = new Set(views.map((view) => view.id));
    for (const [id, slot] of this.views) {
      if (!ids.has(id)) {
        void slot.rendered?.dispose();
        slot.tab.remove();
        slot.body.remove();
        this.views.delete(id);
      }
    }
    for (const view of views) {
      if (this.views.has(view.id)) continue;
      const tab = h(
        'button',
        {
          class: 'activity-tab',
          role: 'tab',
          id: `activity-${view.id}`,
          'aria-label': view.name,
          title: view.name,
          'aria-controls': 'side-bar',
          'aria-selected': 'false',
          tabindex: '-1',
          dataset: { view: view.id },
        },
        hasIcon(view.icon) ? icon(view.icon!) : h('span', { class: 'activity-letter', 'aria-hidden': 'true' }, view.name.charAt(0).toUpperCase()),
      );
      tab.addEventListener('click', () => this.onActivityClick(view.id));
      tab.addEventListener('keydown', (event) => this.onActivityKey(event, view.id));
      const body = h('div', { class: 'view-body', dataset: { view: view.id }, hidden: true });
      this.activityBar.append(tab);
      this.sideBarBody.append(body);
      this.views.set(view.id, { view, tab, body, rendered: null });
    }
    // Keep the tab order: core first, then plugins in the host's order.
    for (const view of views) this.activityBar.append(this.views.get(view.id)!.tab);
    if (this.layout.activeView === null || !ids.has(this.layout.activeView)) this.layout.activeView = views[0]?.id ?? null;
    this.updateActivity();
  }

  private onActivityClick(id: string): void {
    if (this.layout.activeView === id && this.layout.sidebarVisible) {
      this.layout.sidebarVisible = false;
    } else {
      this.layout.activeView = id;
      this.layout.sidebarVisible = true;
    }
    this.applyLayout();
    this.saveLayout();
  }

  /** Roving focus in the activity bar: arrows move, Home/End jump, Enter/Space select. */
  private onActivityKey(event: KeyboardEvent, id: string): void {
    const tabs = [...this.activityBar.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
    const index = tabs.findIndex((tab) => tab.dataset.view === id);
    let next = -1;
    if (event.key === 'ArrowDown' || event.key === 'ArrowRight') next = (index + 1) % tabs.length;
    else if (event.key === 'ArrowUp' || event.key === 'ArrowLeft') next = (index - 1 + tabs.length) % tabs.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = tabs.length - 1;
    else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      this.layout.activeView = id;
      this.layout.sidebarVisible = true;
      this.applyLayout();
      this.saveLayout();
      this.sideBar.focus();
      return;
    }
    if (next >= 0) {
      event.preventDefault();
      for (const tab of tabs) tab.tabIndex = -1;
      tabs[next]!.tabIndex = 0;
      tabs[next]!.focus();
    }
  }

  private updateActivity(): void {
    for (const [id, slot] of this.views) {
      const active = id === this.layout.activeView && this.layout.sidebarVisible;
      slot.tab.setAttribute('aria-selected', active ? 'true' : 'false');
      slot.tab.classList.toggle('active', active);
      slot.tab.tabIndex = id === this.layout.activeView ? 0 : -1;
      slot.body.hidden = id !== this.layout.activeView;
    }
    const active = this.layout.activeView ? this.views.get(this.layout.activeView) : undefined;
    this.sideBarTitle.textContent = active?.view.name ?? '';
    if (active) this.sideBar.setAttribute('aria-labelledby', active.tab.id);
    this.renderViewActions(active?.view.id ?? null);
  }

  /** The `view/title` menu: buttons beside the view's title, for items whose `when` names this view. */
  private renderViewActions(viewId: string | null): void {
    clear(this.sideBarActions);
    if (viewId === null || this.state === undefined) return;
    for (const item of this.state.menus['view/title'] ?? []) {
      const when = /^view\s*==\s*(\S+)$/.exec(item.when ?? '');
      if (when !== null && when[1] !== viewId) continue;
      const command = this.state.commands.find((candidate) => candidate.id === item.command);
      const title = command?.title ?? item.command;
      this.sideBarActions.append(
        h('button', { class: 'view-action', title, 'aria-label': title, onclick: () => void this.run(item.command) }, title),
      );
    }
  }

  /** Renders the active view if it is not yet: core views at once, plugin views once their plugin is loaded. */
  private renderActiveView(): void {
    const slot = this.layout.activeView ? this.views.get(this.layout.activeView) : undefined;
    if (slot === undefined || slot.rendered !== null || !this.layout.sidebarVisible) return;
    const { view } = slot;
    if (view.id === 'workbench.sync') {
      slot.rendered = renderSyncView(slot.body, {
        sections: () => [...this.syncSections.values()].sort((a, b) => (a.order ?? 50) - (b.order ?? 50)),
        onDidChange: this.onDidChangeSyncSectionsEmitter.event,
        hasTransports: () => this.state.transports.length > 0,
      });
      // Opening the Sync view is when the transports' plugins are wanted.
      void this.client.request(WorkbenchRpc.activateTransports).catch((error: unknown) => this.notifications.show('error', errorMessage(error)));
      return;
    }
    if (view.owner === 'core') {
      slot.rendered = renderPluginsView(slot.body, {
        plugins: () => this.state.plugins,
        onDidChange: this.onDidChangePluginsEmitter.event,
        enable: (id) => this.client.request(WorkbenchRpc.enablePlugin, { id }),
        disable: (id) => this.client.request(WorkbenchRpc.disablePlugin, { id }),
        notify: (level, message) => void this.notifications.show(level, message),
      });
      return;
    }
    const renderer = this.viewRenderers.get(view.id);
    if (renderer !== undefined) {
      clear(slot.body);
      slot.rendered = toDisposable(() => clear(slot.body));
      void Promise.resolve()
        .then(() => renderer.render(slot.body))
        .then((result) => {
          const inner = result ?? null;
          slot.rendered = toDisposable(async () => {
            await inner?.dispose();
            clear(slot.body);
          });
        })
        .catch((error: unknown) => this.viewFailed(slot, error));
      return;
    }
    // Its plugin may still be waiting for the view to be opened: ask the host to activate it.
    const plugin = this.state.plugins.find((candidate) => candidate.id === view.owner);
    clear(slot.body);
    slot.body.append(h('p', { class: 'view-message' }, 'Loading…'));
    if (plugin !== undefined && plugin.browser === null) {
      clear(slot.body);
      slot.body.append(h('p', { class: 'view-message' }, `Plugin '${plugin.displayName}' has no workbench part to show this view.`));
      return;
    }
    void this.client.request(WorkbenchRpc.openView, { id: view.id }).catch((error: unknown) => this.viewFailed(slot, error));
  }

  private viewFailed(slot: ViewSlot, error: unknown): void {
    clear(slot.body);
    slot.body.append(h('p', { class: 'view-message view-error', role: 'alert' }, `This view could not be shown: ${errorMessage(error)}`));
  }

  private registerView(owner: string, viewId: string, render: ViewRenderer): Disposable {
    if (this.viewRenderers.has(viewId)) throw new CairnError('ERR_INVALID_INPUT', `View '${viewId}' already has a renderer.`);
    this.viewRenderers.set(viewId, { owner, render });
    this.renderActiveView();
    return toDisposable(async () => {
      this.viewRenderers.delete(viewId);
      const slot = this.views.get(viewId);
      if (slot?.rendered) {
        const rendered = slot.rendered;
        slot.rendered = null;
        await rendered.dispose();
        clear(slot.body);
      }
    });
  }

  private addSyncSection(owner: string, options: SyncSectionOptions): Disposable {
    if (this.syncSections.has(options.id)) throw new CairnError('ERR_INVALID_INPUT', `Sync section '${options.id}' exists already.`);
    this.syncSections.set(options.id, { ...options, owner });
    this.onDidChangeSyncSectionsEmitter.fire();
    return toDisposable(() => {
      this.syncSections.delete(options.id);
      this.onDidChangeSyncSectionsEmitter.fire();
    });
  }

  /** The system's dialog in the desktop app; otherwise the workbench's own browser of the host's folders. */
  private async chooseFile(options: ChooseFileOptions): Promise<string | null> {
    const chosen = this.state.nativeDialogs
      ? await this.client.request<string | null>(WorkbenchRpc.chooseFile, options)
      : await chooseHostFile(this.root.parentElement ?? document.body, this.client, options, this.lastFolder);
    if (chosen !== null) this.lastFolder = chosen.replace(/[\\/][^\\/]*$/, '') || null;
    return chosen;
  }

  // Editor area ------------------------------------------------------------------------------

  private openEditor(owner: string, options: EditorOptions): Disposable {
    const existing = this.editors.get(options.id);
    if (existing !== undefined) {
      this.activateEditor(options.id);
      return toDisposable(() => this.closeEditor(options.id));
    }
    const close = h('button', { class: 'editor-tab-close', 'aria-label': `Close ${options.title}`, title: 'Close', tabindex: '-1' }, '×');
    const tab = h('div', { class: 'editor-tab', role: 'tab', tabindex: '0', 'aria-selected': 'false', dataset: { editor: options.id } }, h('span', {}, options.title), close);
    const body = h('div', { class: 'editor-content', hidden: true });
    const slot: EditorSlot = { id: options.id, owner, tab, body, rendered: null };
    tab.addEventListener('click', () => this.activateEditor(options.id));
    tab.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') this.activateEditor(options.id);
      if (event.key === 'Delete') this.closeEditor(options.id);
    });
    close.addEventListener('click', (event) => {
      event.stopPropagation();
      this.closeEditor(options.id);
    });
    this.editorTabs.append(tab);
    this.editorBody.append(body);
    this.editors.set(options.id, slot);
    this.activateEditor(options.id);
    void Promise.resolve()
      .then(() => options.render(body))
      .then((result) => (slot.rendered = result ?? null))
      .catch((error: unknown) => body.append(h('p', { class: 'view-error', role: 'alert' }, `This editor failed: ${errorMessage(error)}`)));
    return toDisposable(() => this.closeEditor(options.id));
  }

  private activateEditor(id: string): void {
    this.activeEditor = id;
    this.placeholder.hidden = true;
    for (const [editorId, slot] of this.editors) {
      slot.tab.setAttribute('aria-selected', editorId === id ? 'true' : 'false');
      slot.body.hidden = editorId !== id;
    }
  }

  private closeEditor(id: string): void {
    const slot = this.editors.get(id);
    if (slot === undefined) return;
    this.editors.delete(id);
    void slot.rendered?.dispose();
    slot.tab.remove();
    slot.body.remove();
    const next = [...this.editors.keys()].at(-1);
    if (next !== undefined) this.activateEditor(next);
    else this.showPlaceholder();
  }

  private showPlaceholder(): void {
    this.activeEditor = null;
    for (const slot of this.editors.values()) {
      slot.tab.setAttribute('aria-selected', 'false');
      slot.body.hidden = true;
    }
    this.placeholder.hidden = false;
  }

  /** Welcome (no project yet) or the project's home page, when no editor is open. */
  private renderPlaceholder(): void {
    clear(this.placeholder);
    if (this.state.project === null) {
      renderWelcome(this.placeholder, {
        client: this.client,
        withProgress: (title, task) => this.withProgress(title, task),
        notify: (level, message) => void this.notifications.show(level, message),
      });
    } else {
      renderHome(this.placeholder, this.state.project, () => this.palette.open());
    }
    if (this.activeEditor === null) this.showPlaceholder();
  }

  // Status bar, panel, progress --------------------------------------------------------------

  private renderStatus(): void {
    const project = this.state.project;
    this.projectItem.replaceChildren(icon('project'), ` ${project ? (project.info.projectName ?? 'Unnamed project') : 'No project'}`);
    this.projectItem.setAttribute('aria-label', project ? `Project: ${project.info.projectName ?? 'unnamed'}` : 'No project');
    this.countItem.textContent = project ? `${project.observations.toLocaleString()} observation${project.observations === 1 ? '' : 's'}` : '';
    this.countItem.hidden = project === null;
  }

  private createStatusItem(owner: string, options: StatusBarItemOptions): StatusBarItem {
    const key = `${owner}/${options.id}`;
    const element = options.command
      ? h('button', { class: 'status-item', onclick: () => void this.run(options.command!) })
      : h('span', { class: 'status-item' });
    element.dataset.priority = String(options.priority ?? 0);
    const side = options.alignment === 'left' ? this.statusLeft : this.statusRight;
    side.append(element);
    [...side.children]
      .filter((child) => (child as HTMLElement).dataset.priority !== undefined)
      .sort((a, b) => Number((b as HTMLElement).dataset.priority) - Number((a as HTMLElement).dataset.priority))
      .forEach((child) => side.append(child));
    this.statusItems.set(key, { element, options });
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
      dispose: () => {
        element.remove();
        this.statusItems.delete(key);
      },
    };
    item.text = text;
    item.tooltip = tooltip;
    return item;
  }

  private async withProgress<T>(title: string, task: (report: (progress: ProgressReport) => void, signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const toast = this.notifications.progress(title, () => controller.abort());
    this.progressItem.hidden = false;
    this.progressItem.replaceChildren(icon('progress'), ` ${title}`);
    toast.report(undefined, undefined);
    try {
      return await task((progress) => {
        toast.report(progress.message, progress.percent);
        this.progressItem.replaceChildren(icon('progress'), ` ${title}${progress.percent !== undefined ? ` ${Math.round(progress.percent)}%` : ''}`);
      }, controller.signal);
    } catch (error) {
      if (controller.signal.aborted) {
        this.notifications.show('info', `${title}: cancelled.`);
        throw new CairnError('ERR_CANCELLED', `${title} was cancelled.`);
      }
      throw error;
    } finally {
      toast.done();
      this.progressItem.hidden = true;
    }
  }

  private appendLog(record: LogRecord): void {
    const line = h(
      'div',
      { class: `log-line log-${record.level}` },
      h('time', { datetime: record.time }, record.time.slice(11, 19)),
      ' ',
      h('span', { class: 'log-source' }, `[${record.source}]`),
      ' ',
      record.message,
    );
    this.output.append(line);
    while (this.output.childElementCount > 2000) this.output.firstElementChild?.remove();
    this.output.scrollTop = this.output.scrollHeight;
  }

  /** Long host work started elsewhere (a command, another window): a progress notification until done. */
  private onHostProgress(event: HostProgress): void {
    let toast = this.hostProgress.get(event.id);
    if (event.done) {
      toast?.done();
      this.hostProgress.delete(event.id);
      return;
    }
    if (toast === undefined) {
      toast = this.notifications.progress(event.title);
      this.hostProgress.set(event.id, toast);
    }
    toast.report(event.message, event.percent);
  }

  /** Every sync of the host, whatever started it: in the status bar while it runs, then its result. */
  private onSync(activity: SyncActivity): void {
    this.onDidSyncEmitter.fire(activity);
    const peer = activity.peer.deviceName ?? activity.peer.address ?? 'a peer';
    if (activity.state === 'running') {
      this.syncing.set(activity.sessionId, activity);
      const progress = activity.progress;
      const remaining = progress ? progress.documents.want + progress.attachments.want : null;
      this.syncItem.hidden = false;
      this.syncItem.replaceChildren(icon('sync'), ` Syncing with ${peer}${remaining !== null && remaining > 0 ? ` (${remaining} to go)` : ''}`);
      return;
    }
    this.syncing.delete(activity.sessionId);
    if (this.syncing.size === 0) this.syncItem.hidden = true;
    if (activity.state === 'done' && activity.summary) {
      const { sent, received } = activity.summary;
      this.notifications.show('info', `Synced with ${peer}: received ${received.observations} observations and ${received.attachments} attachments, sent ${sent.observations} and ${sent.attachments}.`);
    } else if (activity.state === 'failed' && activity.error) {
      this.notifications.show('error', `Sync with ${peer} failed: ${activity.error.message}`);
    }
  }

  private togglePanel(visible = !this.layout.panelVisible): void {
    this.layout.panelVisible = visible;
    this.applyLayout();
    this.saveLayout();
    if (visible) this.output.focus();
  }

  // Layout, theme, keys -----------------------------------------------------------------------

  private applyLayout(): void {
    this.root.style.setProperty('--side-bar-width', `${this.layout.sidebarWidth}px`);
    this.root.style.setProperty('--panel-height', `${this.layout.panelHeight}px`);
    this.root.classList.toggle('side-bar-hidden', !this.layout.sidebarVisible);
    this.root.classList.toggle('panel-hidden', !this.layout.panelVisible);
    this.sideBar.hidden = !this.layout.sidebarVisible;
    this.panel.hidden = !this.layout.panelVisible;
    this.updateActivity();
    this.renderActiveView();
  }

  private applyTheme(): void {
    const system = window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
    document.documentElement.dataset.theme = this.layout.theme === 'system' ? system : this.layout.theme;
  }

  private saveLayout(): void {
    if (this.saveTimer !== null) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      void this.client.request(WorkbenchRpc.saveLayout, this.layout).catch(() => undefined);
    }, 250);
  }

  private wireSash(sash: HTMLElement): void {
    const resize = (width: number) => {
      this.layout.sidebarWidth = Math.max(180, Math.min(800, Math.round(width)));
      this.applyLayout();
      this.saveLayout();
    };
    sash.addEventListener('pointerdown', (event) => {
      sash.setPointerCapture(event.pointerId);
      const move = (moveEvent: PointerEvent) => resize(moveEvent.clientX - this.activityBar.getBoundingClientRect().width);
      const up = () => {
        sash.removeEventListener('pointermove', move);
        sash.removeEventListener('pointerup', up);
      };
      sash.addEventListener('pointermove', move);
      sash.addEventListener('pointerup', up);
    });
    sash.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowLeft') resize(this.layout.sidebarWidth - 20);
      if (event.key === 'ArrowRight') resize(this.layout.sidebarWidth + 20);
    });
  }

  private onKey(event: KeyboardEvent): void {
    if (this.palette.isOpen) return;
    const command = this.keybindings.match(event);
    if (command === null) return;
    event.preventDefault();
    void this.run(command);
  }

  private registerCoreCommands(): void {
    const register = (id: string, title: string, handler: () => unknown) => this.disposables.add(this.commands.register('core', id, handler, title));
    register('workbench.action.showCommands', 'Show All Commands', () => this.palette.open());
    register('workbench.action.toggleSidebar', 'View: Toggle Side Bar', () => {
      this.layout.sidebarVisible = !this.layout.sidebarVisible;
      this.applyLayout();
      this.saveLayout();
    });
    register('workbench.action.togglePanel', 'View: Toggle Panel (Output)', () => this.togglePanel());
    register('workbench.action.toggleTheme', 'Preferences: Toggle Light/Dark Theme', () => {
      const current = document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
      this.layout.theme = current === 'dark' ? 'light' : 'dark';
      this.applyTheme();
      this.saveLayout();
    });
    register('workbench.action.followSystemTheme', 'Preferences: Follow the System Theme', () => {
      this.layout.theme = 'system';
      this.applyTheme();
      this.saveLayout();
    });
    register('workbench.action.showHome', 'View: Show Project Home', () => this.showPlaceholder());
    register('workbench.action.showPlugins', 'View: Show Plugins', () => this.onActivityClick('workbench.plugins'));
    register('workbench.action.focusNextPart', 'View: Focus Next Part', () => this.focusPart(1));
    register('workbench.action.focusPreviousPart', 'View: Focus Previous Part', () => this.focusPart(-1));
  }

  /** F6 / Shift+F6: activity bar → side bar → editor → panel → status bar, for keyboard users. */
  private focusPart(step: number): void {
    const parts = [
      this.activityBar.querySelector<HTMLElement>('[role="tab"][tabindex="0"]'),
      this.layout.sidebarVisible ? this.sideBar : null,
      this.editorBody,
      this.layout.panelVisible ? this.output : null,
      this.projectItem,
    ].filter((part): part is HTMLElement => part !== null);
    const current = parts.findIndex((part) => part.contains(document.activeElement));
    parts[(current + step + parts.length) % parts.length]?.focus();
  }

  private paletteCommands(): PaletteCommand[] {
    const commands = new Map<string, PaletteCommand>();
    for (const command of this.commands.titled()) {
      const [category, ...rest] = command.title.includes(': ') ? command.title.split(': ') : [null, command.title];
      commands.set(command.id, { id: command.id, title: rest.join(': '), category, keybinding: this.keybindings.keyFor(command.id) });
    }
    for (const view of this.allViews()) {
      const id = `workbench.view.${view.id}`;
      commands.set(id, { id, title: `Show ${view.name}`, category: 'View', keybinding: null });
    }
    for (const command of this.state.commands) {
      if (command.title === null) continue;
      commands.set(command.id, { id: command.id, title: command.title, category: command.category, keybinding: this.keybindings.keyFor(command.id) });
    }
    return [...commands.values()];
  }

  /** Runs a command from the palette, a keybinding or a status item; failures become notifications. */
  private async run(id: string): Promise<void> {
    try {
      if (id.startsWith('workbench.view.')) {
        this.onActivityClick(id.slice('workbench.view.'.length));
        return;
      }
      await this.commands.execute(id);
    } catch (error) {
      // A cancelled task was the user's choice, and withProgress has said so already.
      if ((error as CairnError).code !== 'ERR_CANCELLED') this.notifications.show('error', errorMessage(error));
    }
  }

  log(level: LogLevel, message: string): void {
    this.appendLog({ time: new Date().toISOString(), level, source: 'workbench', message });
  }
}
