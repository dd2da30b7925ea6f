import { Container, ContainerModule } from '@cairn/sdk/inversify';
import { bindContribution, CommandContribution, ExportFormat, ImportFormat, MapLayerProvider, SyncTransport } from '@cairn/sdk';
import { CoreCliContribution } from './cli/core-cli.js';
import { CliContribution } from './cli/cli-command.js';
import { CliRegistry } from './cli/cli-registry.js';
import { CommandLineHost } from './cli/command-line-host.js';
import { CommandService } from './commands/command-service.js';
import { PluginCommands } from './commands/plugin-commands.js';
import { ConfigurationService } from './configuration/configuration-service.js';
import { registryExtensionPoint, RootContainer } from './di/contributions.js';
import { bindService } from './di/service-lifetimes.js';
import { HostConfig } from './host-config.js';
import { LogService } from './log-service.js';
import { DefaultPluginContextFactory } from './plugins/plugin-context.js';
import { PluginContextFactory } from './plugins/plugin-context-factory.js';
import { PluginHost } from './plugins/plugin-host.js';
import { ProjectService } from './project/project-service.js';
import { ServiceRegistry } from './services/service-registry.js';
import { ResourceRegistry } from './services/resource-registry.js';
import { ProgressService } from './progress-service.js';
import { ProjectCliContribution, ProjectCommands } from './project/project-cli.js';
import { MembersCliContribution } from './project/members-cli.js';
import { ServeCliContribution } from './server/serve-cli.js';
import { WorkbenchAssets } from './server/workbench-assets.js';
import { WorkbenchServerFactory } from './server/workbench-server-factory.js';
import { SyncTransportRegistry } from './sync/sync-transport-registry.js';
import { FormatRegistry } from './formats/format-registry.js';
import { MapLayerRegistry } from './map-layers/map-layer-registry.js';
import { ViewRegistry } from './views/view-registry.js';

/** The plugin host and the services every plugin's context is made of. */
const pluginHostModule = new ContainerModule(({ bind }) => {
  bindService(bind, LogService);
  bindService(bind, PluginHost);
  bindService(bind, PluginContextFactory, DefaultPluginContextFactory);
  bindService(bind, ConfigurationService);
  bindService(bind, ViewRegistry);
  bindService(bind, ServiceRegistry);
  bindService(bind, ResourceRegistry);
  bindService(bind, ProgressService);
});

const commandsModule = new ContainerModule(({ bind }) => {
  bindService(bind, CommandService);
  registryExtensionPoint(bind, CommandContribution, CommandService, (commands, owner, contribution: CommandContribution) =>
    commands.contribute(owner, contribution),
  );
  bindContribution(bind, CommandContribution, PluginCommands);
});

const syncModule = new ContainerModule(({ bind }) => {
  bindService(bind, SyncTransportRegistry);
  registryExtensionPoint(bind, SyncTransport, SyncTransportRegistry, (transports, owner, transport: SyncTransport) =>
    transports.register(owner, transport),
  );
});

/** Export and import formats, contributed by plugins (`cairn export`/`import` live in plugins). */
const formatsModule = new ContainerModule(({ bind }) => {
  bindService(bind, FormatRegistry);
  registryExtensionPoint(bind, ExportFormat, FormatRegistry, (formats, owner, format: ExportFormat) => formats.registerExport(owner, format));
  registryExtensionPoint(bind, ImportFormat, FormatRegistry, (formats, owner, format: ImportFormat) => formats.registerImport(owner, format));
});

/** Map layers, contributed by plugins (the map plugin draws them). */
const mapLayersModule = new ContainerModule(({ bind }) => {
  bindService(bind, MapLayerRegistry);
  registryExtensionPoint(bind, MapLayerProvider, MapLayerRegistry, (layers, owner, provider: MapLayerProvider) => layers.register(owner, provider));
});

const cliModule = new ContainerModule(({ bind }) => {
  bindService(bind, CliRegistry);
  bind(CommandLineHost).toResolvedValue(
    (config: HostConfig, logs: LogService, progress: ProgressService, cli: CliRegistry, plugins: PluginHost): CommandLineHost => ({ config, logs, progress, cli, plugins }),
    [HostConfig, LogService, ProgressService, CliRegistry, PluginHost],
  );
  bindContribution(bind, CliContribution, CoreCliContribution);
});

/** The project of the data dir: store, index, replication, and their CLI. */
const projectModule = new ContainerModule(({ bind }) => {
  bindService(bind, ProjectService);
  bindContribution(bind, CliContribution, ProjectCliContribution);
  bindContribution(bind, CliContribution, MembersCliContribution);
  bindContribution(bind, CommandContribution, ProjectCommands);
});

/**
 * The workbench: the files its windows load, and browser mode's server (`cairn serve`). The
 * server and the RPC binding of windows are loaded with the first server, into a container of
 * its own; the desktop app loads the binding's module into the root (`workbenchWindowModule`).
 */
const workbenchModule = new ContainerModule(({ bind }) => {
  bindService(bind, WorkbenchAssets);
  bind(WorkbenchServerFactory)
    .toResolvedValue(
      (root: Container): WorkbenchServerFactory =>
        async () => {
          const [{ workbenchWindowModule }, { WorkbenchServer, workbenchServerModule }] = await Promise.all([
            import('./server/workbench-binding.js'),
            import('./server/workbench-server.js'),
          ]);
          const scope = new Container({ parent: root });
          scope.load(workbenchWindowModule, workbenchServerModule);
          return scope.get(WorkbenchServer);
        },
      [RootContainer],
    )
    .inSingletonScope();
  bindContribution(bind, CliContribution, ServeCliContribution);
});

/** The root container's modules, in the order they are loaded. */
export const coreModules = [pluginHostModule, commandsModule, syncModule, formatsModule, mapLayersModule, cliModule, projectModule, workbenchModule];
