import { connect, type Socket } from 'node:net';
import { CairnError, ErrorCodes, type ErrorCode } from '@cairn/sdk/common';
import { encode, hostProtocolVersion, LineReader, parseReply, type HostRequest } from './host-protocol.js';
import { hostSocketFor, privateFolderProblem } from './host-socket.js';
import type { CliStreams } from './cli-command.js';

export interface RunningHostRequest {
  argv: readonly string[];
  /** The folder `cairn` was run from. */
  cwd: string;
  /** Absolute. */
  dataDir: string;
  streams: CliStreams;
  env: NodeJS.ProcessEnv;
}

/** A host that takes the connection but does not answer within this is stuck (or stopped with SIGSTOP). */
const acceptTimeoutMs = 10_000;

/**
 * Runs the command line in the workbench that has the data dir open, if one does, and returns
 * its exit code after passing on its output; null when none does (no socket, or a stale one left
 * by a host killed with -9): then the caller runs the command itself.
 */
export async function runInRunningHost(request: RunningHostRequest): Promise<number | null> {
  const socket = await hostSocketFor(request.dataDir, request.env);
  if (socket === null) return null;
  // A folder that is not this user's alone may hold a socket someone else planted: not for us.
  if (socket.folder !== null && (await privateFolderProblem(socket.folder)) !== null) return null;
  const connection = await connectTo(socket.path);
  if (connection === null) return null;
  const message: HostRequest = {
    cairn: 'cli',
    version: hostProtocolVersion,
    argv: [...request.argv],
    cwd: request.cwd,
    dataDir: request.dataDir,
    stdoutIsTTY: request.streams.stdout.isTTY === true,
    ...(request.streams.stdout.columns !== undefined && { columns: request.streams.stdout.columns }),
  };
  connection.write(encode(message));
  return relay(connection, request.streams);
}

/** A connected socket, or null when nothing listens there. */
function connectTo(path: string): Promise<Socket | null> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const failed = () => {
      socket.destroy();
      resolve(null);
    };
    socket.once('error', failed);
    socket.once('connect', () => {
      socket.off('error', failed);
      resolve(socket);
    });
  });
}

/** Writes what the host sends to our own streams, and resolves with the command's exit code. */
function relay(connection: Socket, streams: CliStreams): Promise<number> {
  return new Promise((resolve, reject) => {
    const reader = new LineReader();
    let pid: number | null = null;
    let settled = false;
    // The error is a CairnError of ours or the host's, or a bug of this client (reported as one).
    const settle = (outcome: { exitCode: number } | { error: unknown }) => {
      if (settled) return;
      settled = true;
      clearTimeout(acceptTimer);
      connection.destroy();
      if ('exitCode' in outcome) resolve(outcome.exitCode);
      else reject(outcome.error);
    };
    const acceptTimer = setTimeout(() => {
      settle({
        error: new CairnError(
          ErrorCodes.TIMEOUT,
          `The Cairn process that has this data dir open did not answer within ${acceptTimeoutMs / 1000} s. If it is stuck, stop it, and run the command again.`,
        ),
      });
    }, acceptTimeoutMs);
    connection.setEncoding('utf8');
    connection.on('data', (chunk: string) => {
      try {
        for (const line of reader.push(chunk)) {
          const reply = parseReply(line);
          if ('accepted' in reply) {
            pid = typeof reply.accepted.pid === 'number' ? reply.accepted.pid : null;
            clearTimeout(acceptTimer);
          } else if ('out' in reply) streams.stdout.write(reply.out);
          else if ('err' in reply) streams.stderr.write(reply.err);
          else if ('exit' in reply) settle({ exitCode: reply.exit });
          else settle({ error: new CairnError(reply.error.code as ErrorCode, reply.error.message) });
        }
      } catch (error) {
        settle({ error });
      }
    });
    // An 'error' is followed by 'close'; the exit code is what matters.
    connection.on('error', () => undefined);
    connection.on('close', () => {
      settle({
        error: new CairnError(
          ErrorCodes.DISCONNECTED,
          `The Cairn process that ran the command${pid === null ? '' : ` (process ${pid})`} closed the connection before it ended: it may have stopped. Run the command again.`,
        ),
      });
    });
  });
}
