import { ContainerModule } from '@cairn/sdk/inversify';
import { bindContribution, CommandContribution } from '@cairn/sdk';
import { CoreCliContribution } from './cli/core-cli.js';
import { CliContribution } from './cli/cli-command.js';
import { CliRegistry } from './cli/cli-registry.js';
import { CommandRegistry } from './commands/command-registry.js';
import { CommandService } from './commands/command-service.js';
import { CommandExtensionPoint } from './commands/command-extension-point.js';
import { PluginCommands } from './commands/plugin-commands.js';
import { ConfigurationService } from './configuration/configuration-service.js';
import { ExtensionPoint } from './di/contributions.js';
import { LogService } from './log-service.js';
import { DefaultPluginContextFactory } from './plugins/plugin-context.js';
import { PluginContextFactory } from './plugins/plugin-context-factory.js';
import { PluginHost } from './plugins/plugin-host.js';
import { ProjectService } from './project/project-service.js';
import { ServiceRegistry } from './services/service-registry.js';
import { ResourceRegistry } from './services/resource-registry.js';
import { ProgressService } from './progress-service.js';
import { ProjectCliContribution, ProjectCommands } from './project/project-cli.js';
import { ServeCliContribution } from './server/serve-cli.js';
import { SyncTransportRegistry } from './sync/sync-transport-registry.js';
import { SyncTransportExtensionPoint } from './sync/sync-transport-extension-point.js';
import { ExportFormatExtensionPoint, FormatRegistry, ImportFormatExtensionPoint } from './formats/format-registry.js';
import { MapLayerProviderExtensionPoint, MapLayerRegistry } from './map-layers/map-layer-registry.js';
import { ViewRegistry } from './views/view-registry.js';

/** The plugin host and the services every plugin's context is made of. */
const pluginHostModule = new ContainerModule(({ bind }) => {
  bind(LogService).toConstantValue(new LogService());
  bind(PluginHost).toSelf().inSingletonScope();
  bind(PluginContextFactory).to(DefaultPluginContextFactory).inSingletonScope();
  bind(ConfigurationService).toSelf().inSingletonScope();
  bind(ViewRegistry).toSelf().inSingletonScope();
  bind(ServiceRegistry).toSelf().inSingletonScope();
  bind(ResourceRegistry).toSelf().inSingletonScope();
  bind(ProgressService).toSelf().inSingletonScope();
});

const commandsModule = new ContainerModule(({ bind }) => {
  bind(CommandRegistry).toSelf().inSingletonScope();
  bind(CommandService).toSelf().inSingletonScope();
  bindContribution(bind, ExtensionPoint, CommandExtensionPoint);
  bindContribution(bind, CommandContribution, PluginCommands);
});

const syncModule = new ContainerModule(({ bind }) => {
  bind(SyncTransportRegistry).toSelf().inSingletonScope();
  bindContribution(bind, ExtensionPoint, SyncTransportExtensionPoint);
});

/** Export and import formats, contributed by plugins (`cairn export`/`import` live in plugins). */
const formatsModule = new ContainerModule(({ bind }) => {
  bind(FormatRegistry).toSelf().inSingletonScope();
  bindContribution(bind, ExtensionPoint, ExportFormatExtensionPoint);
  bindContribution(bind, ExtensionPoint, ImportFormatExtensionPoint);
});

/** Map layers, contributed by plugins (the map plugin draws them). */
const mapLayersModule = new ContainerModule(({ bind }) => {
  bind(MapLayerRegistry).toSelf().inSingletonScope();
  bindContribution(bind, ExtensionPoint, MapLayerProviderExtensionPoint);
});

const cliModule = new ContainerModule(({ bind }) => {
  bind(CliRegistry).toSelf().inSingletonScope();
  bindContribution(bind, CliContribution, CoreCliContribution);
});

/** The project of the data dir: store, index, replication, and their CLI. */
const projectModule = new ContainerModule(({ bind }) => {
  bind(ProjectService).toSelf().inSingletonScope();
  bindContribution(bind, CliContribution, ProjectCliContribution);
  bindContribution(bind, CommandContribution, ProjectCommands);
});

/** The workbench: browser mode's server (the Electron window uses the same RPC binding). */
const workbenchModule = new ContainerModule(({ bind }) => {
  bindContribution(bind, CliContribution, ServeCliContribution);
});

/** The root container's modules, in the order they are loaded. */
export const coreModules = [pluginHostModule, commandsModule, syncModule, formatsModule, mapLayersModule, cliModule, projectModule, workbenchModule];
