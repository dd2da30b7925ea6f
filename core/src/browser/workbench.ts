import {
  DisposableStore,
  Emitter,
  ErrorCodes,
  errorMessage,
  isCairnError,
  type ChooseFileOptions,
  type DocumentChange,
  type LogLevel,
  type LogRecord,
  type PluginInfo,
  type ProjectInfo,
  type ServiceEvent,
  type SyncActivity,
} from '@cairn/sdk/browser';
import { WorkbenchRpc, type SavedEditor, type WorkbenchState, type WorkbenchView } from '../common/workbench-protocol.js';
import { viewTitleItems } from '../common/workbench-contributions.js';
import { BrowserCommands } from './commands.js';
import { CommandPalette } from './command-palette.js';
import { clear, listen } from './dom.js';
import { chooseHostFile } from './file-chooser.js';
import { Keybindings } from './keybindings.js';
import { confirmDialog, showDialog } from './modal.js';
import { Notifications } from './notifications.js';
import { ActivityBar } from './parts/activity-bar.js';
import { EditorArea } from './parts/editor-area.js';
import { Layout } from './parts/layout.js';
import { Panel } from './parts/panel.js';
import { SideBar } from './parts/side-bar.js';
import { StatusBar } from './parts/status-bar.js';
import { BrowserPlugins } from './plugin-runtime.js';
import { renderPluginsView } from './plugins-view.js';
import { ProgressReporter, type HostProgress } from './progress.js';
import type { HostClient } from './rpc-client.js';
import { SessionGuard } from './session-guard.js';
import { renderMembersView } from './members-view.js';
import { SyncActivityReporter, SyncSections } from './sync-view.js';
import { coreKeybindings, paletteCommands, registerWorkbenchCommands } from './workbench-commands.js';
import { renderHome, renderWelcome, SAMPLE_SIZE } from './welcome.js';

/** The core's own views, after those of the plugins (as VS Code lists Extensions last). */
const coreViews: WorkbenchView[] = [
  { id: 'workbench.sync', name: 'Sync', owner: 'core', icon: 'sync' },
  { id: 'workbench.members', name: 'Members', owner: 'core', icon: 'members' },
  { id: 'workbench.plugins', name: 'Plugins', owner: 'core', icon: 'plugins' },
];

/**
 * The workbench shell: composes its parts — activity bar, side bar, editor area, panel, status
 * bar — with the command palette, keybindings, notifications and progress, and keeps them in
 * line with the host's state. Plugins fill it through the SDK; the host is reached over the RPC only.
 */
export class Workbench {
  private state!: WorkbenchState;
  private readonly commands: BrowserCommands;
  private readonly keybindings = new Keybindings();
  private readonly plugins: BrowserPlugins;
  private readonly notifications: Notifications;
  private readonly palette: CommandPalette;
  private readonly activityBar = new ActivityBar();
  private readonly sideBar: SideBar;
  private readonly editorArea: EditorArea;
  private readonly panel: Panel;
  private readonly statusBar: StatusBar;
  private readonly layout: Layout;
  private readonly progress: ProgressReporter;
  private readonly syncSections = new SyncSections();
  private readonly syncActivity: SyncActivityReporter;
  private readonly session: SessionGuard;
  private readonly onDidChangeDataEmitter = new Emitter<DocumentChange[]>();
  private readonly onDidChangePluginsEmitter = new Emitter<PluginInfo[]>();
  private readonly onDidSyncEmitter = new Emitter<SyncActivity>();
  private readonly onDidServiceEventEmitter = new Emitter<ServiceEvent>();
  private readonly onDidChangeProjectEmitter = new Emitter<ProjectInfo | null>();
  private readonly failedNotified = new Set<string>();
  /** What the shell registered and listens to. */
  private readonly disposables = new DisposableStore();
  /** The parts, and the events plugins subscribe to. */
  private readonly parts = new DisposableStore();
  private lastFolder: string | null = null;
  /** The tabs of the last session, until they are opened again; the layout saves the live ones after. */
  private editorsToRestore: { editors: SavedEditor[]; active: string | null } | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly client: HostClient,
  ) {
    this.commands = new BrowserCommands((id, args) => client.request(WorkbenchRpc.executeCommand, { id, args }));
    this.notifications = new Notifications(container);
    const confirm = (options: Parameters<typeof confirmDialog>[1]) => confirmDialog(container, options);
    this.sideBar = new SideBar({
      plugin: (id) => this.state.plugins.find((plugin) => plugin.id === id),
      openView: (id) => client.request(WorkbenchRpc.openView, { id }),
      run: (command) => void this.run(command),
    });
    this.editorArea = new EditorArea({ confirm });
    this.panel = new Panel(() => this.togglePanel(false));
    this.statusBar = new StatusBar(() => this.editorArea.showPlaceholder(), (command) => void this.run(command));
    this.layout = new Layout(
      { activityBar: this.activityBar.element, sideBar: this.sideBar.element, editorArea: this.editorArea.element, panel: this.panel.element, statusBar: this.statusBar.element },
      (layout) => client.request(WorkbenchRpc.saveLayout, layout),
      () => this.showActiveView(),
    );
    container.append(this.layout.root);
    this.progress = new ProgressReporter(this.notifications, this.statusBar);
    this.syncActivity = new SyncActivityReporter(this.notifications, this.statusBar);
    this.session = new SessionGuard(container);
    for (const part of [this.activityBar, this.editorArea, this.layout, this.session]) this.parts.add(part);
    for (const emitter of [this.onDidChangeDataEmitter, this.onDidChangePluginsEmitter, this.onDidSyncEmitter, this.onDidServiceEventEmitter, this.onDidChangeProjectEmitter]) this.parts.add(emitter);
    this.palette = new CommandPalette(container, () => paletteCommands(this.commands, this.keybindings, this.allViews(), this.state.commands), (id) => void this.run(id));
    this.plugins = new BrowserPlugins({
      client,
      commands: this.commands,
      registerView: (owner, viewId, render) => this.sideBar.registerRenderer(owner, viewId, render),
      openEditor: (owner, options) => this.editorArea.open(owner, options),
      addSyncSection: (owner, options) => this.syncSections.add(owner, options),
      chooseFile: (options) => this.chooseFile(options),
      confirm,
      showDialog: (options) => showDialog(container, options),
      createStatusItem: (_owner, options) => this.statusBar.createItem(options),
      notify: (level, message) => void this.notifications.show(level, message),
      withProgress: (title, task) => this.progress.run(title, task),
      log: (source, level, message) => this.panel.append({ time: new Date().toISOString(), source, level, message }),
      project: () => this.state?.project?.info ?? null,
      canLoad: () => this.session.check(),
      onDidChangeData: this.onDidChangeDataEmitter.event,
      onDidChangePlugins: this.onDidChangePluginsEmitter.event,
      onDidSync: this.onDidSyncEmitter.event,
      onDidServiceEvent: this.onDidServiceEventEmitter.event,
      onDidChangeProject: this.onDidChangeProjectEmitter.event,
    });
    this.disposables.add(this.plugins.onDidLoad(() => this.sideBar.renderActive()));
    this.disposables.add(this.activityBar.onDidClick((id) => this.toggleView(id)));
    this.disposables.add(
      this.activityBar.onDidChoose((id) => {
        this.layout.update({ activeView: id, sidebarVisible: true });
        this.sideBar.element.focus();
      }),
    );
    this.disposables.add(this.editorArea.onDidChange(() => this.saveEditors()));
    this.registerCoreViews();
    registerWorkbenchCommands(this.commands, this.disposables, {
      palette: this.palette,
      layout: this.layout,
      togglePanel: () => this.togglePanel(),
      showHome: () => this.editorArea.showPlaceholder(),
      closeEditor: () => void this.editorArea.closeActive(),
      focusPart: (step) => this.focusPart(step),
      loadSampleData: () => this.loadSampleData(),
    });
    this.disposables.add(listen(document, 'keydown', (event) => this.onKey(event)));
  }

  async start(): Promise<void> {
    const { client, disposables } = this;
    disposables.add(client.onNotification<WorkbenchState>(WorkbenchRpc.changed, (state) => void this.apply(state)));
    disposables.add(client.onNotification<DocumentChange[]>(WorkbenchRpc.dataChanged, (changes) => this.onDidChangeDataEmitter.fire(changes)));
    disposables.add(client.onNotification<LogRecord>(WorkbenchRpc.log, (record) => this.panel.append(record)));
    disposables.add(
      client.onNotification<SyncActivity>(WorkbenchRpc.sync, (activity) => {
        this.onDidSyncEmitter.fire(activity);
        this.syncActivity.report(activity);
      }),
    );
    disposables.add(client.onNotification<HostProgress>(WorkbenchRpc.progress, (event) => this.progress.host(event)));
    disposables.add(client.onNotification<ServiceEvent>(WorkbenchRpc.serviceEvent, (event) => this.onDidServiceEventEmitter.fire(event)));
    disposables.add(client.onClose(() => this.notifications.show('error', 'The connection to the Cairn host was lost. Restart `cairn serve` and reload.')));
    const [state, logs] = await Promise.all([
      this.client.request<WorkbenchState>(WorkbenchRpc.state),
      this.client.request<LogRecord[]>(WorkbenchRpc.logs),
    ]);
    for (const record of logs) this.panel.append(record);
    this.layout.restore(state.layout);
    this.editorsToRestore = { editors: state.layout.editors ?? [], active: state.layout.activeEditor ?? null };
    await this.apply(state);
    await this.restoreEditors();
    this.container.removeAttribute('aria-busy');
    document.body.dataset.ready = 'true';
  }

  /**
   * Takes the workbench down, its elements left where they are: first what it listens to (the
   * host's notifications, the keys on the document) and its commands, so that the tabs closed
   * next are not saved as the layout to open again; then the plugins' workbench parts; then the
   * parts, with their listeners on the window and the document.
   */
  async dispose(): Promise<void> {
    await this.disposables.dispose();
    await this.plugins.unloadAll();
    await this.parts.dispose();
  }

  log(level: LogLevel, message: string): void {
    this.panel.append({ time: new Date().toISOString(), level, source: 'workbench', message });
  }

  // State -------------------------------------------------------------------------------------

  private async apply(state: WorkbenchState): Promise<void> {
    const previous = this.state;
    this.state = state;
    this.keybindings.set([...coreKeybindings, ...state.keybindings]);
    this.layout.applyTheme();
    this.renderViews();
    this.statusBar.setProject(state.project);
    // The welcome page is drawn once (the user may be typing in it); the home page follows the counts.
    if (previous === undefined || state.project !== null || previous.project !== null) this.renderPlaceholder();
    if (projectKey(previous?.project?.info) !== projectKey(state.project?.info)) this.onDidChangeProjectEmitter.fire(state.project?.info ?? null);
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
    this.layout.apply();
  }

  /** While the Sync view is open, a transport's plugin that was just enabled is wanted at once. */
  private activateTransportsIfShown(state: WorkbenchState): void {
    if (this.layout.state.activeView !== 'workbench.sync' || !this.sideBar.isRendered('workbench.sync')) return;
    const owners = new Set(state.transports.map((transport) => transport.owner));
    if (state.plugins.some((plugin) => owners.has(plugin.id) && plugin.enabled && plugin.state === 'inactive')) this.activateTransports();
  }

  private activateTransports(): void {
    void this.client.request(WorkbenchRpc.activateTransports).catch((error: unknown) => this.notifications.show('error', errorMessage(error)));
  }

  /** The side bar's views: the plugins', then the core's. */
  private allViews(): WorkbenchView[] {
    return [...this.state.views, ...coreViews];
  }

  // Activity bar and side bar ----------------------------------------------------------------

  private renderViews(): void {
    const views = this.allViews();
    this.activityBar.setViews(views);
    this.sideBar.setViews(views);
    const { activeView } = this.layout.state;
    if (activeView === null || !views.some((view) => view.id === activeView)) this.layout.state.activeView = views[0]?.id ?? null;
  }

  /** A click on a view's tab shows it, or hides the side bar when it is the view shown. */
  private toggleView(id: string): void {
    const { activeView, sidebarVisible } = this.layout.state;
    this.layout.update(activeView === id && sidebarVisible ? { sidebarVisible: false } : { activeView: id, sidebarVisible: true });
  }

  /** Draws the view the layout shows, and its actions. */
  private showActiveView(): void {
    const { activeView, sidebarVisible } = this.layout.state;
    this.activityBar.update(activeView, sidebarVisible);
    this.sideBar.show(activeView, sidebarVisible, activeView === null ? null : this.activityBar.tabId(activeView));
    this.sideBar.setActions(this.viewActions(activeView));
  }

  /** The `view/title` menu: buttons beside the view's title, for the items whose `when` holds for it. */
  private viewActions(viewId: string | null): Array<{ command: string; title: string }> {
    if (viewId === null || this.state === undefined) return [];
    return viewTitleItems(this.state.menus['view/title'] ?? [], viewId).map((item) => ({
      command: item.command,
      title: this.state.commands.find((candidate) => candidate.id === item.command)?.title ?? item.command,
    }));
  }

  private registerCoreViews(): void {
    this.disposables.add(
      this.sideBar.registerRenderer('core', 'workbench.sync', (body) => {
        // Opening the Sync view is when the transports' plugins are wanted.
        this.activateTransports();
        return this.syncSections.render(body, () => this.state.transports.length > 0);
      }),
    );
    this.disposables.add(
      this.sideBar.registerRenderer('core', 'workbench.members', (body) =>
        renderMembersView(body, {
          list: () => this.client.request(WorkbenchRpc.members),
          act: (action) => this.client.request(WorkbenchRpc.memberAction, action),
          makeCode: (role, expiresHours) => this.client.request(WorkbenchRpc.inviteCode, { role, expiresHours }),
          onDidChange: (listener) =>
            this.onDidChangeDataEmitter.event((changes) => {
              if (changes.some((change) => change.type === 'member' || change.type === 'deviceInfo')) listener();
            }),
          notify: (level, message) => void this.notifications.show(level, message),
          showSync: () => this.layout.update({ activeView: 'workbench.sync', sidebarVisible: true }),
          dialogHost: this.layout.root,
        }),
      ),
    );
    this.disposables.add(
      this.sideBar.registerRenderer('core', 'workbench.plugins', (body) =>
        renderPluginsView(body, {
          plugins: () => this.state.plugins,
          onDidChange: this.onDidChangePluginsEmitter.event,
          enable: (id) => this.client.request(WorkbenchRpc.enablePlugin, { id }),
          disable: (id) => this.client.request(WorkbenchRpc.disablePlugin, { id }),
          notify: (level, message) => void this.notifications.show(level, message),
        }),
      ),
    );
  }

  // Editor area ------------------------------------------------------------------------------

  /** Welcome (no project yet) or the project's home page, when no editor is open. */
  private renderPlaceholder(): void {
    const { placeholder } = this.editorArea;
    clear(placeholder);
    if (this.state.project === null) {
      renderWelcome(placeholder, {
        client: this.client,
        notify: (level, message) => void this.notifications.show(level, message),
        loadSampleData: () => this.loadSampleData(),
      });
    } else {
      renderHome(placeholder, this.state.project, () => this.palette.open());
    }
  }

  /** The tabs open when the window was last closed, opened again by the commands that open them. */
  private async restoreEditors(): Promise<void> {
    const saved = this.editorsToRestore;
    if (saved === null) return;
    for (const editor of saved.editors) {
      if (!this.commands.has(editor.restore.command)) continue;
      await this.commands.execute(editor.restore.command, ...(editor.restore.args ?? [])).catch((error: unknown) => {
        this.log('warn', `Could not open '${editor.title}' again: ${errorMessage(error)}`);
      });
    }
    this.editorsToRestore = null;
    if (saved.active !== null && this.editorArea.has(saved.active)) this.editorArea.activate(saved.active);
    else if (saved.editors.length > 0 && saved.active === null) this.editorArea.showPlaceholder();
    this.saveEditors();
  }

  private saveEditors(): void {
    if (this.editorsToRestore !== null) return;
    const { editors, active } = this.editorArea.saved();
    this.layout.state.editors = editors;
    this.layout.state.activeEditor = active;
    this.layout.persist();
  }

  private async loadSampleData(): Promise<void> {
    await this.progress.run('Loading sample data', (report, signal) =>
      this.client.request(WorkbenchRpc.loadSampleData, { count: SAMPLE_SIZE }, { signal, onProgress: report }),
    );
  }

  /** The system's dialog in the desktop app; otherwise the workbench's own browser of the host's folders. */
  private async chooseFile(options: ChooseFileOptions): Promise<string | null> {
    const folder = options.folder ?? this.lastFolder;
    const chosen = this.state.nativeDialogs
      ? await this.client.request<string | null>(WorkbenchRpc.chooseFile, { ...options, ...(folder !== null && { folder }) })
      : await chooseHostFile(this.container, this.client, options, folder);
    if (chosen !== null) this.lastFolder = chosen.replace(/[\\/][^\\/]*$/, '') || null;
    return chosen;
  }

  // Panel, keys, parts -------------------------------------------------------------------------

  private togglePanel(visible = !this.layout.state.panelVisible): void {
    this.layout.update({ panelVisible: visible });
    if (visible) this.panel.output.focus();
  }

  private onKey(event: KeyboardEvent): void {
    if (this.palette.isOpen || document.querySelector('.modal-backdrop') !== null) return;
    const { activeView, sidebarVisible } = this.layout.state;
    const command = this.keybindings.match(event, { view: sidebarVisible ? activeView : null });
    if (command === null) return;
    event.preventDefault();
    void this.run(command);
  }

  /** F6 / Shift+F6: activity bar → side bar → editor → panel → status bar, for keyboard users. */
  private focusPart(step: number): void {
    const { sidebarVisible, panelVisible } = this.layout.state;
    const parts = [
      this.activityBar.focusTarget(),
      sidebarVisible ? this.sideBar.element : null,
      this.editorArea.focusTarget,
      panelVisible ? this.panel.output : null,
      this.statusBar.projectItem,
    ].filter((part): part is HTMLElement => part !== null);
    const current = parts.findIndex((part) => part.contains(document.activeElement));
    parts[(current + step + parts.length) % parts.length]?.focus();
  }

  /** Runs a command from the palette, a keybinding or a status item; failures become notifications. */
  private async run(id: string): Promise<void> {
    try {
      if (id.startsWith('workbench.view.')) {
        this.layout.update({ activeView: id.slice('workbench.view.'.length), sidebarVisible: true });
        return;
      }
      await this.commands.execute(id);
    } catch (error) {
      // A cancelled task was the user's choice, and the progress has said so already.
      if (!isCairnError(error, ErrorCodes.CANCELLED)) this.notifications.show('error', errorMessage(error));
    }
  }
}

function projectKey(info: ProjectInfo | undefined): string | null {
  return info === undefined ? null : `${info.projectKey}/${info.projectName ?? ''}/${info.deviceName}`;
}
