import {
  DisposableStore,
  Emitter,
  errorMessage,
  resourceUrl,
  type BrowserPluginContext,
  type BrowserPluginModule,
  type Disposable,
  type DocumentChange,
  type EditorOptions,
  type Event,
  type LogLevel,
  type PluginInfo,
  type ProgressReport,
  type Remote,
  type StatusBarItem,
  type ServiceEvent,
  type SyncActivity,
  type StatusBarItemOptions,
  type SyncSectionOptions,
  type ChooseFileOptions,
  type ConfirmOptions,
  type DialogHandle,
  type DialogOptions,
  type ProjectInfo,
  type ViewRenderer,
} from '@cairn/sdk/browser';
import type { WorkbenchPlugin } from '../common/workbench-protocol.js';
import type { BrowserCommands } from './commands.js';
import type { HostClient } from './rpc-client.js';
import { WorkbenchRpc } from '../common/workbench-protocol.js';

/** What the workbench lends a plugin's browser side. */
export interface WorkbenchFacilities {
  client: HostClient;
  commands: BrowserCommands;
  registerView(owner: string, viewId: string, render: ViewRenderer): Disposable;
  openEditor(owner: string, options: EditorOptions): Disposable;
  addSyncSection(owner: string, options: SyncSectionOptions): Disposable;
  chooseFile(options: ChooseFileOptions): Promise<string | null>;
  confirm(options: ConfirmOptions): Promise<boolean>;
  showDialog(options: DialogOptions): DialogHandle;
  createStatusItem(owner: string, options: StatusBarItemOptions): StatusBarItem;
  notify(level: 'info' | 'warn' | 'error', message: string): void;
  withProgress<T>(title: string, task: (report: (progress: ProgressReport) => void, signal: AbortSignal) => Promise<T>): Promise<T>;
  log(source: string, level: LogLevel, message: string): void;
  /** The project as the window knows it now. */
  project(): ProjectInfo | null;
  /** Whether modules may be loaded from the server (false once the window lost its access, said once). */
  canLoad(): Promise<boolean>;
  onDidChangeData: Event<DocumentChange[]>;
  onDidChangePlugins: Event<PluginInfo[]>;
  onDidSync: Event<SyncActivity>;
  onDidServiceEvent: Event<ServiceEvent>;
  onDidChangeProject: Event<ProjectInfo | null>;
}

interface LoadedPlugin {
  module: BrowserPluginModule;
  context: BrowserPluginContext;
  registrations: DisposableStore;
  /** What its `activate` returned: its API for the other plugins. */
  exports: unknown;
}

/**
 * Loads a plugin's workbench entry while, and only while, the plugin is enabled and active on
 * the host, and withdraws everything it added when it stops.
 */
export class BrowserPlugins {
  private readonly loaded = new Map<string, LoadedPlugin>();
  private readonly loading = new Map<string, Promise<void>>();
  private known: readonly WorkbenchPlugin[] = [];
  private readonly onDidLoadEmitter = new Emitter<string>();
  /** A plugin's browser side finished activating. */
  readonly onDidLoad = this.onDidLoadEmitter.event;

  constructor(private readonly facilities: WorkbenchFacilities) {}

  isLoaded(id: string): boolean {
    return this.loaded.has(id);
  }

  /** Brings the loaded set in line with the host's plugin states. */
  async reconcile(plugins: readonly WorkbenchPlugin[]): Promise<void> {
    this.known = plugins;
    const wanted = new Map(plugins.filter((plugin) => plugin.state === 'active' && plugin.browser !== null).map((plugin) => [plugin.id, plugin]));
    for (const id of [...this.loaded.keys()]) {
      if (!wanted.has(id)) await this.unload(id);
    }
    const toLoad = [...wanted.values()].filter((plugin) => !this.loaded.has(plugin.id));
    // One check for the lot: a window that lost its access says so once, instead of a failed module each.
    if (toLoad.length > 0 && !(await this.facilities.canLoad())) return;
    await Promise.all(toLoad.map((plugin) => this.load(plugin)));
  }

  /** A loaded plugin's exports, once it is loaded (undefined when it will not be). */
  private async exportsOf(id: string): Promise<unknown> {
    const plugin = this.known.find((candidate) => candidate.id === id);
    if (plugin === undefined || plugin.browser === null || !plugin.enabled) return undefined;
    await this.loading.get(id);
    return this.loaded.get(id)?.exports;
  }

  async unloadAll(): Promise<void> {
    for (const id of [...this.loaded.keys()]) await this.unload(id);
  }

  private load(plugin: WorkbenchPlugin): Promise<void> {
    if (this.loaded.has(plugin.id)) return Promise.resolve();
    let loading = this.loading.get(plugin.id);
    if (loading === undefined) {
      loading = this.activate(plugin).finally(() => this.loading.delete(plugin.id));
      this.loading.set(plugin.id, loading);
    }
    return loading;
  }

  private async activate(plugin: WorkbenchPlugin): Promise<void> {
    const registrations = new DisposableStore();
    const context = this.contextFor(plugin.id, registrations);
    try {
      const module = (await import(/* webpackIgnore: true */ plugin.browser!)) as BrowserPluginModule;
      const exports = typeof module.activate === 'function' ? await module.activate(context) : undefined;
      this.loaded.set(plugin.id, { module, context, registrations, exports });
      this.onDidLoadEmitter.fire(plugin.id);
    } catch (error) {
      await registrations.dispose();
      const message = `The workbench part of plugin '${plugin.id}' failed: ${errorMessage(error)}`;
      this.facilities.log('workbench', 'error', message);
      this.facilities.notify('error', message);
    }
  }

  private async unload(id: string): Promise<void> {
    const plugin = this.loaded.get(id);
    if (plugin === undefined) return;
    this.loaded.delete(id);
    try {
      await plugin.module.deactivate?.();
    } catch (error) {
      this.facilities.log('workbench', 'warn', `Plugin '${id}' failed to deactivate: ${errorMessage(error)}`);
    }
    for (const subscription of plugin.context.subscriptions.splice(0).reverse()) {
      try {
        await subscription.dispose();
      } catch (error) {
        this.facilities.log('workbench', 'warn', `Plugin '${id}': a subscription failed to dispose: ${errorMessage(error)}`);
      }
    }
    await plugin.registrations.dispose();
  }

  private contextFor(id: string, registrations: DisposableStore): BrowserPluginContext {
    const { facilities } = this;
    const tracked = <T>(event: Event<T>): Event<T> => (listener, disposables) => {
      const subscription = registrations.add(event(listener));
      disposables?.push(subscription);
      return subscription;
    };
    return {
      id,
      subscriptions: [],
      views: { register: (viewId, render) => registrations.add(facilities.registerView(id, viewId, render)) },
      editors: { open: (options) => registrations.add(facilities.openEditor(id, options)) },
      commands: {
        register: (commandId, handler) => registrations.add(facilities.commands.register(id, commandId, handler)),
        execute: <T>(commandId: string, ...args: unknown[]) => facilities.commands.execute<T>(commandId, ...args),
      },
      statusBar: { createItem: (options) => registrations.add(facilities.createStatusItem(id, options)) },
      sync: { addSection: (options) => registrations.add(facilities.addSyncSection(id, options)) },
      dialogs: {
        chooseFile: (options) => facilities.chooseFile(options),
        confirm: (options) => facilities.confirm(options),
        show: (options) => facilities.showDialog(options),
      },
      plugins: { exports: <T>(pluginId: string) => this.exportsOf(pluginId) as Promise<T | undefined> },
      services: {
        get: <T extends object>(name: string) => serviceProxy<T>(facilities.client, name),
        onEvent: <T>(name: string, event: string, listener: (data: T) => void) =>
          registrations.add(
            facilities.onDidServiceEvent((fired) => {
              if (fired.service === name && fired.event === event) listener(fired.data as T);
            }),
          ),
      },
      resources: { url: (name, path, query) => resourceUrl(id, name, path, query) },
      notifications: {
        info: (message) => facilities.notify('info', message),
        warn: (message) => facilities.notify('warn', message),
        error: (message) => facilities.notify('error', message),
      },
      withProgress: (title, task) => facilities.withProgress(title, task),
      log: (level, message) => facilities.log(id, level, message),
      events: {
        onDidChangeData: tracked(facilities.onDidChangeData),
        onDidChangePlugins: tracked(facilities.onDidChangePlugins),
        onDidSync: tracked(facilities.onDidSync),
        onDidChangeProject: tracked(facilities.onDidChangeProject),
      },
      get project() {
        return facilities.project();
      },
    };
  }
}

/**
 * A typed stand-in for a host service: each method call becomes an RPC request. A trailing
 * `{ signal, onProgress }` object, when given, cancels the call and receives its progress.
 */
function serviceProxy<T extends object>(client: HostClient, service: string): Remote<T> {
  return new Proxy({} as Remote<T>, {
    get(_target, method) {
      if (typeof method !== 'string' || method === 'then') return undefined;
      return (...args: unknown[]) => {
        const last = args.at(-1) as { signal?: AbortSignal; onProgress?: (report: ProgressReport) => void } | undefined;
        const options = isCallOptions(last) ? (args.pop() as typeof last) : undefined;
        return client.request(WorkbenchRpc.invokeService, { service, method, args }, options ?? {});
      };
    },
  });
}

function isCallOptions(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => key === 'signal' || key === 'onProgress') &&
    ((value as { signal?: unknown }).signal instanceof AbortSignal || typeof (value as { onProgress?: unknown }).onProgress === 'function');
}

