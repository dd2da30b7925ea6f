/**
 * The workbench side of the plugin API: what a plugin's `browser` entry (an ES module) receives.
 * It runs in the workbench window — a browser tab or Electron's sandboxed renderer — and reaches
 * the host only through `ctx.services` and `ctx.commands`.
 *
 * ```js
 * export function activate(ctx) {
 *   ctx.views.register('hello.view', (container) => {
 *     container.textContent = 'Hello from a plugin';
 *   });
 * }
 * ```
 */
import type { Disposable } from '../common/disposable.js';
import type { Event } from '../common/event.js';
import type { DocumentChange } from '../common/observation.js';
import type { PluginInfo, LogLevel } from '../common/plugin-info.js';
import type { ProjectInfo } from '../common/observation.js';
import type { ProgressReport, Remote } from '../common/services.js';
import type { SyncActivity } from '../common/sync.js';

export * from '../common/index.js';
export * from './dom.js';

/** What a view or an editor is told of its place in the workbench. */
export interface ViewContext {
  /** Shown now (its side bar view selected, its tab the active one). */
  readonly visible: boolean;
  /** Fires when it is shown again or hidden (it is rendered once, and kept while hidden). */
  readonly onDidChangeVisibility: Event<boolean>;
}

/**
 * Renders a view into `container` (the workbench owns the element). Return a Disposable to be told
 * when the view goes away (its plugin disabled, the window closing); its content is cleared then.
 */
export type ViewRenderer = (container: HTMLElement, view: ViewContext) => Disposable | void | Promise<Disposable | void>;

/** What an editor tab may say of itself. */
export interface EditorContext extends ViewContext {
  /**
   * Marks the tab as holding unsaved work: it is marked, closing it asks first, and leaving the
   * window warns. Clear it once the work is saved.
   */
  setDirty(dirty: boolean): void;
  /** A better title, once the editor knows what it shows (e.g. the observation's category and date). */
  setTitle(title: string): void;
}

export type EditorRenderer = (container: HTMLElement, editor: EditorContext) => Disposable | void | Promise<Disposable | void>;

export interface StatusBarItemOptions {
  /** Unique within the plugin. */
  id: string;
  text: string;
  tooltip?: string;
  /** A command run when the item is clicked. */
  command?: string;
  alignment?: 'left' | 'right';
  /** Higher comes first. */
  priority?: number;
}

export interface StatusBarItem extends Disposable {
  text: string;
  tooltip: string | undefined;
  hide(): void;
  show(): void;
}

export interface EditorOptions {
  /** Opening the same id again focuses the open editor. */
  id: string;
  title: string;
  render: EditorRenderer;
  /**
   * How to open the tab again after the window reloads: a command (and its arguments) that opens
   * it. Tabs without it are not restored (a draft, say).
   */
  restore?: { command: string; args?: unknown[] };
}

export interface SyncSectionOptions {
  /** Unique, e.g. the transport id. */
  id: string;
  title: string;
  /** Lower comes first. */
  order?: number;
  render: ViewRenderer;
}

export interface ChooseFileOptions {
  title: string;
  /** `save`: a file to create or overwrite; `open`: an existing file. */
  mode: 'open' | 'save';
  /**
   * Extensions offered, without the dot, e.g. `['cairnsync']`. In `save` mode a name that ends in
   * none of them gets the first.
   */
  extensions?: string[];
  /** Suggested name in `save` mode. */
  defaultName?: string;
  /** In `open` mode, a folder may be chosen too (e.g. a Mapeo configuration folder). */
  folders?: boolean;
  /** The folder to start in; else the last one chosen in this window, else the home folder. */
  folder?: string;
}

export interface DialogOptions {
  title: string;
  /** Draws the dialog's content into `body`; `close` removes the dialog. */
  render(body: HTMLElement, close: () => void): void;
  /** The user dismissed it (Escape): it is closing without an answer. */
  onCancel?(): void;
}

export interface DialogHandle {
  close(): void;
}

export interface ConfirmOptions {
  title: string;
  message: string;
  /** The button that confirms, e.g. `Replace`. */
  confirm: string;
  /** The button that declines (default `Cancel`); Escape declines too. */
  cancel?: string;
  /** The confirming button looks dangerous (deleting, replacing). */
  danger?: boolean;
}

export interface BrowserCommandsApi {
  /** A command handled in the workbench (it appears in the command palette if declared). */
  register(id: string, handler: (...args: never[]) => unknown): Disposable;
  /** Runs a workbench command, or else a host command. */
  execute<T = unknown>(id: string, ...args: unknown[]): Promise<T>;
}

export interface BrowserPluginContext {
  readonly id: string;
  /** Disposed when the plugin is disabled or the window closes. */
  readonly subscriptions: Disposable[];
  readonly views: {
    /** Provides the content of a view the plugin declares in `contributes.views`. */
    register(viewId: string, render: ViewRenderer): Disposable;
  };
  readonly editors: {
    /** Opens (or focuses) a tab in the editor area. */
    open(options: EditorOptions): Disposable;
  };
  readonly commands: BrowserCommandsApi;
  readonly statusBar: {
    createItem(options: StatusBarItemOptions): StatusBarItem;
  };
  readonly services: {
    /** A typed proxy to a host service registered with `ctx.services.register(name, …)` on the host. */
    get<T extends object>(name: string): Remote<T>;
    /** Listens to events a host service sends with `ctx.services.emit(name, event, data)`. */
    onEvent<T = unknown>(name: string, event: string, listener: (data: T) => void): Disposable;
  };
  readonly resources: {
    /**
     * The URL (same origin) of a resource this plugin's host side serves with
     * `ctx.resources.register(name, …)`; fetch it, or hand it to a library that loads URLs.
     */
    url(name: string, path?: string, query?: Record<string, string | number>): string;
  };
  readonly sync: {
    /** Adds a section to the workbench's Sync view (where each transport offers its way to sync). */
    addSection(options: SyncSectionOptions): Disposable;
  };
  readonly dialogs: {
    /**
     * Asks for a file on the host: the system's dialog in the desktop app, the workbench's own
     * browser of the host's folders in browser mode. Resolves with its path, or null if cancelled.
     */
    chooseFile(options: ChooseFileOptions): Promise<string | null>;
    /** Asks a question in a modal dialog; resolves true if the user confirmed. */
    confirm(options: ConfirmOptions): Promise<boolean>;
    /**
     * A modal dialog of the plugin's own (`role="dialog"`, named by its title): the workbench
     * draws the frame, keeps Tab inside it, closes it on Escape and gives the focus back after.
     */
    show(options: DialogOptions): DialogHandle;
  };
  readonly plugins: {
    /**
     * What another plugin's workbench side returned from its `activate` (its API for other
     * plugins), once it is loaded; undefined when that plugin is not enabled or has no workbench
     * part. Declare it in `dependsOn`, so this plugin stops when it does.
     */
    exports<T = unknown>(id: string): Promise<T | undefined>;
  };
  readonly notifications: {
    info(message: string): void;
    warn(message: string): void;
    error(message: string): void;
  };
  /** Shows progress for long work (in the status bar and a notification) until `task` settles. */
  withProgress<T>(title: string, task: (report: (progress: ProgressReport) => void, signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Writes to the workbench's Output panel. */
  log(level: LogLevel, message: string): void;
  readonly events: {
    /** Documents changed on the host (an edit here, a CLI edit, data received by sync). */
    readonly onDidChangeData: Event<DocumentChange[]>;
    /** Plugins were enabled, disabled, activated or failed. */
    readonly onDidChangePlugins: Event<PluginInfo[]>;
    /** A sync session of the host started, made progress or ended (any transport). */
    readonly onDidSync: Event<SyncActivity>;
    /** The project was created, joined, renamed, or this device renamed; null while there is none. */
    readonly onDidChangeProject: Event<ProjectInfo | null>;
  };
  /** The project of the data dir as the window knows it now; null while there is none. */
  readonly project: ProjectInfo | null;
}

/**
 * The shape of a plugin's `browser` entry. What `activate` returns (or resolves to) is the
 * plugin's API for other plugins' workbench sides (`ctx.plugins.exports(id)`).
 */
export interface BrowserPluginModule {
  activate?(ctx: BrowserPluginContext): unknown;
  deactivate?(): void | Promise<void>;
}
