import { inject, injectable } from 'inversify';
import type { Event, PluginContext } from '@cairn/sdk';
import { CommandRegistry } from '../commands/command-registry.js';
import { CommandService } from '../commands/command-service.js';
import { ConfigurationService } from '../configuration/configuration-service.js';
import { ProjectService } from '../project/project-service.js';
import { SyncTransportRegistry } from '../sync/sync-transport-registry.js';
import type { PluginContextFactory, PluginContextOptions } from './plugin-context-factory.js';

/** Builds the `ctx` a plugin's `activate` receives: the host API, scoped to that plugin. */
@injectable()
export class DefaultPluginContextFactory implements PluginContextFactory {
  constructor(
    @inject(CommandRegistry) private readonly commands: CommandRegistry,
    @inject(CommandService) private readonly commandService: CommandService,
    @inject(ConfigurationService) private readonly configuration: ConfigurationService,
    @inject(SyncTransportRegistry) private readonly transports: SyncTransportRegistry,
    @inject(ProjectService) private readonly projects: ProjectService,
  ) {}

  create(options: PluginContextOptions): PluginContext {
    const { id, registrations } = options;
    const { commands, commandService, configuration, transports, projects } = this;
    const open = () => projects.current();
    // Subscriptions made through the context are withdrawn with the plugin.
    const tracked = <T>(event: Event<T>): Event<T> => (listener, disposables) => {
      const subscription = registrations.add(event(listener));
      disposables?.push(subscription);
      return subscription;
    };
    return {
      id,
      version: options.version,
      pluginPath: options.pluginPath,
      storagePath: options.storagePath,
      log: options.log,
      subscriptions: [],
      commands: {
        register: (commandId, handler) => registrations.add(commands.register(id, commandId, handler)),
        execute: <T>(commandId: string, ...args: unknown[]) => commandService.execute<T>(commandId, args),
      },
      configuration: {
        get: <T>(key: string) => configuration.get<T>(key),
        update: (key, value) => configuration.update(key, value),
        onDidChange: tracked(configuration.onDidChange),
      },
      project: {
        info: async () => open().info(),
        observations: {
          create: async (input) => open().observations.create(input),
          update: async (observationId, patch) => open().observations.update(observationId, patch),
          delete: async (observationId) => open().observations.delete(observationId),
          get: async (observationId) => open().observations.get(observationId),
          query: async (filter) => open().observations.query(filter),
          count: async (filter) => open().observations.count(filter),
          onDidChange: tracked(projects.onDidChangeObservations),
        },
      },
      sync: {
        replicate: (stream, replicateOptions) => open().replicate(stream, replicateOptions),
        registerTransport: (transport) => registrations.add(transports.register(id, transport)),
      },
    };
  }
}
