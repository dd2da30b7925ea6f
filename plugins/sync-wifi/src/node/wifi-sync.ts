import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SwarmConnection } from 'hyperswarm';
import {
  CairnError,
  Emitter,
  ErrorCodes,
  type PluginContext,
  writeFileAtomic,
  type SyncSession,
} from '@cairn/sdk';
import type { WifiDevice, WifiPeerResult, WifiState } from '../common/protocol.js';
import { parseAddress } from './address.js';
import { Discovery } from './discovery.js';
import { NodeExchange } from './node-exchange.js';
import { listenAddress, type ListenSettings } from './settings.js';

/** A device as this run knows it: what is shown, and the live connection and session behind it. */
interface DeviceEntry {
  view: WifiDevice;
  connection: SwarmConnection | null;
  session: SyncSession | null;
  sessionState: 'waiting' | 'running' | 'ended';
  /** The swarm key of its last connection, to reach it again. */
  publicKey: Buffer | null;
  /** A sync was asked for; it starts as soon as the device is connected and proven. */
  wantStart: boolean;
  /** Its connection was closed after a sync, to be replaced by a fresh one: still "connected". */
  reconnecting: NodeJS.Timeout | null;
  waiters: Array<(result: WifiPeerResult) => void>;
}

/** How long a device asked to sync may take to come back on the network before that sync fails. */
const RECONNECT_LIMIT_MS = 30_000;

/**
 * Sync over the local network. While discovery runs, this device joins the Hyperswarm topic of
 * the project's discovery key, on a DHT of its own (a bootstrap node bound to the LAN address)
 * that the project's other devices learn of over mDNS — or by hand, with "Connect to address…".
 * Every connection goes to the core's replication service, which lets only members in; a member
 * is listed, and syncs when the user (or the other side) starts it.
 */
export class WifiSync {
  private running: Discovery | null = null;
  private starting: Promise<Discovery> | null = null;
  private readonly devices = new Map<string, DeviceEntry>();
  private readonly onDidChangeEmitter = new Emitter<WifiState>();
  readonly onDidChange = this.onDidChangeEmitter.event;
  /** A sync with a device (by id) completed. */
  private readonly onDidSyncDeviceEmitter = new Emitter<string>();
  private readonly onDidSyncDevice = this.onDidSyncDeviceEmitter.event;
  private changeTimer: NodeJS.Timeout | null = null;
  private remembered: Promise<void> | null = null;
  /** While `syncPeers` runs: sync with every member as soon as it is proven, instead of when asked. */
  private autoSync = false;
  /** Devices synced since `syncPeers` began: with `autoSync`, each is synced once. */
  private readonly syncedInRun = new Set<string>();
  private disposed = false;

  constructor(
    private readonly ctx: PluginContext,
    /** Where to listen, as the user (or the environment) says: read each time discovery starts. */
    private readonly settings: () => ListenSettings,
  ) {}

  get discovering(): boolean {
    return this.running !== null;
  }

  async state(): Promise<WifiState> {
    await this.remember();
    let deviceName: string | null = null;
    try {
      deviceName = (await this.ctx.project.info()).deviceName;
    } catch (error) {
      if ((error as CairnError).code !== ErrorCodes.NO_PROJECT) throw error;
    }
    const running = this.running;
    return {
      discovering: running !== null,
      deviceName,
      address: running ? running.addressText : null,
      devices: [...this.devices.values()]
        .map((entry) => ({ ...entry.view }))
        .sort((a, b) => a.deviceName.localeCompare(b.deviceName)),
    };
  }

  /** Starts discovery (once; later calls share it). */
  start(): Promise<Discovery> {
    if (this.running !== null) return Promise.resolve(this.running);
    this.starting ??= this.open().finally(() => (this.starting = null));
    return this.starting;
  }

  async stop(): Promise<void> {
    const running = this.running ?? (await this.starting?.catch(() => null)) ?? null;
    if (running === null) return;
    this.running = null;
    await running.stopLooking();
    for (const entry of this.devices.values()) {
      if (entry.reconnecting !== null) clearTimeout(entry.reconnecting);
      entry.reconnecting = null;
      entry.session?.cancel();
      if (entry.publicKey !== null) running.leavePeer(entry.publicKey);
    }
    await running.destroy();
    for (const [id, entry] of this.devices) {
      this.settle(entry, 'Discovery was turned off.', ErrorCodes.CANCELLED);
      Object.assign(entry, { connection: null, session: null, sessionState: 'ended', publicKey: null });
      // A device that could not sync was only ever known by its connection.
      if (entry.view.status === 'incompatible') this.devices.delete(id);
    }
    this.changed();
  }

  /** Reaches the device whose DHT node is at `text` (`HOST:PORT`); starts discovery when off. */
  async connect(text: string, options: { retry: boolean } = { retry: false }): Promise<void> {
    const address = parseAddress(text);
    const running = await this.start();
    const key = `${address.host}:${address.port}`;
    if (key === running.addressText) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `connect: ${key} is this device's own address; give the other device's.`);
    }
    if (await running.reach(address)) return;
    if (options.retry) {
      running.retry(address);
      return;
    }
    throw new CairnError(
      ErrorCodes.NOT_FOUND,
      `Nothing answers at ${key}. Check the address in the other device's Sync view, that it is syncing over Wi-Fi, and that both are on the same network.`,
    );
  }

  /**
   * Syncs with one device, or every device in reach, and resolves with how each went. A device
   * that is connected starts at once; one that was synced before is reached again first.
   */
  async sync(deviceId: string | null): Promise<WifiPeerResult[]> {
    const running = await this.start();
    const targets =
      deviceId === null
        ? [...this.devices.values()].filter((entry) => entry.view.status === 'connected' || entry.view.status === 'syncing')
        : [this.devices.get(deviceId)].filter((entry): entry is DeviceEntry => entry !== undefined);
    if (deviceId !== null && targets.length === 0) {
      throw new CairnError(ErrorCodes.NOT_FOUND, `There is no device '${deviceId}' on the network; the Sync view lists those there are.`);
    }
    if (targets.some((entry) => entry.view.status === 'incompatible')) {
      const entry = targets.find((candidate) => candidate.view.status === 'incompatible')!;
      throw new CairnError(ErrorCodes.PROTOCOL_VERSION, entry.view.error?.message ?? 'That device runs an incompatible version of Cairn.');
    }
    return Promise.all(targets.map((entry) => this.syncWith(running, entry)));
  }

  /**
   * Syncs with every member that comes in reach (they start as soon as they are proven) until
   * `count` of them have completed, or fails with `ERR_TIMEOUT` after `timeoutMs`.
   */
  async syncPeers(count: number, timeoutMs: number, onUpdate?: (synced: number) => void): Promise<WifiPeerResult[]> {
    this.autoSync = true;
    this.syncedInRun.clear();
    try {
      await this.start();
      return await this.untilSynced(count, timeoutMs, onUpdate);
    } finally {
      this.autoSync = false;
    }
  }

  private untilSynced(count: number, timeoutMs: number, onUpdate?: (synced: number) => void): Promise<WifiPeerResult[]> {
    const results = new Map<string, WifiPeerResult>();
    return new Promise<WifiPeerResult[]>((resolve, reject) => {
      const subscription = this.onDidSyncDevice((id) => {
        const entry = this.devices.get(id);
        if (entry !== undefined) results.set(id, okResult(entry.view));
        onUpdate?.(results.size);
        if (results.size >= count) finish();
      });
      // Members that were already connected and waiting start now.
      for (const entry of this.devices.values()) {
        if (entry.sessionState === 'waiting' && entry.connection !== null) entry.session?.start();
      }
      const timer = setTimeout(() => {
        subscription.dispose();
        const failed = [...this.devices.values()].filter((entry) => entry.view.error !== null && !results.has(entry.view.id));
        const detail = failed.map((entry) => `${entry.view.deviceName}: ${entry.view.error!.message}`).join(' ');
        reject(
          new CairnError(
            ErrorCodes.TIMEOUT,
            `${results.size} of ${count} device${count === 1 ? '' : 's'} synced within ${Math.round(timeoutMs / 1000)} s. ` +
              (detail ||
                'No other device of this project was found: check that it is syncing over Wi-Fi on the same network, or give its address with --connect.'),
          ),
        );
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        subscription.dispose();
        resolve([...results.values()]);
      };
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.stop();
    if (this.changeTimer !== null) clearTimeout(this.changeTimer);
    this.onDidChangeEmitter.dispose();
    this.onDidSyncDeviceEmitter.dispose();
  }

  // ---------------------------------------------------------------------------------------------

  private async open(): Promise<Discovery> {
    const discoveryKey = await this.ctx.sync.discoveryKey();
    await this.remember();
    const address = await listenAddress(this.settings());
    const running = await Discovery.open({
      discoveryKey,
      address,
      log: this.ctx.log,
      onConnection: (connection) => this.onConnection(connection),
    });
    this.running = running;
    this.ctx.log.info(`Syncing over Wi-Fi: this device listens at ${running.addressText}.`);
    this.changed();
    return running;
  }

  private onConnection(connection: SwarmConnection): void {
    const running = this.running;
    if (running === null) return connection.destroy();
    connection.on('error', () => undefined); // the session reports what matters
    const networkKey = connection.remotePublicKey.toString('hex');
    const address = connection.rawStream.remoteHost;
    const session = this.ctx.sync.replicate(connection, { initiator: connection.isInitiator, awaitStart: true, peer: { address } });
    const exchange = new NodeExchange(connection, (addresses) => running.reachAll(addresses));
    connection.on('close', () => running.forget(exchange));
    let entry: DeviceEntry | null = null;

    session.peer.then(
      (peer) => {
        if (this.running !== running) return session.cancel();
        this.devices.delete(networkKey); // listed as incompatible before, say
        entry = this.entry(peer.deviceId, peer.deviceName);
        const previous = entry.connection;
        Object.assign(entry, { connection, session, sessionState: 'waiting', publicKey: connection.remotePublicKey });
        Object.assign(entry.view, { deviceName: peer.deviceName, deviceType: peer.deviceType ?? 'desktop', address, status: 'connected', progress: null });
        if (previous !== null && previous !== connection) previous.destroy();
        if (entry.reconnecting === null) this.ctx.log.info(`Found ${peer.deviceName} (${peer.deviceType ?? 'desktop'}) at ${address}.`);
        else clearTimeout(entry.reconnecting);
        entry.reconnecting = null;
        if (entry.wantStart || (this.autoSync && !this.syncedInRun.has(peer.deviceId))) session.start();
        running.share(exchange);
        this.changed();
      },
      (error: CairnError) => {
        if (error.code === ErrorCodes.PROTOCOL_VERSION && this.running === running) {
          const listed = this.entry(networkKey, `Device at ${address}`);
          Object.assign(listed.view, { address, status: 'incompatible', error: { code: error.code, message: error.message } });
          this.changed();
        } else if (error.code === ErrorCodes.PROJECT_MISMATCH) {
          this.ctx.log.debug(`A device at ${address} is not of this project; nothing was exchanged.`);
        }
      },
    );
    void session.started.then(() => {
      if (entry === null || entry.session !== session) return;
      entry.sessionState = 'running';
      entry.wantStart = false;
      Object.assign(entry.view, { status: 'syncing', error: null, progress: null });
      this.changed();
    }, () => undefined);
    session.on('progress', (progress) => {
      if (entry === null || entry.session !== session) return;
      entry.view.progress = progress;
      this.changed();
    });
    session.done.then(
      (summary) => {
        if (entry === null) return;
        const current = entry.session === session;
        if (current) entry.sessionState = 'ended';
        Object.assign(entry.view, {
          status: current && entry.connection !== null ? 'connected' : entry.view.status,
          lastSynced: new Date().toISOString(),
          result: { sent: summary.sent, received: summary.received },
          error: null,
          progress: null,
        });
        void this.saveRemembered();
        this.syncedInRun.add(entry.view.id);
        this.onDidSyncDeviceEmitter.fire(entry.view.id);
        // One session is one sync. A second one needs a fresh connection: this one ends now (the
        // session resolved once the peer, too, said it was finished), the swarm dials again, and
        // the device waits, connected, for the next "Sync". Nothing moves in between.
        if (entry.connection === connection) {
          const finished = entry;
          finished.reconnecting = setTimeout(() => {
            finished.reconnecting = null;
            if (finished.connection === null && finished.view.status === 'connected') finished.view.status = 'disconnected';
            this.changed();
          }, RECONNECT_LIMIT_MS / 3);
          finished.reconnecting.unref();
          running.endGracefully(connection);
        }
        for (const waiter of entry.waiters.splice(0)) waiter(okResult(entry.view));
        this.changed();
      },
      (error: CairnError) => {
        if (entry === null || entry.session !== session) return;
        const wasRunning = entry.sessionState === 'running';
        entry.sessionState = 'ended';
        entry.view.status = 'disconnected';
        entry.view.progress = null;
        if (wasRunning || entry.waiters.length > 0) {
          entry.view.error = { code: String(error.code ?? ErrorCodes.INTERNAL), message: String(error.message) };
          this.settle(entry);
          // The CLI keeps at it: once the device is back, the sync resumes where it stopped.
          if (this.autoSync && entry.publicKey !== null && this.running === running) {
            entry.wantStart = true;
            running.joinPeer(entry.publicKey);
          }
        }
        this.changed();
      },
    );
    connection.on('close', () => {
      if (entry === null || entry.connection !== connection) return;
      entry.connection = null;
      if (entry.view.status !== 'incompatible' && entry.reconnecting === null) entry.view.status = 'disconnected';
      entry.view.progress = null;
      this.changed();
    });
  }

  private syncWith(running: Discovery, entry: DeviceEntry): Promise<WifiPeerResult> {
    return new Promise<WifiPeerResult>((resolve) => {
      entry.waiters.push(resolve);
      if (entry.session !== null && entry.sessionState === 'waiting' && entry.connection !== null) {
        entry.session.start();
        return;
      }
      if (entry.sessionState === 'running') return;
      // The last session ended (or there was none): reach the device again and start once it is
      // proven. Each session is one sync; a new one needs a new connection.
      entry.wantStart = true;
      if (entry.publicKey === null) {
        this.settle(entry, `${entry.view.deviceName} is not on the network now: it must be syncing over Wi-Fi too.`, ErrorCodes.NOT_FOUND);
        return;
      }
      running.joinPeer(entry.publicKey);
      entry.connection?.destroy();
      // The limit is on coming back: a device that is back and syncing ends this wait with its
      // sync's own result, however long that sync takes.
      const timer = setTimeout(() => {
        if (entry.waiters.includes(resolve) && entry.sessionState !== 'running') {
          this.settle(entry, `${entry.view.deviceName} did not come back within ${RECONNECT_LIMIT_MS / 1000} s.`);
        }
      }, RECONNECT_LIMIT_MS);
      timer.unref();
    });
  }

  /** Ends every wait for a device with its error (or the one given). */
  private settle(entry: DeviceEntry, message?: string, code: string = ErrorCodes.TIMEOUT): void {
    if (message !== undefined && entry.waiters.length > 0) entry.view.error = { code, message };
    if (message !== undefined) entry.wantStart = false;
    const error = entry.view.error ?? { code: ErrorCodes.DISCONNECTED, message: `${entry.view.deviceName} left before the sync finished.` };
    for (const waiter of entry.waiters.splice(0)) {
      waiter({ deviceId: entry.view.id, deviceName: entry.view.deviceName, result: 'error', sent: null, received: null, error });
    }
    if (message !== undefined) {
      entry.view.status = entry.view.status === 'incompatible' ? 'incompatible' : 'disconnected';
      entry.view.progress = null;
    }
  }

  private entry(id: string, deviceName: string): DeviceEntry {
    let entry = this.devices.get(id);
    if (entry === undefined) {
      entry = {
        view: { id, deviceName, deviceType: 'desktop', address: '', status: 'disconnected', lastSynced: null, progress: null, result: null, error: null },
        connection: null,
        session: null,
        sessionState: 'ended',
        publicKey: null,
        wantStart: false,
        reconnecting: null,
        waiters: [],
      };
      this.devices.set(id, entry);
    }
    return entry;
  }

  /** Something shown changed outside this class (this device's name). */
  notifyChanged(): void {
    this.changed();
  }

  /** Tells listeners (the workbench) about the new state, at most every 150 ms. */
  private changed(): void {
    if (this.changeTimer !== null) return;
    if (this.disposed) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = null;
      void this.state()
        .then((state) => !this.disposed && this.onDidChangeEmitter.fire(state))
        .catch(() => undefined);
    }, 150);
  }

  // Devices synced before, with when: listed (as disconnected) from the start -----------------

  private get rememberedFile(): string {
    return join(this.ctx.storagePath, 'devices.json');
  }

  private remember(): Promise<void> {
    this.remembered ??= readFile(this.rememberedFile, 'utf8')
      .then((text) => {
        const stored = JSON.parse(text) as Record<string, { deviceName: string; deviceType: string; lastSynced: string }>;
        for (const [id, device] of Object.entries(stored)) {
          if (this.devices.has(id) || typeof device?.deviceName !== 'string') continue;
          const entry = this.entry(id, device.deviceName);
          Object.assign(entry.view, { deviceType: String(device.deviceType ?? 'desktop'), lastSynced: String(device.lastSynced ?? '') || null });
        }
      })
      .catch(() => undefined);
    return this.remembered;
  }

  private async saveRemembered(): Promise<void> {
    const stored: Record<string, { deviceName: string; deviceType: string; lastSynced: string }> = {};
    for (const { view } of this.devices.values()) {
      if (view.lastSynced !== null && view.status !== 'incompatible') {
        stored[view.id] = { deviceName: view.deviceName, deviceType: view.deviceType, lastSynced: view.lastSynced };
      }
    }
    try {
      await writeFileAtomic(this.rememberedFile, `${JSON.stringify(stored, null, 2)}\n`);
    } catch (error) {
      this.ctx.log.warn(`Could not remember the devices synced with: ${(error as Error).message}`);
    }
  }
}

function okResult(view: WifiDevice): WifiPeerResult {
  return { deviceId: view.id, deviceName: view.deviceName, result: 'ok', sent: view.result?.sent ?? null, received: view.result?.received ?? null };
}
