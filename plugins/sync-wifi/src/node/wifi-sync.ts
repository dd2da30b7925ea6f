import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SwarmConnection } from 'hyperswarm';
import {
  CairnError,
  Emitter,
  ErrorCodes,
  errorMessage,
  isCairnError,
  type PluginContext,
  writeFileAtomic,
} from '@cairn/sdk';
import type { WifiPeerResult, WifiState } from '../common/protocol.js';
import { parseAddress } from './address.js';
import type { CodeDesk } from './code-desk.js';
import { Discovery } from './discovery.js';
import { NodeExchange } from './node-exchange.js';
import { listenAddress, type ListenSettings } from './settings.js';
import { okResult, RECONNECT_LIMIT_MS, WifiPeer } from './wifi-peer.js';

/**
 * Sync over the local network. While discovery runs, this device joins the Hyperswarm topic of
 * the project's discovery key, on a DHT of its own (a bootstrap node bound to the LAN address)
 * that the project's other devices learn of over mDNS — or by hand, with "Connect to address…".
 * Every connection goes to the core's replication service, which lets only members in; a member
 * is listed, and syncs when the user (or the other side) starts it.
 */
/** Why a device in reach may not sync with this one: it is listed with the reason, not dropped. */
const refusals = new Set<string>([ErrorCodes.PROTOCOL_VERSION, ErrorCodes.REMOVED, ErrorCodes.NOT_PERMITTED]);

export class WifiSync {
  private running: Discovery | null = null;
  /** Where invite codes are answered, on a coordinator's device while discovery runs. */
  private desk: CodeDesk | null = null;
  private starting: Promise<Discovery> | null = null;
/** Every device this run knows, by device id (or, for an incompatible one, its network key). */
  private readonly devices = new Map<string, WifiPeer>();
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
      if (!isCairnError(error, ErrorCodes.NO_PROJECT)) throw error;
    }
    const running = this.running;
    return {
      discovering: running !== null,
      deviceName,
      address: running ? running.addressText : null,
      codeDesk: this.desk?.address ?? null,
      devices: [...this.devices.values()]
        .map((peer) => peer.view())
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
    await this.desk?.close();
    this.desk = null;
    await running.stopLooking();
    for (const peer of this.devices.values()) {
      peer.stopping();
      if (peer.publicKey !== null) running.leavePeer(peer.publicKey);
    }
    await running.destroy();
    for (const [id, peer] of this.devices) {
      peer.failWaits('Discovery was turned off.', ErrorCodes.CANCELLED);
      // A device that could not sync was only ever known by its connection.
      if (peer.phase.name === 'incompatible') this.devices.delete(id);
      else peer.leave();
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
        ? [...this.devices.values()].filter((peer) => peer.status === 'connected' || peer.status === 'syncing')
        : [this.devices.get(deviceId)].filter((peer): peer is WifiPeer => peer !== undefined);
    if (deviceId !== null && targets.length === 0) {
      throw new CairnError(ErrorCodes.NOT_FOUND, `There is no device '${deviceId}' on the network; the Sync view lists those there are.`);
    }
    const incompatible = targets.find((peer) => peer.status === 'incompatible');
    if (incompatible !== undefined) {
      throw new CairnError(ErrorCodes.PROTOCOL_VERSION, incompatible.error?.message ?? 'That device runs an incompatible version of Cairn.');
    }
    return Promise.all(targets.map((peer) => this.syncWith(running, peer)));
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
        const peer = this.devices.get(id);
        if (peer !== undefined) results.set(id, okResult(peer));
        onUpdate?.(results.size);
        if (results.size >= count) finish();
      });
      // Members that were already connected and waiting start now.
      for (const peer of this.devices.values()) peer.startWaitingSession();
      const timer = setTimeout(() => {
        subscription.dispose();
        const failed = [...this.devices.values()].filter((peer) => peer.error !== null && !results.has(peer.id));
        const detail = failed.map((peer) => `${peer.deviceName}: ${peer.error!.message}`).join(' ');
        // Refused and synced with none (this device was removed, say): that is the error, not the
        // wait — even when a connection that closed before it was refused failed otherwise too.
        const codes = new Set(failed.map((peer) => peer.error!.code));
        const refusal = results.size > 0 ? undefined : [ErrorCodes.REMOVED, ErrorCodes.NOT_PERMITTED].find((code) => codes.has(code));
        reject(
          new CairnError(
            refusal ?? ErrorCodes.TIMEOUT,
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

  private async openDesk(running: Discovery, host: string): Promise<void> {
    try {
      if (!(await this.coordinates()) || this.running !== running) return;
      const { CodeDesk } = await import('./code-desk.js');
      const desk = await CodeDesk.open(this.ctx, host, () => this.changed());
      if (this.running === running && !this.disposed) {
        this.desk = desk;
        this.changed();
      } else await desk?.close();
    } catch (error) {
      this.ctx.log.warn(`Invite codes cannot be answered here: ${errorMessage(error)}`);
    }
  }

  private async coordinates(): Promise<boolean> {
    const self = (await this.ctx.project.members.list()).find((member) => member.self);
    return self?.role === 'coordinator' && self.status === 'active';
  }

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
    // A coordinator answers invite codes while it syncs. Opened beside discovery, not before it
    // is ready: finding out the role opens the project, which may take a while.
    void this.openDesk(running, address.host);
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
    // The device this connection turned out to be: unknown until its session proves it a member.
    let peer: WifiPeer | null = null;

    session.peer.then(
      (identity) => {
        if (this.running !== running) return session.cancel();
        this.devices.delete(networkKey); // listed as incompatible before, say
        const member = this.member(identity.deviceId, identity.deviceName);
        peer = member;
        const { returning } = member.proven(connection, session, identity, address);
        if (!returning) this.ctx.log.info(`Found ${identity.deviceName} (${identity.deviceType ?? 'desktop'}) at ${address}.`);
        if (member.startOwed || (this.autoSync && !this.syncedInRun.has(member.id))) session.start();
        running.share(exchange);
        this.changed();
      },
      (error: CairnError) => {
        // A device that cannot sync with this one (another version, removed from the project, not
        // admitted yet) is listed with the reason, so the user sees why nothing happens.
        if (refusals.has(error.code) && this.running === running) {
          const reason = { code: error.code, message: error.message };
          const listed = this.devices.get(networkKey);
          if (listed !== undefined) listed.stillIncompatible(address, reason);
          else this.devices.set(networkKey, WifiPeer.incompatible(networkKey, address, reason, () => this.changed()));
          this.changed();
        } else if (error.code === ErrorCodes.PROJECT_MISMATCH) {
          this.ctx.log.debug(`A device at ${address} is not of this project; nothing was exchanged.`);
        }
      },
    );
    void session.started.then(() => {
      if (peer?.started(session)) this.changed();
    }, () => undefined);
    session.on('progress', (progress) => {
      if (peer?.progressed(session, progress)) this.changed();
    });
    session.done.then(
      (summary) => {
        if (peer === null) return;
        const { endConnection } = peer.synced(session, summary);
        void this.saveRemembered();
        this.syncedInRun.add(peer.id);
        this.onDidSyncDeviceEmitter.fire(peer.id);
        // One session is one sync. A second one needs a fresh connection: this one ends now (the
        // session resolved once the peer, too, said it was finished), the swarm dials again, and
        // the device waits, connected, for the next "Sync". Nothing moves in between.
        if (endConnection !== null) running.endGracefully(endConnection);
        peer.endWaits();
        this.changed();
      },
      (error: CairnError) => {
        if (peer === null || !peer.isCurrent(session)) return;
        // The CLI keeps at it: once the device is back, the sync resumes where it stopped.
        if (peer.failed(session, error) && this.autoSync && peer.publicKey !== null && this.running === running) {
          peer.startOwed = true;
          running.joinPeer(peer.publicKey);
        }
        this.changed();
      },
    );
    connection.on('close', () => {
      if (peer?.connectionClosed(connection)) this.changed();
    });
  }

  private syncWith(running: Discovery, peer: WifiPeer): Promise<WifiPeerResult> {
    return new Promise<WifiPeerResult>((resolve) => {
      peer.awaitSync(resolve);
      if (peer.startWaitingSession()) return;
      if (peer.phase.name === 'syncing') return;
      // The last session ended (or there was none): reach the device again and start once it is
      // proven. Each session is one sync; a new one needs a new connection.
      peer.startOwed = true;
      if (peer.publicKey === null) {
        peer.failWaits(`${peer.deviceName} is not on the network now: it must be syncing over Wi-Fi too.`, ErrorCodes.NOT_FOUND);
        return;
      }
      running.joinPeer(peer.publicKey);
      peer.connection?.destroy();
      // The limit is on coming back: a device that is back and syncing ends this wait with its
      // sync's own result, however long that sync takes.
      const timer = setTimeout(() => {
        if (peer.isAwaitedBy(resolve) && peer.phase.name !== 'syncing') {
          peer.failWaits(`${peer.deviceName} did not come back within ${RECONNECT_LIMIT_MS / 1000} s.`);
        }
      }, RECONNECT_LIMIT_MS);
      timer.unref();
    });
  }

  /** The device of the project with this id, listed (as not in reach) if it was not yet. */
  private member(id: string, deviceName: string): WifiPeer {
    let peer = this.devices.get(id);
    if (peer === undefined) {
      peer = WifiPeer.member(id, deviceName, () => this.changed());
      this.devices.set(id, peer);
    }
    return peer;
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
          const peer = this.member(id, device.deviceName);
          peer.deviceType = String(device.deviceType ?? 'desktop');
          peer.lastSynced = String(device.lastSynced ?? '') || null;
        }
      })
      .catch(() => undefined);
    return this.remembered;
  }

  private async saveRemembered(): Promise<void> {
    const stored: Record<string, { deviceName: string; deviceType: string; lastSynced: string }> = {};
    for (const peer of this.devices.values()) {
      if (peer.lastSynced !== null && peer.status !== 'incompatible') {
        stored[peer.id] = { deviceName: peer.deviceName, deviceType: peer.deviceType, lastSynced: peer.lastSynced };
      }
    }
    try {
      await writeFileAtomic(this.rememberedFile, `${JSON.stringify(stored, null, 2)}\n`);
    } catch (error) {
      this.ctx.log.warn(`Could not remember the devices synced with: ${(error as Error).message}`);
    }
  }
}

