import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Container } from '@cairn/sdk/inversify';
import { CairnError, DisposableStore, ErrorCodes, errorMessage } from '@cairn/sdk';
import { CliRegistry } from './cli/cli-registry.js';
import { CommandService } from './commands/command-service.js';
import { ConfigurationService } from './configuration/configuration-service.js';
import { coreModules } from './core-modules.js';
import { connectContributions, ExtensionPoint, RootContainer } from './di/contributions.js';
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
 * plugin host in it. The CLI, the browser-mode server and the desktop app each create one.
 */
export class CairnHost {
  readonly container: Container;
  readonly config: HostConfig;
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
    container.load(...coreModules, ...this.config.modules);
    this.container = container;
  }

  get plugins(): PluginHost {
    return this.container.get(PluginHost);
  }
  get commands(): CommandService {
    return this.container.get(CommandService);
  }
  get cli(): CliRegistry {
    return this.container.get(CliRegistry);
  }
  get logs(): LogService {
    return this.container.get(LogService);
  }
  get configuration(): ConfigurationService {
    return this.container.get(ConfigurationService);
  }
  get syncTransports(): SyncTransportRegistry {
    return this.container.get(SyncTransportRegistry);
  }
  get views(): ViewRegistry {
    return this.container.get(ViewRegistry);
  }
  get services(): ServiceRegistry {
    return this.container.get(ServiceRegistry);
  }

  get projects(): ProjectService {
    return this.container.get(ProjectService);
  }
  get progress(): ProgressService {
    return this.container.get(ProgressService);
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

  /** Deactivates the plugins (bounded), then releases the core's services. */
  async dispose(): Promise<void> {
    await this.plugins.dispose();
    await this.coreContributions.dispose();
    this.configuration.dispose();
    await this.projects.dispose();
    this.progress.dispose();
    this.logs.dispose();
  }
}
