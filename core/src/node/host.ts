import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Container } from '@cairn/sdk/inversify';
import { CairnError, DisposableStore, ErrorCodes, errorMessage } from '@cairn/sdk';
import type { CommandLineHost } from './cli/command-line-host.js';
import { CliRegistry } from './cli/cli-registry.js';
import { CommandService } from './commands/command-service.js';
import { ConfigurationService } from './configuration/configuration-service.js';
import { coreModules } from './core-modules.js';
import { connectContributions, ExtensionPoint, RootContainer } from './di/contributions.js';
import { ServiceLifetimes } from './di/service-lifetimes.js';
import { HostConfig } from './host-config.js';
import { LogService } from './log-service.js';
import { PluginHost } from './plugins/plugin-host.js';
import { ProjectService } from './project/project-service.js';
import { ServiceRegistry } from './services/service-registry.js';
import { ProgressService } from './progress-service.js';
import { SyncTransportRegistry } from './sync/sync-transport-registry.js';
import { ViewRegistry } from './views/view-registry.js';

export type HostOptions = Pick<HostConfig, 'dataDir'> & Partial<HostConfig>;

/** `<repo>/plugins` next to the core package: where the built-in plugins are. */
export const defaultBuiltinPluginsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'plugins');

/**
 * The headless Cairn host: the root DI container assembled from the core's modules, with the
 * plugin host in it. The CLI, the browser-mode server and the desktop app each create one. It is
 * the composition root: the one place that takes services out of the container, once, to offer
 * those who embed a host (the CLI, the desktop app, tests); every service inside gets its own
 * dependencies injected.
 */
export class CairnHost implements CommandLineHost {
  readonly container: Container;
  readonly config: HostConfig;
  readonly plugins: PluginHost;
  readonly commands: CommandService;
  readonly cli: CliRegistry;
  readonly logs: LogService;
  readonly syncTransports: SyncTransportRegistry;
  readonly views: ViewRegistry;
  readonly services: ServiceRegistry;
  readonly projects: ProjectService;
  readonly progress: ProgressService;
  private readonly configuration: ConfigurationService;
  private readonly lifetimes = new ServiceLifetimes();
  private readonly coreContributions = new DisposableStore();
  private started = false;

  constructor(options: HostOptions) {
    this.config = {
      builtinPluginsDir: defaultBuiltinPluginsDir,
      developmentPlugins: [],
      activationTimeoutMs: 10_000,
      deactivationTimeoutMs: 5_000,
      activationWarningMs: 50,
      modules: [],
      ...options,
    };
    const container = new Container();
    container.bind(RootContainer).toConstantValue(container);
    container.bind(HostConfig).toConstantValue(this.config);
    container.bind(ServiceLifetimes).toConstantValue(this.lifetimes);
    container.load(...coreModules, ...this.config.modules);
    this.container = container;
    this.logs = container.get(LogService);
    this.plugins = container.get(PluginHost);
    this.configuration = container.get(ConfigurationService);
    this.commands = container.get(CommandService);
    this.cli = container.get(CliRegistry);
    this.syncTransports = container.get(SyncTransportRegistry);
    this.views = container.get(ViewRegistry);
    this.services = container.get(ServiceRegistry);
    this.projects = container.get(ProjectService);
    this.progress = container.get(ProgressService);
  }

  /** Connects the core's own contributions and discovers the plugins; activates none yet. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const dataDir = await stat(this.config.dataDir).catch(() => null);
    if (dataDir !== null && !dataDir.isDirectory()) {
      throw new CairnError(
        ErrorCodes.IO,
        `The data dir ${this.config.dataDir} is not a folder. Give --data-dir a folder (it is created if missing).`,
      );
    }
    const log = this.logs.forSource('core');
    const extensionPoints = this.container.getAll<ExtensionPoint>(ExtensionPoint);
    this.coreContributions.add(connectContributions(this.container, extensionPoints, 'core', log));
    await this.plugins.start();
    // A damaged settings.json must not stop the host: settings fall back to their defaults,
    // and updating one reports the damage instead of overwriting the file.
    await this.configuration.load().catch((error: unknown) => log.error(errorMessage(error)));
  }

  /**
   * Deactivates the plugins first (bounded), while every service they use still works; then
   * withdraws the core's contributions and disposes every service the container made, last
   * made first.
   */
  async dispose(): Promise<void> {
    await this.plugins.dispose();
    await this.coreContributions.dispose();
    await this.lifetimes.disposeAll();
  }
}
