import net from 'node:net';
import { CairnError, deviceNameOr, dialTcp, timeoutMsFrom, ErrorCodes, lanHost, memberRoles, type CodeJoinRequest, type Disposable, type Logger, type InviteResult, type JoinResult, type MemberRole, type PluginContext } from '@cairn/sdk';
import { parseAddress, type LanAddress } from './address.js';
import { announceOnLan, CODE_SERVICE, JOIN_SERVICE } from './mdns.js';
import type { ListenSettings } from './settings.js';

/**
 * Invites on the local network: the invite itself is the core's (`ctx.project.members`), over a
 * TCP connection this plugin makes. One side waits for the other to dial it — the device that
 * joins (`cairn join`) or the coordinator (`cairn invite`) — and the other dials it with
 * `--connect HOST:PORT`, the address the waiting side prints.
 */

export interface LanInviteInput {
  connect?: unknown;
  device?: unknown;
  timeout?: unknown;
  role?: unknown;
  deviceName?: unknown;
  /** `cairn invite --code`: make a one-time code instead of inviting a device in reach. */
  code?: unknown;
  expires?: unknown;
}

/** Port the waiting side listens on: `CAIRN_INVITE_PORT` (for tests and firewalls), else a free one. */
function invitePort(env: NodeJS.ProcessEnv): number {
  const given = env.CAIRN_INVITE_PORT;
  if (given === undefined || given === '') return 0;
  const port = Number(given);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CairnError(ErrorCodes.INVALID_INPUT, `CAIRN_INVITE_PORT must be a port number; got '${given}'.`);
  return port;
}

function checkTimeout(timeout: unknown): number {
  return timeoutMsFrom(timeout, 120, '--timeout');
}

function addressesOf(connect: unknown): LanAddress[] {
  const given = connect === undefined ? [] : Array.isArray(connect) ? connect : [connect];
  return given.map((text) => parseAddress(String(text)));
}

/** Where the waiting side listens, and how the dialling side finds it when no address is given. */
interface Rendezvous {
  addresses: LanAddress[];
  listen: { host: string; port: number };
  timeoutMs: number;
  onListening(address: string): void;
  /** Announces the waiting side, or looks for one to dial, on the local network (mDNS). */
  discover?(listening: LanAddress, dial: (address: LanAddress) => void): Disposable;
}

/**
 * The first connection to come: dialled (each `--connect` address is tried again until one
 * answers), or accepted on a listening socket (whose address `onListening` is told), or dialled
 * to a device found on the local network meanwhile. `ERR_TIMEOUT` when none comes in time.
 */
async function firstConnection(rendezvous: Rendezvous): Promise<{ socket: net.Socket; initiator: boolean }> {
  const { addresses, listen, timeoutMs } = rendezvous;
  if (addresses.length > 0) {
    // The other side may not be listening yet: try each address again until the time is up.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const address of addresses) {
        const socket = await dial(address);
        if (socket !== null) return { socket, initiator: true };
      }
      if (Date.now() + 500 > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new CairnError(
      ErrorCodes.TIMEOUT,
      `No device answered at ${addresses.map((address) => `${address.host}:${address.port}`).join(', ')} within ${Math.round(timeoutMs / 1000)} s: check that it is waiting, and the address it shows.`,
    );
  }
  const server = net.createServer();
  let discovery: Disposable | null = null;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new CairnError(ErrorCodes.IO, `Could not listen at ${listen.host}:${listen.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message}.`)),
      );
      server.listen(listen.port, listen.host, () => resolve());
    });
    const { port } = server.address() as net.AddressInfo;
    rendezvous.onListening(`${listen.host}:${port}`);
    return await new Promise((resolve, reject) => {
      let settled = false;
      const settle = (outcome: { socket: net.Socket; initiator: boolean }) => {
        if (settled) return void outcome.socket.destroy();
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const timer = setTimeout(() => {
        settled = true;
        reject(new CairnError(ErrorCodes.TIMEOUT, `No device came within ${Math.round(timeoutMs / 1000)} s.`));
      }, timeoutMs);
      server.once('connection', (socket) => settle({ socket, initiator: false }));
      const tried = new Set<string>();
      discovery = rendezvous.discover?.({ host: listen.host, port }, (address) => {
        const key = `${address.host}:${address.port}`;
        if (settled || tried.has(key)) return;
        tried.add(key);
        void dial(address).then((socket) => socket !== null && settle({ socket, initiator: true }));
      }) ?? null;
    });
  } finally {
    server.close();
    await (discovery as Disposable | null)?.dispose();
  }
}

/**
 * The connection to the coordinator's desk for a code: dialled at the addresses given (again and
 * again until one answers), or found on the local network by the code's id.
 */
async function reachDesk(host: string, addresses: LanAddress[], codeId: string, timeoutMs: number, signal: AbortSignal, log: Logger): Promise<net.Socket> {
  const deadline = Date.now() + timeoutMs;
  const cancelled = () => new CairnError(ErrorCodes.CANCELLED, 'Joining with the code was stopped.');
  if (addresses.length > 0) {
    while (!signal.aborted) {
      for (const address of addresses) {
        const socket = await dial(address);
        if (socket !== null) return socket;
      }
      if (Date.now() + 500 > deadline) {
        throw new CairnError(ErrorCodes.TIMEOUT, `No coordinator's device answered at ${addresses.map((address) => `${address.host}:${address.port}`).join(', ')} within ${Math.round(timeoutMs / 1000)} s: check that it syncs over Wi-Fi (its Sync view open, or \`cairn sync wifi\`), and the address it shows.`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw cancelled();
  }
  let found: Disposable | null = null;
  try {
    return await new Promise<net.Socket>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', abort);
        outcome();
      };
      const abort = () => settle(() => reject(cancelled()));
      const timer = setTimeout(
        () => settle(() => reject(new CairnError(ErrorCodes.TIMEOUT, `No coordinator's device holding this code was found on the local network within ${Math.round(timeoutMs / 1000)} s: ask a coordinator to open the Sync view (or run \`cairn sync wifi\`), or give its address with --connect.`))),
        Math.max(0, deadline - Date.now()),
      );
      signal.addEventListener('abort', abort);
      const tried = new Set<string>();
      // Only asks: the desks that answer say where they are and which codes they hold.
      found = announceOnLan({
        address: { host, port: 0 },
        service: CODE_SERVICE,
        quiet: true,
        log,
        onFound: (address, texts) => {
          const key = `${address.host}:${address.port}`;
          if (settled || tried.has(key) || !texts.includes(`c=${codeId}`)) return;
          tried.add(key);
          void dial(address).then((socket) => {
            if (socket === null) return;
            if (settled) return void socket.destroy();
            settle(() => resolve(socket));
          });
        },
      });
    });
  } finally {
    await (found as Disposable | null)?.dispose();
  }
}

const dial = (address: LanAddress) => dialTcp(address);

export function lanInvites(ctx: PluginContext, settings: () => ListenSettings) {
  const listenOn = () => ({ host: lanHost(settings().host), port: invitePort(process.env) });
  return {
    /** `cairn join [--connect HOST:PORT]... [--device-name D] [--timeout S]`: waits for an invite and takes it. */
    join: async (input: LanInviteInput): Promise<JoinResult> => {
      const timeoutMs = checkTimeout(input.timeout);
      const addresses = addressesOf(input.connect);
      // Refused before anything is opened: one data dir holds one project.
      const existing = await ctx.project.info().catch(() => null);
      const deviceName = deviceNameOr(input.deviceName === undefined ? null : String(input.deviceName));
      if (existing !== null) {
        throw new CairnError(ErrorCodes.INVALID_INPUT, 'This data dir holds a project already (`cairn project` shows it): a device joins from an empty data dir, so use another --data-dir.');
      }
      return ctx.progress('Waiting for an invite', async (report) => {
        const { socket, initiator } = await firstConnection({
          addresses,
          listen: listenOn(),
          timeoutMs,
          onListening: (address) => {
            ctx.log.info(`Waiting for an invite at ${address}: on a coordinator's device, run \`cairn invite\` (or \`cairn invite --connect ${address}\`).`);
            report({ message: `at ${address}: on a coordinator's device, run cairn invite` });
          },
          // Announced by name only: nothing of a project is in it, and this device has none yet.
          discover: (listening) => announceOnLan({ address: listening, service: JOIN_SERVICE, texts: [`n=${deviceName}`], log: ctx.log }),
        });
        try {
          return await ctx.project.members.join(socket, { initiator, timeoutMs, deviceName });
        } finally {
          socket.destroy();
        }
      });
    },
    /**
     * `cairn init --join-code CODE`: dials the coordinator's device at `--connect`, or the one on
     * the local network that announces the code's id, and joins with the code.
     */
    joinByCode: async (request: CodeJoinRequest): Promise<JoinResult> => {
      const codeId = await ctx.project.members.codeId(request.code);
      const deviceName = deviceNameOr(request.deviceName ?? null);
      const addresses = addressesOf(request.connect);
      return ctx.progress('Looking for the coordinator of the invite code', async (report) => {
        report({ message: addresses.length > 0 ? `at ${addresses.map(({ host, port }) => `${host}:${port}`).join(', ')}` : 'on the local network' });
        const socket = await reachDesk(listenOn().host, addresses, codeId, request.timeoutMs, request.signal, ctx.log);
        try {
          report({ message: 'joining' });
          return await ctx.project.members.joinByCode(socket, { initiator: true, code: request.code, timeoutMs: request.timeoutMs, deviceName });
        } finally {
          socket.destroy();
        }
      });
    },
    /** `cairn invite [--connect HOST:PORT]... [--role R] [--timeout S]`: offers the project to a device waiting to join; with `--code`, makes a code. */
    invite: async (input: LanInviteInput): Promise<InviteResult | { code: string; expiresAt: string }> => {
      if (input.code === true) {
        if (input.connect !== undefined || input.device !== undefined) throw new CairnError(ErrorCodes.INVALID_INPUT, '--code makes a code to send; it goes without --connect and --device.');
        const { code, expiresAt } = await ctx.project.members.createCode({
          ...(input.role !== undefined && { role: input.role as MemberRole }),
          ...(input.expires !== undefined && { expiresHours: input.expires as number }),
        });
        ctx.log.info(`Send the code to the device that is to join; it joins with \`cairn init --join-code ${code}\` while this device syncs over Wi-Fi.`);
        return { code, expiresAt };
      }
      if (input.expires !== undefined) throw new CairnError(ErrorCodes.INVALID_INPUT, '--expires goes with --code.');
      const timeoutMs = checkTimeout(input.timeout);
      const role = (input.role ?? 'participant') as MemberRole;
      if (!memberRoles.includes(role)) throw new CairnError(ErrorCodes.INVALID_INPUT, `--role must be participant or coordinator; got '${String(input.role)}'.`);
      const addresses = addressesOf(input.connect);
      // Refused before anything is opened: a participant cannot invite.
      const self = (await ctx.project.members.list()).find((member) => member.self);
      if (self?.role !== 'coordinator' || self.status !== 'active') {
        throw new CairnError(ErrorCodes.NOT_PERMITTED, 'Only coordinators can invite devices; this device is a participant. Ask a coordinator (`cairn members` lists them).');
      }
      return ctx.progress('Inviting a device', async (report) => {
        const device = input.device === undefined ? null : String(input.device);
        const { socket, initiator } = await firstConnection({
          addresses,
          listen: listenOn(),
          timeoutMs,
          onListening: (address) => {
            ctx.log.info(`Looking for a device waiting to join${device === null ? '' : ` named '${device}'`}; or, on it, run \`cairn join --connect ${address}\`.`);
            report({ message: `looking for a device waiting to join${device === null ? '' : ` (${device})`}` });
          },
          // Only asks: the devices that wait answer with where they wait, and their name.
          discover: (listening, dial) =>
            announceOnLan({
              address: listening,
              service: JOIN_SERVICE,
              quiet: true,
              log: ctx.log,
              onFound: (found, texts) => {
                if (device === null || texts.includes(`n=${device}`)) dial(found);
              },
            }),
        });
        try {
          return await ctx.project.members.invite(socket, { initiator, role, timeoutMs });
        } finally {
          socket.destroy();
        }
      });
    },
  };
}
