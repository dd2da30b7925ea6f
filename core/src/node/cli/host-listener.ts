import { chmod, lstat, mkdir, realpath, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { isAbsolute } from 'node:path';
import { CairnError, ErrorCodes, errorMessage, isCairnError, type Logger } from '@cairn/sdk';
import { encode, LineReader, maxRequestLength, parseRequest, type HostReply } from './host-protocol.js';
import { hostSocketForRealPath, preparePrivateFolder } from './host-socket.js';
import { ExitCode } from './cli-command.js';
import { runCommandLine } from './command-line.js';
import type { CommandLineHost } from './command-line-host.js';

export interface HostListenerOptions {
  /** Names this host when a command cannot share it: `the workbench at http://… (cairn serve, process 42)`. */
  description: string;
  env?: NodeJS.ProcessEnv;
  /** A connection that sends no request within this long is closed. */
  requestTimeoutMs?: number;
  /** How long `close()` lets the commands still running finish before it drops their clients. */
  closeTimeoutMs?: number;
}

/**
 * Takes `cairn` command lines for the data dir of a host that stays open (`cairn serve`, the
 * desktop app) and runs them in it, as `code` does with a running VS Code. It listens on a Unix
 * socket in a folder only this user can open (a named pipe on Windows), never on TCP.
 */
export class HostListener {
  private readonly clients = new Set<Socket>();
  private readonly running = new Set<Promise<void>>();
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly host: CommandLineHost,
    private readonly server: Server,
    /** The socket (or pipe) path. */
    readonly path: string,
    private readonly realDataDir: string,
    private readonly options: Required<Omit<HostListenerOptions, 'env'>>,
    log: Logger,
  ) {
    server.on('connection', (socket) => this.accept(socket));
    // A failing accept (too many open files, say) must not take the host down.
    server.on('error', (error) => log.warn(`The CLI socket failed: ${errorMessage(error)}`));
  }

  /**
   * Starts listening for the host's data dir. Throws `ERR_BUSY` when another live process already
   * listens for it, `ERR_IO` when the socket folder is not this user's alone.
   */
  static async listen(host: CommandLineHost, options: HostListenerOptions): Promise<HostListener> {
    await mkdir(host.config.dataDir, { recursive: true });
    const realDataDir = await realpath(host.config.dataDir);
    const socket = hostSocketForRealPath(realDataDir, options.env ?? process.env);
    if (socket.folder !== null) {
      await preparePrivateFolder(socket.folder);
      await removeStaleSocket(socket.path, realDataDir);
    }
    const server = createServer({ allowHalfOpen: false });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(error.code === 'EADDRINUSE' ? busy(realDataDir) : new CairnError(ErrorCodes.IO, `Could not listen on ${socket.path}: ${error.message}`));
      });
      server.listen(socket.path, () => resolve());
    });
    // The folder already keeps others out; the socket's own mode says so too.
    if (socket.folder !== null) await chmod(socket.path, 0o600);
    return new HostListener(
      host,
      server,
      socket.path,
      realDataDir,
      { description: options.description, requestTimeoutMs: options.requestTimeoutMs ?? 10_000, closeTimeoutMs: options.closeTimeoutMs ?? 5_000 },
      host.logs.forSource('core'),
    );
  }

  /** Stops listening and removes the socket; commands still running get a moment to finish. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      // A Unix socket file outlives its server unless it is removed (a named pipe does not).
      if (!this.path.startsWith('\\\\')) await unlink(this.path).catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.closeTimeoutMs)));
      await Promise.race([Promise.allSettled([...this.running]), waited]);
      clearTimeout(timer);
      for (const client of this.clients) client.destroy();
      await closed;
    })();
    return this.closing;
  }

  private accept(socket: Socket): void {
    this.clients.add(socket);
    socket.setEncoding('utf8');
    const reader = new LineReader(maxRequestLength);
    let received = false;
    const send = (reply: HostReply) => {
      if (socket.writable) socket.write(encode(reply));
    };
    const refuse = (error: unknown) => {
      send({ error: replyError(error) });
      socket.end();
    };
    const timer = setTimeout(
      () => refuse(new CairnError(ErrorCodes.TIMEOUT, `No command line came within ${this.options.requestTimeoutMs / 1000} s.`)),
      this.options.requestTimeoutMs,
    );
    socket.on('data', (chunk: string) => {
      // One request a connection; anything after it is not read.
      if (received) return;
      let lines: string[];
      try {
        lines = reader.push(chunk);
      } catch (error) {
        received = true;
        clearTimeout(timer);
        refuse(error);
        return;
      }
      if (lines.length === 0) return;
      received = true;
      clearTimeout(timer);
      const work = this.run(lines[0]!, send)
        .catch((error: unknown) => send({ error: replyError(error) }))
        .finally(() => {
          this.running.delete(work);
          socket.end();
        });
      this.running.add(work);
    });
    // A client that goes away (Ctrl+C) mid-command: the command finishes here, unheard.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      this.clients.delete(socket);
    });
  }

  private async run(line: string, send: (reply: HostReply) => void): Promise<void> {
    const request = parseRequest(line);
    if (!isAbsolute(request.cwd)) throw new CairnError(ErrorCodes.INVALID_INPUT, `cwd must be an absolute path; got '${request.cwd}'.`);
    const asked = await realpath(request.dataDir).catch(() => request.dataDir);
    if (asked !== this.realDataDir) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `This Cairn process has ${this.realDataDir} open, not ${request.dataDir}.`);
    }
    if (this.closing !== null) throw new CairnError(ErrorCodes.BUSY, 'The Cairn process that has this data dir open is closing; run the command again in a moment.');
    send({ accepted: { pid: process.pid } });
    const exitCode = await runCommandLine(request.argv, this.host, {
      cwd: request.cwd,
      fromClient: { hostDescription: this.options.description },
      streams: {
        stdout: { write: (text) => send({ out: text }), isTTY: request.stdoutIsTTY, ...(request.columns !== undefined && { columns: request.columns }) },
        stderr: { write: (text) => send({ err: text }) },
      },
    }).catch(() => ExitCode.error);
    send({ exit: exitCode });
  }
}

/**
 * Listens for `cairn` commands for the host's data dir. Another live process listening for it is
 * an error (`ERR_BUSY`: it has the data dir); a socket that cannot be made safe only costs the CLI
 * its way in, which the log says.
 */
export async function listenForCli(host: CommandLineHost, description: string): Promise<HostListener | null> {
  try {
    return await HostListener.listen(host, { description });
  } catch (error) {
    if (isCairnError(error, ErrorCodes.BUSY)) throw error;
    host.logs
      .forSource('core')
      .warn(`\`cairn\` commands cannot reach this process: ${errorMessage(error)}. Until then they get ERR_BUSY while it runs.`);
    return null;
  }
}

function replyError(error: unknown): { code: string; message: string } {
  if (isCairnError(error)) return { code: error.code, message: error.message };
  return { code: ErrorCodes.INTERNAL, message: `${errorMessage(error)} (this is a bug)` };
}

function busy(dataDir: string): CairnError {
  return new CairnError(ErrorCodes.BUSY, `The data dir ${dataDir} is already open in another Cairn process (a workbench). Use that one, or close it first.`);
}

/**
 * A socket file left by a host that was killed (-9) answers nothing: it is removed. One that
 * answers belongs to a live host of the same data dir.
 */
async function removeStaleSocket(path: string, dataDir: string): Promise<void> {
  const info = await lstat(path).catch(() => null);
  if (info === null) return;
  if (!info.isSocket()) throw new CairnError(ErrorCodes.IO, `${path} is in the way of the CLI socket and is not one: remove it and start again.`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw busy(dataDir);
  await unlink(path).catch(() => undefined);
}
