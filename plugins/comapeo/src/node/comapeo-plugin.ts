import { hostname } from 'node:os';
import { join } from 'node:path';
import { CairnError, Emitter, ErrorCodes, isCairnError, type PluginContext } from '@cairn/sdk';
import type { ComapeoStatus, ComapeoSyncResult, InviteResult, InvitedRole, JoinResult, Reach } from '../common/protocol.js';
import type { ComapeoProcess } from './comapeo-process.js';
import { linkIn, rootKeyIn, saveLink, type ProjectLink } from './identity.js';
import { LastSyncs } from './last-syncs.js';

export interface Address {
  address: string;
  port: number;
}

/**
 * What the plugin does, for its commands and for the workbench alike: the CoMapeo process is
 * started on the first thing that needs it (never with the host) and goes with the plugin.
 */
export class ComapeoPlugin {
  private comapeo: Promise<ComapeoProcess> | null = null;
  private listening: { host: string; port: number } | null = null;
  readonly lastSyncs: LastSyncs;
  private readonly onDidChangeEmitter = new Emitter<void>();
  /** Something the workbench shows changed: devices in reach, invites, the link, a sync. */
  readonly onDidChange = this.onDidChangeEmitter.event;

  /** The plugin stopped: nothing may start a CoMapeo process any more (it would outlive the host). */
  private disposed = false;

  constructor(private readonly ctx: PluginContext) {
    this.lastSyncs = new LastSyncs(ctx.storagePath);
    const dispose = () => {
      this.disposed = true;
      return this.stop();
    };
    ctx.subscriptions.push({ dispose }, this.onDidChangeEmitter);
  }

  /** Where CoMapeo devices reach this one (`HOST:PORT`), once it is visible to them; else null. */
  get address(): string | null {
    return this.listening === null ? null : `${this.listening.host}:${this.listening.port}`;
  }

  process(): Promise<ComapeoProcess> {
    if (this.disposed) return Promise.reject(new CairnError(ErrorCodes.CANCELLED, 'The CoMapeo plugin has stopped.'));
    return (this.comapeo ??= (async () => {
      const { ComapeoProcess } = await import('./comapeo-process.js');
      const comapeo = new ComapeoProcess({
        rootKey: await rootKeyIn(this.ctx.storagePath),
        storageDir: join(this.ctx.storagePath, 'comapeo'),
        deviceName: await this.deviceName(),
        log: this.ctx.log,
      });
      comapeo.onDidChangeReach(() => this.changed());
      comapeo.onDidStop(() => {
        this.listening = null;
        this.changed();
      });
      return comapeo;
    })().catch((error: unknown) => {
      this.comapeo = null; // a damaged identity file, say: the next command tries again once it is fixed
      throw error;
    }));
  }

  /** Closes the CoMapeo process: this device is no longer visible to CoMapeo devices. */
  async stop(): Promise<void> {
    const comapeo = this.comapeo;
    this.comapeo = null;
    this.listening = null;
    await (await comapeo?.catch(() => null))?.close();
    this.changed();
  }

  changed(): void {
    this.onDidChangeEmitter.fire();
  }

  /** The Cairn device's name, which CoMapeo devices are shown; the computer's name before a project exists. */
  async deviceName(): Promise<string> {
    try {
      return (await this.ctx.project.info()).deviceName;
    } catch (error) {
      if (isCairnError(error, ErrorCodes.NO_PROJECT)) return hostname() || 'Cairn';
      throw error;
    }
  }

  link(): Promise<ProjectLink | null> {
    return linkIn(this.ctx.storagePath);
  }

  /** The link of this data dir's Cairn project with a CoMapeo project; `ERR_NOT_FOUND` without one. */
  async linked(): Promise<ProjectLink> {
    const link = await this.link();
    if (link === null) {
      throw new CairnError(ErrorCodes.NOT_FOUND, 'This data dir is in no CoMapeo project yet: `cairn comapeo create` starts one, `cairn comapeo join` joins one.');
    }
    return link;
  }

  async status(): Promise<ComapeoStatus> {
    const link = await this.link();
    const reply = await (await this.process()).call('status', { projectId: link?.comapeoProjectId ?? null });
    return { ...reply, deviceName: reply.deviceName ?? (await this.deviceName()) };
  }

  /** The process, visible to the CoMapeo devices in reach, and dialling the given addresses. */
  async reachable(addresses: readonly Address[] = []): Promise<ComapeoProcess> {
    const comapeo = await this.process();
    // `CAIRN_COMAPEO_HOST` (even empty) over the setting: tests keep every device on loopback with it.
    const host = process.env.CAIRN_COMAPEO_HOST ?? this.ctx.configuration.get<string>('comapeo.host') ?? null;
    const listening = await comapeo.call('listen', { host });
    if (this.listening === null) {
      this.listening = listening;
      this.ctx.log.info(`CoMapeo devices can reach this one at ${listening.host}:${listening.port} (announced there by mDNS).`);
      this.changed();
    }
    for (const { address, port } of addresses) await comapeo.call('connect', { address, port });
    return comapeo;
  }

  async reach(): Promise<Reach> {
    return (await this.process()).call('reach', {});
  }

  async create(name: string | null): Promise<ComapeoStatus['project']> {
    const info = await this.ctx.project.info(); // ERR_NO_PROJECT when there is none to link
    const existing = await this.link();
    if (existing !== null) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `This project is already linked with the CoMapeo project ${existing.comapeoProjectId}; \`cairn comapeo status\` shows it.`);
    }
    const projectName = name === null ? (info.projectName ?? 'Cairn project') : name.trim();
    if (projectName === '') throw new CairnError(ErrorCodes.INVALID_INPUT, 'name: give the CoMapeo project a name, e.g. --name "River watch".');
    const { projectId } = await (await this.process()).call('createProject', { name: projectName });
    await saveLink(this.ctx.storagePath, { comapeoProjectId: projectId, cairnProjectKey: info.projectKey });
    this.changed();
    return (await this.status()).project;
  }

  /**
   * Waits for an invite (or takes the pending one of `inviteId`), accepts it, and links the
   * project with this data dir's Cairn project — a new one of its name when there is none.
   */
  async join({ addresses = [], timeoutMs, inviteId }: { addresses?: readonly Address[]; timeoutMs: number; inviteId?: string }): Promise<JoinResult> {
    const existing = await this.link();
    if (existing !== null) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `This data dir is already linked with the CoMapeo project ${existing.comapeoProjectId}; \`cairn comapeo status\` shows it.`);
    }
    const comapeo = await this.reachable(addresses);
    if (inviteId === undefined) this.ctx.log.info(`Waiting up to ${timeoutMs / 1000} s for an invite from a CoMapeo coordinator, as "${await this.deviceName()}".`);
    const joined = await comapeo.call('acceptInvite', { timeoutMs, ...(inviteId !== undefined && { inviteId }) });
    const cairnProject = await this.ctx.project.info().catch(async (error: unknown) => {
      if (!isCairnError(error, ErrorCodes.NO_PROJECT)) throw error;
      return this.ctx.project.create({ name: joined.projectName ?? 'CoMapeo project', deviceName: await this.deviceName() });
    });
    await saveLink(this.ctx.storagePath, { comapeoProjectId: joined.projectId, cairnProjectKey: cairnProject.projectKey });
    this.changed();
    return joined;
  }

  async decline(inviteId: string): Promise<void> {
    await (await this.process()).call('rejectInvite', { inviteId });
    this.changed();
  }

  async invite(options: { addresses?: readonly Address[]; deviceId?: string | null; deviceName: string | null; role: InvitedRole; timeoutMs: number }): Promise<InviteResult> {
    const link = await this.linked();
    const comapeo = await this.reachable(options.addresses);
    const result = await comapeo.call('invite', { projectId: link.comapeoProjectId, deviceId: options.deviceId ?? null, deviceName: options.deviceName, role: options.role, timeoutMs: options.timeoutMs });
    this.changed();
    return result;
  }

  /**
   * Syncs with the members in reach (until `waitPeers` of them, or the one device asked for, are
   * done), bridges both ways, then syncs what the bridge wrote out to them.
   */
  async sync({ addresses = [], waitPeers, timeoutMs, deviceId = null }: { addresses?: readonly Address[]; waitPeers: number; timeoutMs: number; deviceId?: string | null }): Promise<ComapeoSyncResult> {
    await this.ctx.project.info(); // ERR_NO_PROJECT before anything starts
    const { comapeoProjectId: projectId } = await this.linked();
    const deadline = Date.now() + timeoutMs;
    const comapeo = await this.reachable(addresses);
    // The phones' news first, so that the bridge decides on all there is…
    let started = performance.now();
    const incoming = await comapeo.call('sync', { projectId, waitPeers, timeoutMs, deviceId });
    this.ctx.log.debug(`CoMapeo synced with ${incoming.peers.length} devices in ${Math.round(performance.now() - started)} ms.`);
    started = performance.now();
    const counts = await this.ctx.progress('Bridging CoMapeo and Cairn', async () => {
      const { bridgeProject } = await import('./bridge/bridge.js');
      return bridgeProject(this.ctx, comapeo, projectId);
    });
    this.ctx.log.debug(`Bridged in ${Math.round(performance.now() - started)} ms.`);
    let { peers } = incoming;
    // … then what the bridge wrote, out to them before the command ends.
    if (!incoming.timedOut && peers.length > 0 && Object.values(counts.sent).some((count) => count > 0)) {
      const outgoing = await comapeo.call('sync', { projectId, waitPeers, timeoutMs: Math.max(deadline - Date.now(), 10_000), deviceId });
      if (outgoing.timedOut) throw syncTimeout(outgoing.peers.length, waitPeers, timeoutMs);
      peers = outgoing.peers;
    }
    await this.lastSyncs.record(peers.map((peer) => peer.deviceId));
    this.changed();
    if (incoming.timedOut) throw syncTimeout(peers.length, deviceId === null ? waitPeers : 1, timeoutMs);
    return { peers: peers.map((peer) => ({ ...peer, result: 'ok' as const })), received: counts.received, sent: counts.sent };
  }
}

function syncTimeout(synced: number, wanted: number, timeoutMs: number): CairnError {
  return new CairnError(
    ErrorCodes.TIMEOUT,
    `${synced} of ${wanted} CoMapeo devices synced in ${timeoutMs / 1000} s; what was here is bridged. Bring the phones in reach (their sync screen open) and run it again, or give --connect HOST:PORT.`,
  );
}
