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
import type { ProgressReport, Remote } from '../common/services.js';
import type { SyncActivity } from '../common/sync.js';

export * from '../common/index.js';
export * from './dom.js';

/**
 * Renders a view into `container` (the workbench owns the element). Return a Disposable to be told
 * when the view goes away (its plugin disabled, the window closing); its content is cleared then.
 */
export type ViewRenderer = (container: HTMLElement) => Disposable | void | Promise<Disposable | void>;

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
  render: ViewRenderer;
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
  /** Extensions offered, without the dot, e.g. `['cairnsync']`. */
  extensions?: string[];
  /** Suggested name in `save` mode. */
  defaultName?: string;
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
  };
}

/** The shape of a plugin's `browser` entry. */
export interface BrowserPluginModule {
  activate?(ctx: BrowserPluginContext): void | Promise<unknown>;
  deactivate?(): void | Promise<void>;
}
