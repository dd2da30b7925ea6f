import { hostname } from 'node:os';
import { join } from 'node:path';
import { CairnError, ErrorCodes, isCairnError, type PluginContext } from '@cairn/sdk';
import type { ComapeoStatus, ComapeoSyncResult, InvitedRole, JoinResult } from '../common/protocol.js';
import type { ComapeoProcess } from './comapeo-process.js';
import { linkIn, rootKeyIn, saveLink } from './identity.js';

/**
 * Activated by its commands only: the CoMapeo process starts on the first command that needs it,
 * never with the host, and goes with the plugin.
 */
export function activate(ctx: PluginContext): void {
  let comapeo: Promise<ComapeoProcess> | null = null;
  const comapeoProcess = (): Promise<ComapeoProcess> =>
    (comapeo ??= (async () => {
      const { ComapeoProcess } = await import('./comapeo-process.js');
      return new ComapeoProcess({ rootKey: await rootKeyIn(ctx.storagePath), storageDir: join(ctx.storagePath, 'comapeo'), deviceName: await deviceName(), log: ctx.log });
    })().catch((error: unknown) => {
      comapeo = null; // a damaged identity file, say: the next command tries again once it is fixed
      throw error;
    }));
  ctx.subscriptions.push({ dispose: async () => (comapeo === null ? undefined : (await comapeo.catch(() => null))?.close()) });

  /** The Cairn device's name, which CoMapeo devices are shown; the computer's name before a project exists. */
  const deviceName = async (): Promise<string> => {
    try {
      return (await ctx.project.info()).deviceName;
    } catch (error) {
      if (isCairnError(error, ErrorCodes.NO_PROJECT)) return hostname() || 'Cairn';
      throw error;
    }
  };

  const status = async (): Promise<ComapeoStatus> => {
    const link = await linkIn(ctx.storagePath);
    const reply = await (await comapeoProcess()).call('status', { projectId: link?.comapeoProjectId ?? null });
    return { ...reply, deviceName: reply.deviceName ?? (await deviceName()) };
  };

  ctx.subscriptions.push(
    // `cairn comapeo status`.
    ctx.commands.register('comapeo.status', status),
    // `cairn comapeo create [--name NAME]`.
    ctx.commands.register('comapeo.create', async (input: { name?: unknown } = {}) => {
      const info = await ctx.project.info(); // ERR_NO_PROJECT when there is none to link
      const existing = await linkIn(ctx.storagePath);
      if (existing !== null) {
        throw new CairnError(
          ErrorCodes.INVALID_INPUT,
          `This project is already linked with the CoMapeo project ${existing.comapeoProjectId}; \`cairn comapeo status\` shows it.`,
        );
      }
      const name = input.name === undefined ? (info.projectName ?? 'Cairn project') : String(input.name).trim();
      if (name === '') throw new CairnError(ErrorCodes.INVALID_INPUT, 'name: give the CoMapeo project a name, e.g. --name "River watch".');
      const { projectId } = await (await comapeoProcess()).call('createProject', { name });
      await saveLink(ctx.storagePath, { comapeoProjectId: projectId, cairnProjectKey: info.projectKey });
      return (await status()).project;
    }),

    // `cairn comapeo join [--connect HOST:PORT]... [--timeout S]`.
    ctx.commands.register('comapeo.join', async (input: { connect?: unknown; timeout?: unknown } = {}): Promise<JoinResult> => {
      const addresses = addressesIn(input.connect);
      const timeoutMs = secondsIn(input.timeout, 120) * 1000;
      const existing = await linkIn(ctx.storagePath);
      if (existing !== null) {
        throw new CairnError(ErrorCodes.INVALID_INPUT, `This data dir is already linked with the CoMapeo project ${existing.comapeoProjectId}; \`cairn comapeo status\` shows it.`);
      }
      const comapeo = await reachable(addresses);
      ctx.log.info(`Waiting up to ${timeoutMs / 1000} s for an invite from a CoMapeo coordinator, as "${await deviceName()}".`);
      const joined = await comapeo.call('acceptInvite', { timeoutMs });
      // The Cairn project the CoMapeo project is bridged with: this data dir's, or a new one of its name.
      const cairnProject = await ctx.project.info().catch(async (error: unknown) => {
        if (!isCairnError(error, ErrorCodes.NO_PROJECT)) throw error;
        return ctx.project.create({ name: joined.projectName ?? 'CoMapeo project', deviceName: await deviceName() });
      });
      await saveLink(ctx.storagePath, { comapeoProjectId: joined.projectId, cairnProjectKey: cairnProject.projectKey });
      return joined;
    }),

    // `cairn comapeo invite [--connect HOST:PORT]... [--device NAME] [--role participant|coordinator] [--timeout S]`.
    ctx.commands.register('comapeo.invite', async (input: { connect?: unknown; device?: unknown; role?: unknown; timeout?: unknown } = {}) => {
      const addresses = addressesIn(input.connect);
      const timeoutMs = secondsIn(input.timeout, 120) * 1000;
      const role = input.role ?? 'participant';
      if (role !== 'participant' && role !== 'coordinator') {
        throw new CairnError(ErrorCodes.INVALID_INPUT, `role: give participant or coordinator, not '${String(role)}'.`);
      }
      const link = await linkedProject();
      const comapeo = await reachable(addresses);
      const deviceNameGiven = input.device === undefined ? null : String(input.device);
      return comapeo.call('invite', { projectId: link.comapeoProjectId, deviceName: deviceNameGiven, role: role as InvitedRole, timeoutMs });
    }),
  );

  /** The link of this data dir's Cairn project with a CoMapeo project; `ERR_NOT_FOUND` without one. */
  const linkedProject = async () => {
    const link = await linkIn(ctx.storagePath);
    if (link === null) {
      throw new CairnError(ErrorCodes.NOT_FOUND, 'This data dir is in no CoMapeo project yet: `cairn comapeo create` starts one, `cairn comapeo join` joins one.');
    }
    return link;
  };

  // `cairn comapeo sync [--connect HOST:PORT]... [--wait-peers N] [--timeout S]`.
  ctx.subscriptions.push(
    ctx.commands.register('comapeo.sync', async (input: { connect?: unknown; waitPeers?: unknown; timeout?: unknown } = {}): Promise<ComapeoSyncResult> => {
      const addresses = addressesIn(input.connect);
      const timeoutMs = secondsIn(input.timeout, 120) * 1000;
      const waitPeers = countIn(input.waitPeers, 1);
      await ctx.project.info(); // ERR_NO_PROJECT before anything starts
      const { comapeoProjectId: projectId } = await linkedProject();
      const deadline = Date.now() + timeoutMs;
      const comapeo = await reachable(addresses);
      // The phones' news first, so that the bridge decides on all there is…
      const incoming = await comapeo.call('sync', { projectId, waitPeers, timeoutMs });
      const counts = await ctx.progress('Bridging CoMapeo and Cairn', async () => {
        const { bridgeProject } = await import('./bridge/bridge.js');
        return bridgeProject(ctx, comapeo, projectId);
      });
      let { peers } = incoming;
      // … then what the bridge wrote, out to them before the command ends.
      if (!incoming.timedOut && peers.length > 0 && Object.values(counts.sent).some((count) => count > 0)) {
        const outgoing = await comapeo.call('sync', { projectId, waitPeers, timeoutMs: Math.max(deadline - Date.now(), 10_000) });
        if (outgoing.timedOut) throw syncTimeout(outgoing.peers.length, waitPeers, timeoutMs);
        peers = outgoing.peers;
      }
      if (incoming.timedOut) throw syncTimeout(peers.length, waitPeers, timeoutMs);
      return { peers: peers.map((peer) => ({ ...peer, result: 'ok' as const })), received: counts.received, sent: counts.sent };
    }),
  );

  /** `CAIRN_COMAPEO_HOST` (even empty) over the setting: tests keep every device on loopback with it. */
  const announceOn = (): string | null => process.env.CAIRN_COMAPEO_HOST ?? ctx.configuration.get<string>('comapeo.host') ?? null;

  /** The CoMapeo process, reachable by the devices in reach and dialling the given addresses. */
  const reachable = async (addresses: ReadonlyArray<{ address: string; port: number }>): Promise<ComapeoProcess> => {
    const comapeo = await comapeoProcess();
    const { port, host } = await comapeo.call('listen', { host: announceOn() });
    ctx.log.info(`CoMapeo devices can reach this one at ${host}:${port} (announced there by mDNS).`);
    for (const { address, port: theirs } of addresses) await comapeo.call('connect', { address, port: theirs });
    return comapeo;
  };
}

/** `--connect HOST:PORT`, given once or more. */
function addressesIn(value: unknown): Array<{ address: string; port: number }> {
  const given = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return given.map((entry) => {
    const match = /^(.+):(\d{1,5})$/.exec(String(entry));
    const port = match ? Number(match[2]) : NaN;
    if (!match || port < 1 || port > 65535) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `connect: '${String(entry)}' is not HOST:PORT; give the address a CoMapeo device shows, e.g. --connect 192.168.1.20:42311.`);
    }
    return { address: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
  });
}

/** `--wait-peers N`: a whole number, 0 or more. */
function countIn(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) throw new CairnError(ErrorCodes.INVALID_INPUT, `wait-peers: give a whole number of devices, 0 or more, not '${String(value)}'.`);
  return count;
}

function syncTimeout(synced: number, wanted: number, timeoutMs: number): CairnError {
  return new CairnError(
    ErrorCodes.TIMEOUT,
    `${synced} of ${wanted} CoMapeo devices synced in ${timeoutMs / 1000} s; what was here is bridged. Bring the phones in reach (their sync screen open) and run it again, or give --connect HOST:PORT.`,
  );
}

function secondsIn(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CairnError(ErrorCodes.INVALID_INPUT, `timeout: give a number of seconds above 0, not '${String(value)}'.`);
  return seconds;
}
