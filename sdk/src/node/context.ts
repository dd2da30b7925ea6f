import type { Disposable } from '../common/disposable.js';
import type { Event } from '../common/event.js';
import type { Readable } from 'node:stream';
import type { Field, FieldInput, Preset, PresetInput } from '../common/categories.js';
import type { Track, TrackInput, TrackPatch } from '../common/track.js';
import type { InviteCode, InviteOffer, InviteResult, JoinResult, Member, MemberRole } from '../common/members.js';
import type {
  AttachmentVariant,
  CreateManyOptions,
  DeviceInfo,
  DocumentChange,
  Observation,
  ObservationChange,
  ObservationFilter,
  ObservationInput,
  ObservationPatch,
  ObservationPositions,
  ProjectInfo,
  ProjectSettings,
  UpdateOptions,
} from '../common/observation.js';
import type { ProgressReport } from '../common/services.js';
import type { ResourceHandler } from '../common/resources.js';
import type { FormatsApi } from './formats.js';
import type { MapLayersApi } from './map-layers.js';
import type { SyncPeer, SyncProgress, SyncSummary } from '../common/sync.js';

export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

// Handlers take any JSON-like arguments; `unknown[]` would force every handler to cast.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CommandHandler = (...args: any[]) => unknown;

export interface CommandsApi {
  /**
   * Registers the handler of a command. The id may also be declared in the manifest
   * (`contributes.commands`), which makes it known before the plugin is active.
   */
  register(id: string, handler: CommandHandler): Disposable;
  /**
   * Runs a command of any plugin, activating its plugin first when needed.
   * Rejects with `ERR_NOT_FOUND`, `ERR_PLUGIN_DISABLED` or `ERR_PLUGIN_FAILED`.
   */
  execute<T = unknown>(id: string, ...args: unknown[]): Promise<T>;
}

export interface ConfigurationChange {
  key: string;
  value: unknown;
}

export interface ConfigurationApi {
  /** The user's value of a setting, else its declared default. */
  get<T = unknown>(key: string): T | undefined;
  /** Stores a value; it is checked against the setting's declared schema (`ERR_INVALID_INPUT`). */
  update(key: string, value: unknown): Promise<void>;
  readonly onDidChange: Event<ConfigurationChange>;
}

export interface ObservationsApi {
  /** Rejects with `ERR_INVALID_INPUT` naming the field when the input is not valid. */
  create(input: ObservationInput): Promise<Observation>;
  /**
   * Creates many at once, far faster than one by one (imports, generators). All are validated
   * first: one invalid input rejects the whole call and nothing is written. With
   * `skipExisting`, inputs whose `id` is known already are left out of the result.
   */
  createMany(inputs: ObservationInput[], options?: CreateManyOptions): Promise<Observation[]>;
  /**
   * Checks inputs as `create` would, writing nothing: the problems of each invalid one, by its
   * index (an empty list when all are valid). For imports that must know before they write.
   * Whether an `id` is taken already is not checked here: `createMany` says (or skips it).
   */
  validate(inputs: ObservationInput[]): Promise<Array<{ index: number; message: string }>>;
  update(id: string, patch: ObservationPatch, options?: UpdateOptions): Promise<Observation>;
  /** Deletes (a tombstone that replaces every head, so no stale device brings it back). */
  delete(id: string): Promise<void>;
  /** Rejects with `ERR_NOT_FOUND` when there is no such observation (or it was deleted). */
  get(id: string): Promise<Observation>;
  /** One version by id, current or not (e.g. one of `forks`). */
  getVersion(version: string): Promise<Observation>;
  /**
   * Every version of an observation this device holds, newest first: the current one, its forks,
   * and the versions they replaced. `ERR_NOT_FOUND` when there is no such observation.
   */
  history(id: string): Promise<Observation[]>;
  query(filter?: ObservationFilter): Promise<Observation[]>;
  /** How many observations match, ignoring `limit` and `offset`. */
  count(filter?: ObservationFilter): Promise<number>;
  /** How many that match are in each category (`null`: none), most first; categories in use without a preset too. */
  countByCategory(filter?: ObservationFilter): Promise<Array<{ category: string | null; count: number }>>;
  /**
   * The id, place and category of every observation that matches (limit, offset and sort are
   * ignored), read straight from the index: far faster than `query` for a million points.
   */
  positions(filter?: ObservationFilter): Promise<ObservationPositions>;
  /**
   * The bytes of an attachment (its original, or one of its variants), streamed. `ERR_NOT_FOUND`
   * if it is not (yet) on this device, or has no such variant.
   */
  readAttachment(id: string, name: string, variant?: AttachmentVariant): Promise<Readable>;
  /**
   * The observations deleted here (their tombstones' versions and times), for a bridge that
   * carries deletions to another system.
   */
  tombstones(): Promise<Array<{ id: string; version: string; updatedAt: string }>>;
  readonly onDidChange: Event<ObservationChange>;
}

/** Categories and fields: the same operations for each kind of document. */
export interface DocumentsApi<T, TInput> {
  create(input: TInput): Promise<T>;
  update(id: string, patch: Partial<TInput>, options?: UpdateOptions): Promise<T>;
  delete(id: string): Promise<void>;
  get(id: string): Promise<T>;
  list(): Promise<T[]>;
}

/** Tracks: categories' operations, with what a bridge needs (given times, the deleted ones). */
export interface TracksApi {
  create(input: TrackInput): Promise<Track>;
  /** `updatedAt` in the options: when the edit was made elsewhere (a bridge); else now. */
  update(id: string, patch: TrackPatch, options?: UpdateOptions): Promise<Track>;
  delete(id: string): Promise<void>;
  get(id: string): Promise<Track>;
  list(): Promise<Track[]>;
  tombstones(): Promise<Array<{ id: string; version: string; updatedAt: string }>>;
}

export interface ProjectSettingsApi {
  get(): Promise<ProjectSettings>;
  update(patch: Partial<ProjectSettings>): Promise<ProjectSettings>;
}

export interface InviteOptions {
  /** Exactly one side of the stream is the initiator (the one that dialled). */
  initiator: boolean;
  /** Default `participant`. */
  role?: MemberRole;
  /** The other side silent this long ends the invite with `ERR_TIMEOUT`. Default 120 000. */
  timeoutMs?: number;
}

export interface JoinOptions {
  initiator: boolean;
  /** This device's name in the project it joins (default: the computer's name). */
  deviceName?: string;
  timeoutMs?: number;
  /** Whether to take the offer; default: take it. A declined offer ends `join` with `ERR_CANCELLED`. */
  accept?(offer: InviteOffer): boolean | Promise<boolean>;
}

export interface MembersApi {
  /** Every device of the project with its role and status (`cairn members`). */
  list(): Promise<Member[]>;
  /**
   * The coordinator's side of an invite: offers the project with a role, and once the other side
   * accepts, sends it the key over this (encrypted) stream and records it as a member.
   * `ERR_NOT_PERMITTED` on a participant's device.
   */
  invite(stream: DuplexStream, options: InviteOptions): Promise<InviteResult>;
  /**
   * In a data dir with no project: takes an invite that comes over the stream and makes the
   * project from it. `ERR_INVALID_INPUT` when the data dir holds a project already.
   */
  join(stream: DuplexStream, options: JoinOptions): Promise<JoinResult>;
  /**
   * Makes a one-time invite code (coordinators): the device that gives it joins with `role`
   * (default participant) until `expiresHours` (default 24) have passed.
   */
  createCode(options?: { role?: MemberRole; expiresHours?: number }): Promise<InviteCode>;
  /** Ids of this device's codes that can still be used: what a transport announces so that their devices find it. */
  openCodeIds(): Promise<string[]>;
  /** The id a code is known by on the network; `ERR_INVALID_INPUT` for text that is no code. */
  codeId(code: string): Promise<string>;
  /**
   * The coordinator's side of an invite by code, over a stream from a device that gives one of
   * this device's codes: it is let in with the code's role and the code is spent. The other side
   * gets `ERR_INVITE_USED`, `ERR_INVITE_EXPIRED` or `ERR_NOT_FOUND` (no such code here).
   */
  answerCode(stream: DuplexStream, options: { initiator: boolean; timeoutMs?: number }): Promise<InviteResult>;
  /** In a data dir with no project: joins with a code, over a stream to a coordinator's device that holds it. */
  joinByCode(stream: DuplexStream, options: JoinOptions & { code: string }): Promise<JoinResult>;
}

export interface ProjectApi {
  /** Rejects with `ERR_NO_PROJECT` when the data dir holds no project. */
  info(): Promise<ProjectInfo>;
  /**
   * Creates the data dir's project, as `cairn init --name` does: for a plugin that brings a
   * project from elsewhere (a bridge joining a foreign project). `ERR_INVALID_INPUT` when the data
   * dir already holds one.
   */
  create(options: { name: string; deviceName?: string }): Promise<ProjectInfo>;
  readonly observations: ObservationsApi;
  readonly presets: DocumentsApi<Preset, PresetInput>;
  readonly fields: DocumentsApi<Field, FieldInput>;
  readonly tracks: TracksApi;
  readonly settings: ProjectSettingsApi;
  /** The devices that have written to the project, this one included. */
  devices(): Promise<DeviceInfo[]>;
  /** The project's members and roles; invites over a stream a transport brings. */
  readonly members: MembersApi;
  /** Renames this device (1–64 characters, else `ERR_INVALID_INPUT`); others see it after their next sync. */
  renameDevice(name: string): Promise<ProjectInfo>;
  /** Bytes the project's data takes on this device (its store and index); the store is not opened. */
  storageSize(): Promise<number>;
  /** Any document changed: an observation, a category, a field, the settings, a device. */
  readonly onDidChange: Event<DocumentChange>;
}

/**
 * The minimal shape of a duplex byte stream the replication service can run over: a TCP
 * socket, a Hyperswarm connection, an in-process pipe.
 */
export interface DuplexStream {
  write(chunk: Uint8Array): unknown;
  end(): unknown;
  destroy(error?: Error): unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
}

export interface ReplicateOptions {
  /** Exactly one side of a stream is the initiator (the one that dialled). */
  initiator: boolean;
  /** What is known of the other side before it identifies itself. */
  peer?: Partial<SyncPeer>;
  /** A peer silent this long ends the session with `ERR_TIMEOUT`. Default 30 000. */
  timeoutMs?: number;
  /**
   * Identify the peer (once it has proven it is a member) but exchange no data until `start()`
   * is called on this side or the other side starts. For transports that list devices first and
   * sync when the user asks. Default false: the exchange starts as soon as the peer is proven.
   */
  awaitStart?: boolean;
}

export interface SyncSession {
  on(event: 'progress', listener: (progress: SyncProgress) => void): Disposable;
  /** Resolves once both sides hold what the other had; rejects with a coded error otherwise. */
  readonly done: Promise<SyncSummary>;
  /** Ends the session; `done` rejects with `ERR_CANCELLED`. */
  cancel(): void;
  /** Resolves with the other device once it has proven it is a member; rejects as `done` does. */
  readonly peer: Promise<SyncPeer>;
  /** Begins the exchange of a session opened with `awaitStart` (does nothing once begun). */
  start(): void;
  /** Resolves when the exchange begins, whichever side started it; rejects as `done` does. */
  readonly started: Promise<void>;
}

/** One sync run through a transport. `target` means what the transport says (a file path, an address). */
export interface SyncRequest {
  target?: string;
  options?: Record<string, unknown>;
  onProgress?: (progress: SyncProgress, peer?: SyncPeer) => void;
  signal?: AbortSignal;
}

export interface SyncPeerResult {
  peer: SyncPeer;
  result: 'ok' | 'error';
  summary?: SyncSummary;
  error?: { code: string; message: string };
}

/** Extension point for sync transports: contribute one with `bindContribution(bind, SyncTransport, MyTransport)`. */
export const SyncTransport = Symbol.for('cairn.SyncTransport');

/**
 * A way of moving replication bytes between devices: a file, the local network, anything else a
 * plugin can reach. Transports only move bytes; they hand each stream to `ctx.sync.replicate`.
 */
export interface SyncTransport {
  /** Matches an id the plugin declares in `contributes.syncTransports`. */
  readonly id: string;
  readonly title: string;
  sync(request: SyncRequest): Promise<SyncPeerResult[]>;
  /**
   * Finds a coordinator's device that holds an invite code and joins through it, with
   * `ctx.project.members.joinByCode` (`cairn init --join-code`). Optional: a transport that can
   * reach coordinators offers it; every transport that does is tried at once, the first to join wins.
   */
  joinByCode?(request: CodeJoinRequest): Promise<JoinResult>;
}

/** A device joining with an invite code through a transport. */
export interface CodeJoinRequest {
  code: string;
  /** This device's name in the project (default: the computer's name). */
  deviceName?: string;
  timeoutMs: number;
  /** Where to reach the coordinator, as the user gave it (`--connect HOST:PORT`); else the transport looks. */
  connect: string[];
  /** Another transport joined first, or the user gave up. */
  signal: AbortSignal;
}

/**
 * A relay: a store of the project's data that is no device — the content of a sync file. Open it
 * on a folder (empty for a new one), sync with it like with a peer, close it; the folder then holds
 * the union of what it had and what this device had, encrypted as the devices wrote it.
 */
export interface SyncRelay {
  replicate(stream: DuplexStream, options: ReplicateOptions): SyncSession;
  /** Writes down what it holds and closes its store; says whether it holds anything new. */
  close(): Promise<{ changed: boolean }>;
}

export interface SyncApi {
  /** Runs Cairn's replication protocol over any duplex stream. */
  replicate(stream: DuplexStream, options: ReplicateOptions): SyncSession;
  registerTransport(transport: SyncTransport): Disposable;
  /**
   * The project's discovery key (hex): public, it names the project on networks and in sync files
   * without revealing the key. Reading it does not open the store. `ERR_NO_PROJECT` without one.
   */
  discoveryKey(): Promise<string>;
  /** Opens a relay on a folder; see {@link SyncRelay}. */
  openRelay(directory: string): Promise<SyncRelay>;
}

export interface ServicesApi {
  /**
   * Exposes an object to this plugin's workbench side (and to others'), which calls it with
   * `ctx.services.get<T>(name)`. Methods take JSON arguments, then an `InvocationContext`; they
   * return JSON (or a promise of it). Throw a `CairnError` for errors the user should read.
   */
  register(name: string, service: object): Disposable;
  /**
   * Tells every open workbench window something about a service this plugin registered (a device
   * appeared, a state changed); its browser side listens with `ctx.services.onEvent(name, event, …)`.
   * `data` must be JSON.
   */
  emit(name: string, event: string, data: unknown): void;
}

export interface ResourcesApi {
  /**
   * Serves bytes to the workbench at `/resources/<plugin id>/<name>/…` (see `ResourceHandler`);
   * the workbench side builds the URL with `ctx.resources.url(name, path, query)`.
   */
  register(name: string, handler: ResourceHandler): Disposable;
}

/** DI token of the plugin's own context, bound in its child container. */
export const PluginContext = Symbol.for('cairn.PluginContext');

/**
 * Shows progress of long host work wherever the user is: a bar on the terminal for a CLI command,
 * a notification in the workbench. Resolves with the task's result.
 */
export type ProgressApi = <T>(title: string, task: (report: (progress: ProgressReport) => void) => Promise<T>) => Promise<T>;

/** What the host hands to a plugin's `activate`. */
export interface PluginContext {
  readonly id: string;
  readonly version: string;
  /** Folder of the plugin package. */
  readonly pluginPath: string;
  /** Released by the host when the plugin is disabled or the host shuts down. */
  readonly subscriptions: Disposable[];
  readonly log: Logger;
  /** A folder of the data dir that belongs to this plugin; it exists when `activate` runs. */
  readonly storagePath: string;
  readonly commands: CommandsApi;
  readonly configuration: ConfigurationApi;
  readonly project: ProjectApi;
  readonly sync: SyncApi;
  readonly services: ServicesApi;
  readonly resources: ResourcesApi;
  readonly progress: ProgressApi;
  /** Export and import formats (see {@link ExportFormat}, {@link ImportFormat}). */
  readonly formats: FormatsApi;
  /** Layers for the map (see {@link MapLayerProvider}). */
  readonly mapLayers: MapLayersApi;
}
