import net from 'node:net';
import { CairnError, ErrorCodes, isCairnError, type Disposable, type InviteResult, type PluginContext } from '@cairn/sdk';
import { announceOnLan, CODE_SERVICE } from './mdns.js';

/**
 * Where a coordinator's device answers invite codes while it syncs over Wi-Fi: a TCP port,
 * announced on the local network with the ids of the codes it can still answer (never a code),
 * that a device joining with a code (`cairn init --join-code`) finds and dials. The invite itself
 * is the core's (`ctx.project.members.answerCode`), which lets the device in with the code's role.
 */

/** At most this many invites at once: a device that sends junk cannot tie up the desk. */
const MAX_OPEN = 4;
const INVITE_TIMEOUT_MS = 60_000;

/** The port to answer codes on: `CAIRN_CODE_PORT` (for tests and firewalls), else a free one. */
export function codePort(env: NodeJS.ProcessEnv): number {
  const given = env.CAIRN_CODE_PORT;
  if (given === undefined || given === '') return 0;
  const port = Number(given);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CairnError(ErrorCodes.INVALID_INPUT, `CAIRN_CODE_PORT must be a port number; got '${given}'.`);
  return port;
}

export class CodeDesk {
  private openIds: string[] = [];
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly ctx: PluginContext,
    private readonly server: net.Server,
    readonly address: string,
    private readonly announcer: Disposable,
  ) {}

  /**
   * Opens the desk on `host`; resolves with null (and a warning in the log) when the port cannot
   * be had: syncing goes on without it.
   */
  static async open(ctx: PluginContext, host: string, onJoined: (result: InviteResult) => void): Promise<CodeDesk | null> {
    const server = net.createServer();
    const port = codePort(process.env);
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        ctx.log.warn(`Invite codes cannot be answered here: port ${port} at ${host} is ${error.code === 'EADDRINUSE' ? 'in use' : `unavailable (${error.message})`}.`);
        resolve(false);
      });
      server.listen(port, host, () => resolve(true));
    });
    if (!listening) return null;
    const address = `${host}:${(server.address() as net.AddressInfo).port}`;
    let desk: CodeDesk | null = null;
    const announcer = announceOnLan({
      address: { host, port: (server.address() as net.AddressInfo).port },
      service: CODE_SERVICE,
      // Read as each answer is made; refreshed as each question comes, for the next answer.
      texts: () => {
        void desk?.refresh();
        return (desk?.openIds ?? []).map((id) => `c=${id}`);
      },
      log: ctx.log,
    });
    desk = new CodeDesk(ctx, server, address, announcer);
    await desk.refresh();
    server.on('connection', (socket) => desk!.answer(socket, onJoined));
    ctx.log.info(`Answering invite codes at ${address}.`);
    return desk;
  }

  private answer(socket: net.Socket, onJoined: (result: InviteResult) => void): void {
    if (this.sockets.size >= MAX_OPEN) return void socket.destroy();
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => this.sockets.delete(socket));
    this.ctx.project.members.answerCode(socket, { initiator: false, timeoutMs: INVITE_TIMEOUT_MS }).then(
      (result) => {
        if (result.deviceId !== null) this.ctx.log.info(`${result.deviceName} joined with an invite code, as ${result.role}.`);
        void this.refresh();
        onJoined(result);
      },
      (error: unknown) => {
        // The device that came was told why; here it is only worth a line.
        const message = isCairnError(error) ? `${error.code}: ${error.message}` : String(error);
        this.ctx.log.info(`A device at ${socket.remoteAddress ?? 'an unknown address'} tried an invite code: ${message}`);
      },
    ).finally(() => socket.destroy());
  }

  private async refresh(): Promise<void> {
    this.openIds = await this.ctx.project.members.openCodeIds().catch(() => []);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.announcer.dispose();
  }
}
