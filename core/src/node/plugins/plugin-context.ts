import { inject, injectable } from '@cairn/sdk/inversify';
import type { DocumentChange, Event, PluginContext } from '@cairn/sdk';
import { CommandService } from '../commands/command-service.js';
import { ConfigurationService } from '../configuration/configuration-service.js';
import { ProjectService } from '../project/project-service.js';
import { ProgressService } from '../progress-service.js';
import { ServiceRegistry } from '../services/service-registry.js';
import { ResourceRegistry } from '../services/resource-registry.js';
import { SyncTransportRegistry } from '../sync/sync-transport-registry.js';
import { FormatRegistry } from '../formats/format-registry.js';
import { MapLayerRegistry } from '../map-layers/map-layer-registry.js';
import type { PluginContextFactory, PluginContextOptions } from './plugin-context-factory.js';

/** Builds the `ctx` a plugin's `activate` receives: the host API, scoped to that plugin. */
@injectable()
export class DefaultPluginContextFactory implements PluginContextFactory {
  constructor(
    @inject(CommandService) private readonly commands: CommandService,
    @inject(ConfigurationService) private readonly configuration: ConfigurationService,
    @inject(SyncTransportRegistry) private readonly transports: SyncTransportRegistry,
    @inject(ProjectService) private readonly projects: ProjectService,
    @inject(ServiceRegistry) private readonly services: ServiceRegistry,
    @inject(ResourceRegistry) private readonly resources: ResourceRegistry,
    @inject(ProgressService) private readonly progress: ProgressService,
    @inject(FormatRegistry) private readonly formats: FormatRegistry,
    @inject(MapLayerRegistry) private readonly mapLayers: MapLayerRegistry,
  ) {}

  create(options: PluginContextOptions): PluginContext {
    const { id, registrations } = options;
    const { commands, configuration, transports, projects, services, resources, progress, formats, mapLayers } = this;
    const open = () => projects.open();
    // Subscriptions made through the context are withdrawn with the plugin.
    const tracked = <T>(event: Event<T>): Event<T> => (listener, disposables) => {
      const subscription = registrations.add(event(listener));
      disposables?.push(subscription);
      return subscription;
    };
    const observationChanges: Event<DocumentChange> = (listener, disposables) =>
      projects.onDidChange((change) => change.type === 'observation' && listener(change), disposables);
    return {
      id,
      version: options.version,
      pluginPath: options.pluginPath,
      storagePath: options.storagePath,
      log: options.log,
      subscriptions: [],
      commands: {
        register: (commandId, handler) => registrations.add(commands.register(id, commandId, handler)),
        execute: <T>(commandId: string, ...args: unknown[]) => commands.execute<T>(commandId, args),
      },
      configuration: {
        get: <T>(key: string) => configuration.get<T>(key),
        update: (key, value) => configuration.update(key, value),
        onDidChange: tracked(configuration.onDidChange),
      },
      project: {
        info: async () => (await open()).info(),
        observations: {
          create: async (input) => (await (await open()).createObservations([input]))[0]!,
          createMany: async (inputs, createOptions) => (await open()).createObservations(inputs, createOptions),
          validate: async (inputs) => (await open()).validateObservations(inputs),
          update: async (observationId, patch, updateOptions) => (await open()).updateObservation(observationId, patch, updateOptions),
          delete: async (observationId) => (await open()).deleteDocument('observation', observationId),
          get: async (observationId) => (await open()).getObservation(observationId),
          getVersion: async (version) => (await open()).getObservationVersion(version),
          history: async (observationId) => (await open()).observationHistory(observationId),
          query: async (filter) => (await open()).queryObservations(filter),
          count: async (filter) => (await open()).countObservations(filter),
          countByCategory: async (filter) => (await open()).countObservationsByCategory(filter),
          positions: async (filter) => (await open()).observationPositions(filter),
          readAttachment: async (observationId, name) => (await open()).readAttachment(observationId, name),
          onDidChange: tracked(observationChanges),
        },
        presets: {
          create: async (input) => (await open()).createPreset(input),
          update: async (presetId, patch, updateOptions) => (await open()).updatePreset(presetId, patch, updateOptions),
          delete: async (presetId) => (await open()).deleteDocument('preset', presetId),
          get: async (presetId) => (await open()).getPreset(presetId),
          list: async () => (await open()).listPresets(),
        },
        fields: {
          create: async (input) => (await open()).createField(input),
          update: async (fieldId, patch, updateOptions) => (await open()).updateField(fieldId, patch, updateOptions),
          delete: async (fieldId) => (await open()).deleteDocument('field', fieldId),
          get: async (fieldId) => (await open()).getField(fieldId),
          list: async () => (await open()).listFields(),
        },
        settings: {
          get: async () => (await open()).settings(),
          update: async (patch) => (await open()).updateSettings(patch),
        },
        devices: async () => (await open()).devices(),
        renameDevice: async (name) => (await open()).renameDevice(name),
        storageSize: () => projects.storageSize(),
        onDidChange: tracked(projects.onDidChange),
      },
      sync: {
        replicate: (stream, replicateOptions) => projects.replicate(stream, replicateOptions),
        registerTransport: (transport) => registrations.add(transports.register(id, transport)),
        discoveryKey: async () => (await projects.discoveryKey()).toString('hex'),
        openRelay: (directory) => projects.openRelay(directory),
      },
      services: {
        register: (name, service) => registrations.add(services.register(id, name, service)),
        emit: (name, event, data) => services.emit(id, name, event, data),
      },
      resources: {
        register: (name, handler) => registrations.add(resources.register(id, name, handler)),
      },
      progress: (title, task) => progress.run(title, task),
      formats: {
        registerExport: (format) => registrations.add(formats.registerExport(id, format)),
        registerImport: (format) => registrations.add(formats.registerImport(id, format)),
        exportFormats: () => formats.exportFormats(),
        importFormats: () => formats.importFormats(),
        exportFormat: (formatId) => formats.exportFormat(formatId),
        importFormat: (formatId) => formats.importFormat(formatId),
      },
      mapLayers: {
        register: (provider) => registrations.add(mapLayers.register(id, provider)),
        layers: () => mapLayers.layers(),
        onDidChange: tracked(mapLayers.onDidChange),
      },
    };
  }
}
