import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { inject, injectable, type Container } from '@cairn/sdk/inversify';
import {
  CairnError,
  Emitter,
  ErrorCodes,
  errorMessage,
  type Logger,
  type PluginInfo,
  type PluginManifest,
  type PluginState,
} from '@cairn/sdk';
import { activationEventsOf } from '../../common/activation-events.js';
import { resolveDependencyOrder } from '../../common/dependency-order.js';
import { HostConfig } from '../host-config.js';
import { LogService } from '../log-service.js';
import { RootContainer } from '../di/contributions.js';
import { discoverPlugins, readPlugin, type DiscoveredPlugin } from './plugin-scanner.js';
import { PluginStateStore } from './plugin-state-store.js';
import { PluginRuntime } from './plugin-runtime.js';
import { installPluginFolder, ensureSdkLink } from './plugin-installer.js';

interface PluginRecord {
  plugin: DiscoveredPlugin;
  enabled: boolean;
  /** Why the plugin cannot run as things stand: its own problem or a dependency's. */
  blockedBy: string | null;
  /** Why its last activation failed; cleared when the user enables it again. */
  activationError: string | null;
  lifecycle: 'inactive' | 'activating' | 'active';
  activation: Promise<void> | null;
  runtime: PluginRuntime | null;
  activationMs: number | null;
}

/** A plugin the host knows, as other core services see it. */
export interface KnownPlugin {
  id: string;
  manifest: PluginManifest | null;
  /** Enabled and not failed: its contributions are offered, and it activates on its events. */
  usable: boolean;
  info: PluginInfo;
}

/**
 * Discovers, orders, activates and deactivates plugins. Each plugin gets its own child
 * container and context; one plugin failing (bad manifest, missing dependency, `activate`
 * throwing) marks that plugin `failed` and leaves the others running.
 */
@injectable()
export class PluginHost {
  private records: PluginRecord[] = [];
  private readonly byId = new Map<string, PluginRecord>();
  private readonly stateStore: PluginStateStore;
  private readonly log: Logger;
  private readonly onDidChangeEmitter = new Emitter<void>();
  /** Fires when a plugin's state, enablement or the set of plugins changes. */
  readonly onDidChange = this.onDidChangeEmitter.event;
  private activateOnStartup = false;
  /** Enable, disable and install run one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(
    @inject(HostConfig) private readonly config: HostConfig,
    @inject(LogService) logs: LogService,
    @inject(RootContainer) private readonly root: Container,
  ) {
    this.log = logs.forSource('core');
    this.stateStore = new PluginStateStore(config.dataDir, this.log);
  }

  get installedDir(): string {
    return join(this.config.dataDir, 'plugins');
  }

  /** Finds the plugins and works out which can run; activates nothing yet. */
  async start(): Promise<void> {
    await this.stateStore.load();
    const discovered = await discoverPlugins({
      builtinDir: this.config.builtinPluginsDir,
      developmentPlugins: this.config.developmentPlugins,
      installedDir: this.installedDir,
    });
    for (const plugin of discovered) this.addRecord(plugin);
    if (discovered.some((plugin) => plugin.source === 'installed')) await ensureSdkLink(this.installedDir);
    this.resolve();
  }

  /**
   * Activates the `onStartup` plugins, dependencies first, as the workbench and `cairn run` do;
   * from then on, a plugin enabled at runtime is activated at once if it is a startup plugin.
   */
  async activateStartup(): Promise<void> {
    this.activateOnStartup = true;
    await this.activateStartupPlugins();
  }

  list(): PluginInfo[] {
    return this.records.map((record) => this.infoOf(record));
  }

  info(id: string): PluginInfo {
    return this.infoOf(this.require(id));
  }

  /** Every plugin with its manifest, for the registries that offer declared contributions. */
  known(): KnownPlugin[] {
    return [...this.byId.values()].map((record) => {
      const info = this.infoOf(record);
      return { id: record.plugin.id, manifest: record.plugin.manifest, usable: info.enabled && info.state !== 'failed', info };
    });
  }

  /** The plugin that answers to an activation event (usable or not), e.g. the one declaring a command. */
  providerOf(event: string): KnownPlugin | undefined {
    return this.known().find((plugin) => plugin.manifest !== null && activationEventsOf(plugin.manifest).has(event));
  }

  /**
   * Activates every usable plugin that answers to `event` (e.g. `onCommand:x`). A plugin that
   * fails is marked failed and logged; this never throws for it.
   */
  async activateByEvent(event: string): Promise<void> {
    const listeners = [...this.byId.values()].filter(
      (record) => record.plugin.manifest !== null && activationEventsOf(record.plugin.manifest).has(event),
    );
    await Promise.all(
      listeners
        .filter((record) => this.isUsable(record))
        .map((record) => this.activate(record.plugin.id).catch(() => undefined)),
    );
  }

  /** Activates a plugin and, first, its dependencies. Rejects with a coded error if it cannot run. */
  async activate(id: string): Promise<void> {
    const record = this.require(id);
    const unusable = this.unavailableError(id);
    if (unusable !== null) throw unusable;
    if (record.lifecycle === 'active') return;
    record.activation ??= this.runActivation(record).finally(() => {
      record.activation = null;
    });
    return record.activation;
  }

  /**
   * Why a plugin cannot provide `what` right now (disabled, failed, unknown), as the coded
   * error to show the user, or null when it can.
   */
  unavailableError(id: string, what = `Plugin '${id}'`): CairnError | null {
    const record = this.byId.get(id);
    if (record === undefined) return new CairnError(ErrorCodes.NOT_FOUND, `There is no plugin '${id}'. \`cairn plugins list\` shows the plugins.`);
    if (!record.enabled) {
      const provided = what === `Plugin '${id}'` ? '' : `${what} is provided by plugin '${id}', which is disabled. `;
      return new CairnError(
        ErrorCodes.PLUGIN_DISABLED,
        `${provided || `Plugin '${id}' is disabled. `}Enable it with \`cairn plugins enable ${id}\`.`,
      );
    }
    const failure = record.blockedBy ?? record.activationError;
    if (failure !== null) {
      const provided = what === `Plugin '${id}'` ? `Plugin '${id}'` : `${what} is provided by plugin '${id}', which`;
      return new CairnError(ErrorCodes.PLUGIN_FAILED, `${provided} failed: ${failure}`);
    }
    return null;
  }

  enable(id: string): Promise<PluginInfo> {
    return this.serialize(async () => {
      const record = this.require(id);
      await this.stateStore.setEnabled(id, true);
      record.enabled = true;
      record.activationError = null;
      this.resolve();
      if (this.activateOnStartup) await this.activateStartupPlugins();
      this.onDidChangeEmitter.fire();
      return this.infoOf(record);
    });
  }

  disable(id: string): Promise<PluginInfo> {
    return this.serialize(async () => {
      const record = this.require(id);
      // Disabled before it is deactivated: while its disposals run, nothing may activate it again
      // (a workbench that sees it inactive, say, and asks for the transports it declares).
      record.enabled = false;
      await this.deactivate(record);
      await this.stateStore.setEnabled(id, false);
      this.resolve();
      this.onDidChangeEmitter.fire();
      return this.infoOf(record);
    });
  }

  /**
   * Copies a plugin folder into `<dataDir>/plugins/<id>`, replacing an earlier install of the
   * same id. It starts disabled: code from outside runs only once the user enables it.
   */
  install(folder: string): Promise<PluginInfo> {
    return this.serialize(async () => {
      const candidate = await installPluginFolder(folder, this.installedDir, {
        validate: async (dir) => readPlugin(dir, 'installed'),
        conflict: (id) => {
          const existing = this.byId.get(id);
          return existing !== undefined && existing.plugin.source !== 'installed'
            ? `a ${existing.plugin.source === 'builtin' ? 'built-in' : 'development'} plugin already has the id '${id}'`
            : null;
        },
        beforeReplace: async (id) => {
          const existing = this.byId.get(id);
          if (existing !== undefined) await this.deactivate(existing);
        },
      });
      await this.stateStore.setEnabled(candidate.id, false);
      const installed = await readPlugin(join(this.installedDir, candidate.id), 'installed');
      const existing = this.byId.get(installed.id);
      if (existing !== undefined) {
        existing.plugin = installed;
        existing.enabled = false;
        existing.activationError = null;
        existing.activationMs = null;
      } else {
        this.addRecord(installed);
      }
      this.resolve();
      this.onDidChangeEmitter.fire();
      return this.info(installed.id);
    });
  }

  /** Deactivates every plugin, dependents before their dependencies. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.catch(() => undefined);
    for (const record of [...this.records].reverse()) await this.deactivate(record);
    this.onDidChangeEmitter.dispose();
  }

  private addRecord(plugin: DiscoveredPlugin): void {
    const record: PluginRecord = {
      plugin,
      enabled: this.stateStore.isEnabled(plugin.id, plugin.source),
      blockedBy: null,
      activationError: null,
      lifecycle: 'inactive',
      activation: null,
      runtime: null,
      activationMs: null,
    };
    this.records.push(record);
    // A second plugin with the same id is listed (with its problem) but never runs.
    if (!this.byId.has(plugin.id)) this.byId.set(plugin.id, record);
  }

  private require(id: string): PluginRecord {
    const record = this.byId.get(id);
    if (record === undefined) {
      throw new CairnError(ErrorCodes.NOT_FOUND, `There is no plugin '${id}'. \`cairn plugins list\` shows the plugins.`);
    }
    return record;
  }

  private isUsable(record: PluginRecord): boolean {
    return record.enabled && record.blockedBy === null && record.activationError === null;
  }

  /** Works out, for every enabled plugin, whether it can run and in which order. */
  private resolve(): { order: string[] } {
    for (const record of this.records) {
      record.blockedBy = this.byId.get(record.plugin.id) === record ? null : record.plugin.problem;
    }
    const enabled = [...this.byId.values()].filter((record) => record.enabled);
    const { order, failures } = resolveDependencyOrder(
      enabled.map((record) => ({
        id: record.plugin.id,
        dependsOn: record.plugin.manifest?.dependsOn ?? [],
        failure: record.plugin.problem ?? record.activationError ?? undefined,
      })),
      (dependencyId) =>
        this.byId.has(dependencyId)
          ? `which is disabled; enable it with \`cairn plugins enable ${dependencyId}\``
          : 'which is not installed',
    );
    for (const record of enabled) {
      const failure = failures.get(record.plugin.id);
      // An activation error is reported as such, not as a resolution problem.
      record.blockedBy = failure !== undefined && failure !== record.activationError ? failure : null;
    }
    return { order };
  }

  private async activateStartupPlugins(): Promise<void> {
    const { order } = this.resolve();
    for (const id of order) {
      const record = this.byId.get(id)!;
      if (record.lifecycle !== 'inactive' || !this.isUsable(record)) continue;
      if (record.plugin.manifest !== null && activationEventsOf(record.plugin.manifest).has('onStartup')) {
        await this.activate(id).catch(() => undefined);
      }
    }
  }

  private async runActivation(record: PluginRecord): Promise<void> {
    const { plugin } = record;
    for (const dependencyId of plugin.manifest?.dependsOn ?? []) {
      try {
        await this.activate(dependencyId);
      } catch (error) {
        // The dependency's failure is recorded on it; resolving again marks this plugin as blocked by it.
        this.resolve();
        throw this.unavailableError(plugin.id) ?? error;
      }
    }
    record.lifecycle = 'activating';
    this.onDidChangeEmitter.fire();
    const started = performance.now();
    const runtime = new PluginRuntime(plugin, this.root, this.config, this.log);
    try {
      await mkdir(runtime.storagePath, { recursive: true });
      await runtime.activate();
    } catch (error) {
      await runtime.deactivate();
      this.failActivation(record, errorMessage(error));
      this.log.debug(`Activation of plugin '${plugin.id}' failed:`, error);
      throw this.unavailableError(plugin.id)!;
    }
    const elapsed = performance.now() - started;
    record.activationMs = Math.round(elapsed * 10) / 10;
    record.runtime = runtime;
    record.lifecycle = 'active';
    if (elapsed > this.config.activationWarningMs) {
      this.log.warn(
        `Plugin '${plugin.id}' took ${Math.round(elapsed)} ms to activate (over the ${this.config.activationWarningMs} ms budget); defer work out of activate().`,
      );
    } else {
      this.log.debug(`Plugin '${plugin.id}' activated in ${record.activationMs} ms.`);
    }
    this.onDidChangeEmitter.fire();
  }

  private failActivation(record: PluginRecord, reason: string): void {
    record.activationError = reason;
    record.lifecycle = 'inactive';
    this.log.error(`Plugin '${record.plugin.id}' failed to activate: ${reason}`);
    // Plugins that depend on this one cannot run either; say so in their state.
    this.resolve();
    this.onDidChangeEmitter.fire();
  }

  /** Deactivates a plugin after the active plugins that depend on it. */
  private async deactivate(record: PluginRecord): Promise<void> {
    if (record.activation !== null) await record.activation.catch(() => undefined);
    for (const dependent of this.records) {
      if (dependent.plugin.manifest?.dependsOn?.includes(record.plugin.id) && dependent.lifecycle === 'active') {
        await this.deactivate(dependent);
      }
    }
    const runtime = record.runtime;
    if (runtime === null) return;
    record.runtime = null;
    record.lifecycle = 'inactive';
    await runtime.deactivate();
    this.onDidChangeEmitter.fire();
  }

  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private infoOf(record: PluginRecord): PluginInfo {
    const { plugin } = record;
    const failure = record.blockedBy ?? record.activationError;
    let state: PluginState;
    if (!record.enabled) state = 'disabled';
    else if (failure !== null) state = 'failed';
    else state = record.lifecycle;
    return {
      id: plugin.id,
      version: plugin.version,
      displayName: plugin.displayName,
      enabled: record.enabled,
      state,
      builtin: plugin.source === 'builtin',
      source: plugin.source,
      error: record.enabled ? failure : (plugin.problem ?? null),
      path: plugin.dir,
      activationMs: record.activationMs,
    };
  }
}
