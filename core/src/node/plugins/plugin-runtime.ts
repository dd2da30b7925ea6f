import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Container } from '@cairn/sdk/inversify';
import {
  CairnError,
  DisposableStore,
  ErrorCodes,
  errorMessage,
  PluginContext,
  type Disposable,
  type Logger,
  type PluginModule,
} from '@cairn/sdk';
import type { HostConfig } from '../host-config.js';
import { connectContributions, ExtensionPoint } from '../di/contributions.js';
import { LogService } from '../log-service.js';
import { withTimeout } from '../timeouts.js';
import { PluginContextFactory } from './plugin-context-factory.js';
import type { DiscoveredPlugin } from './plugin-scanner.js';

/**
 * One activation of one plugin: its module, its child container, its context and everything it
 * registered. Deactivation undoes all of it within a time bound.
 */
export class PluginRuntime {
  readonly storagePath: string;
  private readonly registrations = new DisposableStore();
  private readonly pluginLog: Logger;
  private module: PluginModule | null = null;
  private context: PluginContext | null = null;
  private container: Container | null = null;

  constructor(
    private readonly plugin: DiscoveredPlugin,
    private readonly root: Container,
    private readonly config: HostConfig,
    private readonly hostLog: Logger,
  ) {
    this.storagePath = join(config.dataDir, 'plugin-data', plugin.id);
    this.pluginLog = root.get(LogService).forSource(plugin.id);
  }

  async activate(): Promise<void> {
    const { plugin } = this;
    const manifest = plugin.manifest!;
    const context = this.root.get<PluginContextFactory>(PluginContextFactory).create({
      id: plugin.id,
      version: plugin.version,
      pluginPath: plugin.dir,
      storagePath: this.storagePath,
      log: this.pluginLog,
      registrations: this.registrations,
    });
    this.context = context;
    const module = manifest.main === undefined ? {} : await this.importMain(manifest.main);
    this.module = module;

    const container = new Container({ parent: this.root });
    this.container = container;
    container.bind(PluginContext).toConstantValue(context);
    if (module.containerModule !== undefined) await container.loadAsync(module.containerModule);
    const extensionPoints = this.root.getAll<ExtensionPoint>(ExtensionPoint);
    this.registrations.add(connectContributions(container, extensionPoints, plugin.id, this.pluginLog));

    if (typeof module.activate === 'function') {
      const seconds = this.config.activationTimeoutMs / 1000;
      await withTimeout(
        Promise.resolve().then(() => module.activate!(context)),
        this.config.activationTimeoutMs,
        `activate() did not finish within ${seconds} s`,
      );
    }
  }

  /**
   * Calls `deactivate()`, then disposes `ctx.subscriptions` (last first) and what the plugin
   * registered through the context, all within the deactivation time bound. A disposal that
   * overruns the bound is abandoned, not awaited; the ones after it are still called.
   */
  async deactivate(): Promise<void> {
    const { id } = this.plugin;
    const deadline = performance.now() + this.config.deactivationTimeoutMs;
    const remaining = () => deadline - performance.now();
    const bounded = async (work: () => unknown, what: string) => {
      try {
        await withTimeout(Promise.resolve().then(work), remaining(), `${what} did not finish in time`);
      } catch (error) {
        this.hostLog.warn(`Plugin '${id}': ${errorMessage(error)}`);
      }
    };

    const module = this.module;
    this.module = null;
    if (module !== null && typeof module.deactivate === 'function') {
      await bounded(() => module.deactivate!(), 'deactivate()');
    }
    const subscriptions: Disposable[] = this.context?.subscriptions.splice(0) ?? [];
    for (const subscription of subscriptions.reverse()) {
      if (typeof subscription?.dispose !== 'function') continue;
      if (remaining() > 0) {
        await bounded(() => subscription.dispose(), 'disposing a subscription');
      } else {
        // Out of time: still release it, without waiting.
        Promise.resolve()
          .then(() => subscription.dispose())
          .catch((error: unknown) => this.hostLog.warn(`Plugin '${id}': a subscription failed to dispose: ${errorMessage(error)}`));
      }
    }
    await this.registrations.dispose();
    const container = this.container;
    this.container = null;
    if (container !== null) await bounded(() => container.unbindAllAsync(), 'releasing its services');
  }

  private async importMain(main: string): Promise<PluginModule> {
    const file = resolve(this.plugin.dir, main);
    let url = pathToFileURL(file).href;
    try {
      // An installed plugin may be replaced while the host runs; a new file must not hit the module cache.
      if (this.plugin.source === 'installed') url += `?mtime=${(await stat(file)).mtimeMs}`;
      const module = (await import(url)) as PluginModule;
      if (module.activate !== undefined && typeof module.activate !== 'function') {
        throw new CairnError(ErrorCodes.INVALID_PLUGIN, `${main} exports 'activate', but it is not a function`);
      }
      return module;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ERR_MODULE_NOT_FOUND') && String((error as Error).message).includes(file)) {
        throw new CairnError(
          ErrorCodes.INVALID_PLUGIN,
          `its entry file cairn.main (${main}) does not exist at ${file}; build the plugin or fix cairn.main`,
        );
      }
      throw error;
    }
  }
}
