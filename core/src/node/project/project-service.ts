import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inject, injectable } from '@cairn/sdk/inversify';
import {
  CairnError,
  DisposableStore,
  Emitter,
  deviceNameOr,
  ErrorCodes,
  errorReport,
  isCairnError,
  type DocumentChange,
  type DuplexStream,
  type InviteCode,
  type InviteOptions,
  type InviteResult,
  type JoinOptions,
  type JoinResult,
  type Logger,
  type MemberRole,
  type ReplicateOptions,
  type SyncActivity,
  type SyncRelay,
  type SyncSession,
} from '@cairn/sdk';
import { HostConfig } from '../host-config.js';
import { LogService } from '../log-service.js';
import type { CreateProjectOptions, Project } from './project.js';
import type { ProjectKeys } from './keys.js';
import type { InviteCodes } from './invite-codes.js';
import type { InviterContext } from './invites.js';
import { alreadyHoldsProject, readProjectFile } from './project-files.js';

/** Seed of the sample data, so every newcomer sees the same living workbench. */
const SAMPLE_SEED = 20_260_101;

/** The data layer (Corestore, Hyperdrive, SQLite) is loaded on first use: commands that never touch a project start faster. */
const loadProject = async () => (await import('./project.js')).Project;

/**
 * The project of the data dir, opened on first use (managing plugins never needs it), shared by
 * the CLI, the workbench and every plugin's `ctx.project` and `ctx.sync`.
 */
@injectable()
export class ProjectService {
  private opening: Promise<Project> | null = null;
  private readonly log: Logger;
  private readonly onDidChangeEmitter = new Emitter<DocumentChange>();
  /** Any document of the project changed, here or by sync. */
  readonly onDidChange = this.onDidChangeEmitter.event;
  private readonly onDidSyncEmitter = new Emitter<SyncActivity>();
  /** Any sync session of this host started, made progress, ended. */
  readonly onDidSync = this.onDidSyncEmitter.event;
  private sessions = 0;
  /** The relays (sync files) open in this process: a session with one is no session with a stranger. */
  private readonly localRelays = new Set<string>();
  private readonly onDidOpenEmitter = new Emitter<Project>();
  /** The project was opened, created or joined. */
  readonly onDidOpen = this.onDidOpenEmitter.event;
  private closed = false;

  constructor(
    @inject(HostConfig) private readonly config: HostConfig,
    @inject(LogService) logs: LogService,
  ) {
    this.log = logs.forSource('core');
  }

  /** The open project; `ERR_NO_PROJECT` when the data dir holds none. */
  open(): Promise<Project> {
    if (this.closed) return Promise.reject(new CairnError(ErrorCodes.INTERNAL, 'The host is shutting down.'));
    this.opening ??= (async () => {
      const project = await (await loadProject()).open(this.config.dataDir, this.log);
      if (project === null) throw this.noProject();
      return this.adopt(project);
    })();
    // A failed open (no project yet, a busy data dir) may succeed later.
    this.opening.catch(() => {
      this.opening = null;
    });
    return this.opening;
  }

  /** `cairn init`: creates (or joins) the project of the data dir. */
  async create(options: CreateProjectOptions): Promise<Project> {
    const existing = await this.open().catch((error: unknown) => {
      if (isCairnError(error, ErrorCodes.NO_PROJECT)) return null;
      throw error;
    });
    if (existing !== null) {
      throw alreadyHoldsProject(this.config.dataDir);
    }
    const project = await (await loadProject()).create(this.config.dataDir, options, this.log);
    this.opening = Promise.resolve(this.adopt(project));
    return project;
  }

  /**
   * Starts a sync session at once, even before the project is open (plugins hand streams over
   * synchronously); the session waits for the project.
   */
  replicate(stream: DuplexStream, options: ReplicateOptions): SyncSession {
    const session = this.open().then((project) => project.replicate(stream, options, this.localRelays));
    session.catch(() => (stream as { destroy?: () => void }).destroy?.());
    this.follow(session, options);
    // A transport may await only some of these: one it leaves alone must not end the process
    // as an unhandled rejection when the session fails (those who await it still see the error).
    const done = session.then((started) => started.done);
    const peer = session.then((started) => started.peer);
    const started = session.then((running) => running.started);
    for (const promise of [done, peer, started]) promise.catch(() => undefined);
    return {
      on: (event, listener) => {
        const subscription = new DisposableStore();
        void session.then((running) => subscription.add(running.on(event, listener))).catch(() => undefined);
        return subscription;
      },
      done,
      peer,
      started,
      start: () => void session.then((started) => started.start()).catch(() => undefined),
      cancel: () => void session.then((started) => started.cancel()).catch(() => undefined),
    };
  }

  /**
   * Adds seeded sample observations (the same ones every time), into a new "Sample project" when
   * the data dir holds none: for a newcomer to see the workbench at work, and for demos. Their
   * categories and form are added the first time; a category or field of the same id that the
   * project has already is left as it is, so loading again adds observations, never categories.
   */
  async loadSampleData(count: number, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<Project> {
    const total = Math.max(1, Math.min(Math.floor(count), 200_000));
    const project = await this.open().catch((error: unknown) => {
      if (!isCairnError(error, ErrorCodes.NO_PROJECT)) throw error;
      return this.create({ name: 'Sample project' });
    });
    const { generateObservations, sampleFields, samplePresets } = await import('../../common/sample-data.js');
    const fields = new Set(project.listFields().map((field) => field.id));
    for (const field of sampleFields) if (!fields.has(field.id!)) await project.createField(field);
    const presets = new Set(project.listPresets().map((preset) => preset.id));
    for (const preset of samplePresets) if (!presets.has(preset.id!)) await project.createPreset(preset);
    const batch = 1000;
    for (let offset = 0; offset < total; offset += batch) {
      if (signal?.aborted) throw new CairnError(ErrorCodes.CANCELLED, 'Loading sample data was cancelled.');
      await project.createObservations(generateObservations(Math.min(batch, total - offset), SAMPLE_SEED + offset));
      onProgress?.(Math.min(total, offset + batch), total);
    }
    return project;
  }

  /** The coordinator's side of an invite over a stream (invites.ts); the project must be open here. */
  async invite(stream: DuplexStream, options: InviteOptions): Promise<InviteResult> {
    const { runInvite, inviteRole } = await import('./invites.js');
    const role = inviteRole(options.role);
    return runInvite(stream, options.initiator, await this.inviter(role), options.timeoutMs ?? 120_000);
  }

  /** The coordinator's side of an invite by code: the role is the code's (invite-codes.ts). */
  async answerCode(stream: DuplexStream, options: { initiator: boolean; timeoutMs?: number }): Promise<InviteResult> {
    const { runInvite } = await import('./invites.js');
    const codes = await this.inviteCodes();
    return runInvite(stream, options.initiator, { ...(await this.inviter('participant')), codes }, options.timeoutMs ?? 120_000);
  }

  /** `cairn invite --code`: a one-time code for one device to join with (coordinators). */
  async createInviteCode(options: { role?: unknown; expiresHours?: unknown } = {}): Promise<InviteCode> {
    const [{ inviteRole }, { expiryHours }] = await Promise.all([import('./invites.js'), import('./invite-codes.js')]);
    const role = inviteRole(options.role);
    const hours = expiryHours(options.expiresHours);
    (await this.open()).members.mustCoordinate('make invite codes');
    return (await this.inviteCodes()).create(role, hours);
  }

  /** Ids of the codes this device can still answer; none on a device that no longer coordinates. */
  async openInviteCodeIds(): Promise<string[]> {
    const project = await this.open();
    if (!project.members.coordinates()) return [];
    return (await this.inviteCodes()).openIds();
  }

  async inviteCodeId(code: string): Promise<string> {
    return (await import('./invite-codes.js')).codeSecret(code).id;
  }

  private codes: Promise<InviteCodes> | null = null;
  private inviteCodes(): Promise<InviteCodes> {
    return (this.codes ??= import('./invite-codes.js').then(({ InviteCodes }) => new InviteCodes(this.config.dataDir)));
  }

  /** What the coordinator's side of an invite needs of the open project. */
  private async inviter(role: MemberRole): Promise<InviterContext> {
    const project = await this.open();
    project.members.mustCoordinate('invite devices');
    const info = project.info();
    return {
      offer: { projectName: info.projectName, role, invitedBy: { deviceId: info.deviceId, deviceName: info.deviceName } },
      projectKey: info.projectKey,
      deviceName: info.deviceName,
      deviceType: project.deviceType,
      signer: project.store.signer,
      admit: (deviceId, signer, deviceName, given) => project.members.admitInvited(deviceId, signer, deviceName, given),
    };
  }

  /** The joining side of an invite, in a data dir with no project yet; with a code, an invite by code. */
  async join(stream: DuplexStream, options: JoinOptions & { code?: string }): Promise<JoinResult> {
    const code = options.code === undefined ? undefined : (await import('./invite-codes.js')).codeSecret(options.code);
    await this.mustHoldNoProject();
    const { runJoin } = await import('./invites.js');
    const deviceName = deviceNameOr(options.deviceName);
    const result = await runJoin(
      stream,
      options.initiator,
      {
        deviceName,
        deviceType: 'desktop',
        accept: options.accept ?? (() => true),
        create: async (projectKey) => {
          const project = await this.create({ join: projectKey, deviceName });
          return { deviceId: project.store.deviceId, signer: project.store.signer };
        },
        ...(code !== undefined && { code }),
      },
      options.timeoutMs ?? 120_000,
    );
    if ('declined' in result) throw new CairnError(ErrorCodes.CANCELLED, `The invite to '${result.declined.projectName ?? 'a project'}' was declined.`);
    return result;
  }

  /** `ERR_INVALID_INPUT` when the data dir holds a project: one data dir holds one. */
  async mustHoldNoProject(): Promise<void> {
    if ((await readProjectFile(this.config.dataDir)) !== null) throw alreadyHoldsProject(this.config.dataDir);
  }

  /** Bytes of the project's store and index on disk, counted without opening them. */
  async storageSize(): Promise<number> {
    if ((await readProjectFile(this.config.dataDir)) === null) throw this.noProject();
    let total = 0;
    const walk = async (path: string): Promise<void> => {
      const info = await stat(path).catch(() => null);
      if (info === null) return;
      if (info.isDirectory()) for (const entry of await readdir(path)) await walk(join(path, entry));
      else total += info.size;
    };
    for (const part of ['corestore', 'index.db', 'index.db-wal']) await walk(join(this.config.dataDir, part));
    return total;
  }

  /** The discovery key, from `project.json`: the store is not opened. */
  async discoveryKey(): Promise<Buffer> {
    return (await this.keys()).discoveryKey;
  }

  /** A relay on a folder (a sync file's content), syncing through the same sessions as the project. */
  async openRelay(directory: string): Promise<SyncRelay> {
    const [{ RelayStore }, { ReplicationSession }] = await Promise.all([import('./relay-store.js'), import('./replication.js')]);
    // The project, when open (it is while the relay syncs with it), counts what the relay received.
    const openStore = async () => (this.opening === null ? null : ((await this.opening.catch(() => null))?.store ?? null));
    const relay = await RelayStore.open(directory, await this.keys(), this.log, openStore);
    this.localRelays.add(relay.deviceId);
    return {
      replicate: (stream, options) => new ReplicationSession({ store: relay, deviceName: 'Sync file', deviceType: 'file' }, stream, options),
      close: () => {
        this.localRelays.delete(relay.deviceId);
        return relay.close();
      },
    };
  }

  private async keys(): Promise<ProjectKeys> {
    const file = await readProjectFile(this.config.dataDir);
    if (file === null) throw this.noProject();
    const { projectKeys } = await import('./keys.js');
    return projectKeys(Buffer.from(file.projectKey, 'hex'));
  }

  /** Reports a session's progress and end to `onDidSync` (the workbench shows them). */
  private follow(session: Promise<SyncSession>, options: ReplicateOptions): void {
    this.sessions += 1;
    const activity: SyncActivity = {
      sessionId: this.sessions,
      state: 'running',
      peer: { ...options.peer },
      progress: null,
      summary: null,
      error: null,
    };
    const report = (change: Partial<SyncActivity>) => this.onDidSyncEmitter.fire({ ...Object.assign(activity, change) });
    // A session that waits to be started is no sync yet: it is reported once it begins (a
    // device that is only listed, then leaves, is no failed sync either).
    let begun = options.awaitStart !== true;
    if (begun) report({});
    void session
      .then(async (opened) => {
        await opened.started;
        const peer = { ...activity.peer, ...(await opened.peer) };
        if (begun) return report({ peer });
        begun = true;
        report({ peer });
      })
      .catch(() => undefined);
    void session
      .then(async (started) => {
        started.on('progress', (progress) => report({ progress }));
        const summary = await started.done;
        report({ state: 'done', summary, peer: { ...activity.peer, ...summary.peer } });
      })
      .catch((error: unknown) => {
        if (!begun) return;
        report({ state: 'failed', error: errorReport(error) });
      });
  }

  async dispose(): Promise<void> {
    this.closed = true;
    const project = await this.opening?.catch(() => null);
    await project?.close();
    this.onDidChangeEmitter.dispose();
    this.onDidSyncEmitter.dispose();
    this.onDidOpenEmitter.dispose();
  }

  private adopt(project: Project): Project {
    project.onDidChange((change) => this.onDidChangeEmitter.fire(change));
    this.onDidOpenEmitter.fire(project);
    return project;
  }

  private noProject(): CairnError {
    return new CairnError(
      ErrorCodes.NO_PROJECT,
      `There is no project in ${this.config.dataDir}. Create one with \`cairn init --name NAME\`, or join one with \`cairn init --join PROJECT_KEY\`.`,
    );
  }
}
