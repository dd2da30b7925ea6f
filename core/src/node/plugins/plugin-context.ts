import { inject, injectable } from '@cairn/sdk/inversify';
import type { DocumentChange, DocumentType, Event, PluginContext, ProjectApi } from '@cairn/sdk';
import { CommandService } from '../commands/command-service.js';
import { ConfigurationService } from '../configuration/configuration-service.js';
import type { Project } from '../project/project.js';
import { ProjectService } from '../project/project-service.js';
import { ProgressService } from '../progress-service.js';
import { ServiceRegistry } from '../services/service-registry.js';
import { ResourceRegistry } from '../services/resource-registry.js';
import { SyncTransportRegistry } from '../sync/sync-transport-registry.js';
import { FormatRegistry } from '../formats/format-registry.js';
import { MapLayerRegistry } from '../map-layers/map-layer-registry.js';
import type { PluginContextFactory, PluginContextOptions } from './plugin-context-factory.js';

/** Makes an event's subscriptions go with the plugin, even those it forgot to dispose. */
type Tracked = <T>(event: Event<T>) => Event<T>;

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
    // Subscriptions made through the context are withdrawn with the plugin.
    const tracked: Tracked = (event) => (listener, disposables) => {
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
        execute: <T>(commandId: string, ...args: unknown[]) => commands.execute<T>(commandId, args),
      },
      configuration: {
        get: <T>(key: string) => configuration.get<T>(key),
        update: (key, value) => configuration.update(key, value),
        onDidChange: tracked(configuration.onDidChange),
      },
      project: projectApi(projects, tracked),
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

/** The names of the project's methods. */
type ProjectMethod = { [K in keyof Project]: Project[K] extends (...args: never[]) => unknown ? K : never }[keyof Project];

/**
 * `ctx.project`: the project's own methods under the SDK's names, each called on the project of
 * the data dir, opened on first use (`ERR_NO_PROJECT` while there is none).
 */
function projectApi(projects: ProjectService, tracked: Tracked): ProjectApi {
  const call =
    <M extends ProjectMethod>(method: M) =>
    async (...args: Parameters<Project[M]>): Promise<Awaited<ReturnType<Project[M]>>> => {
      const project = await projects.open();
      return (project[method] as (...given: Parameters<Project[M]>) => Awaited<ReturnType<Project[M]>>).apply(project, args);
    };
  const remove = (type: DocumentType) => (documentId: string) => call('deleteDocument')(type, documentId);
  const observationChanges: Event<DocumentChange> = (listener, disposables) =>
    projects.onDidChange((change) => change.type === 'observation' && listener(change), disposables);
  return {
    info: call('info'),
    create: async ({ name, deviceName }) => (await projects.create({ name, ...(deviceName !== undefined && { deviceName }) })).info(),
    observations: {
      create: async (input) => (await call('createObservations')([input]))[0]!,
      createMany: call('createObservations'),
      validate: call('validateObservations'),
      update: call('updateObservation'),
      delete: remove('observation'),
      get: call('getObservation'),
      getVersion: call('getObservationVersion'),
      history: call('observationHistory'),
      query: call('queryObservations'),
      count: call('countObservations'),
      countByCategory: call('countObservationsByCategory'),
      positions: call('observationPositions'),
      readAttachment: call('readAttachment'),
      tombstones: call('observationTombstones'),
      onDidChange: tracked(observationChanges),
    },
    tracks: {
      create: call('createTrack'),
      update: call('updateTrack'),
      delete: remove('track'),
      get: call('getTrack'),
      list: call('listTracks'),
      tombstones: call('trackTombstones'),
    },
    presets: {
      create: call('createPreset'),
      update: call('updatePreset'),
      delete: remove('preset'),
      get: call('getPreset'),
      list: call('listPresets'),
    },
    fields: {
      create: call('createField'),
      update: call('updateField'),
      delete: remove('field'),
      get: call('getField'),
      list: call('listFields'),
    },
    settings: {
      get: call('settings'),
      update: call('updateSettings'),
    },
    devices: call('devices'),
    members: {
      list: async () => (await projects.open()).members.list(),
      invite: (stream, options) => projects.invite(stream, options),
      join: (stream, options) => projects.join(stream, options),
      createCode: (options) => projects.createInviteCode(options),
      openCodeIds: () => projects.openInviteCodeIds(),
      codeId: (code) => projects.inviteCodeId(code),
      answerCode: (stream, options) => projects.answerCode(stream, options),
      joinByCode: (stream, options) => projects.join(stream, options),
    },
    renameDevice: call('renameDevice'),
    storageSize: () => projects.storageSize(),
    onDidChange: tracked(projects.onDidChange),
  };
}
