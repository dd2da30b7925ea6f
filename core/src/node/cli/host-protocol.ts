import { CairnError, ErrorCodes } from '@cairn/sdk/common';

/**
 * What a `cairn` process and a running host say to each other over the host's socket: JSON, one
 * message a line. The client sends one request; the host answers `accepted`, then the command's
 * output as it is written, then its exit code — or one `error` when it cannot take the request.
 */
export const hostProtocolVersion = 1;

export interface HostRequest {
  cairn: 'cli';
  version: number;
  /** The command line, as the user typed it. */
  argv: string[];
  /** The client's working directory: `path` arguments are resolved against it. */
  cwd: string;
  /** The data dir the client means, absolute: the host checks it is its own. */
  dataDir: string;
  /** Whether the client's stdout is a terminal (progress bars are drawn only then). */
  stdoutIsTTY: boolean;
  /** The width of the client's terminal, when its stdout is one (help is wrapped and progress cut to it). */
  columns?: number;
}

export type HostReply =
  | { accepted: { pid: number } }
  | { out: string }
  | { err: string }
  | { exit: number }
  | { error: { code: string; message: string } };

/** A request line longer than this (in characters) is not one: the host answers an error and closes. */
export const maxRequestLength = 1024 * 1024;

export function encode(message: HostRequest | HostReply): string {
  return `${JSON.stringify(message)}\n`;
}

/** Checks a request line; throws a coded error that the host sends back. */
export function parseRequest(line: string): HostRequest {
  const request = parseJson(line);
  if (request === null || typeof request !== 'object' || (request as { cairn?: unknown }).cairn !== 'cli') {
    throw new CairnError(ErrorCodes.INVALID_INPUT, 'This socket takes `cairn` command lines only.');
  }
  const { version, argv, cwd, dataDir, stdoutIsTTY, columns } = request as Partial<Record<keyof HostRequest, unknown>>;
  if (version !== hostProtocolVersion) {
    throw new CairnError(
      ErrorCodes.PROTOCOL_VERSION,
      `This Cairn speaks version ${hostProtocolVersion} of the CLI protocol, the \`cairn\` you ran version ${String(version)}: run the \`cairn\` of the same installation.`,
    );
  }
  const isText = (value: unknown): value is string => typeof value === 'string';
  if (!Array.isArray(argv) || !argv.every(isText) || !isText(cwd) || !isText(dataDir) || typeof stdoutIsTTY !== 'boolean') {
    throw new CairnError(ErrorCodes.INVALID_INPUT, 'The request is not a `cairn` command line: argv, cwd, dataDir or stdoutIsTTY is missing or of the wrong type.');
  }
  if (columns !== undefined && (typeof columns !== 'number' || !Number.isInteger(columns) || columns <= 0)) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, 'The request is not a `cairn` command line: columns must be a whole number > 0.');
  }
  return { cairn: 'cli', version, argv, cwd, dataDir, stdoutIsTTY, ...(columns !== undefined && { columns }) };
}

/** Checks a reply line; throws when the other side is no Cairn host. */
export function parseReply(line: string): HostReply {
  const reply = parseJson(line) as Record<string, unknown> | null;
  const valid =
    reply !== null &&
    typeof reply === 'object' &&
    ((typeof reply.accepted === 'object' && reply.accepted !== null) ||
      typeof reply.out === 'string' ||
      typeof reply.err === 'string' ||
      typeof reply.exit === 'number' ||
      (typeof reply.error === 'object' &&
        reply.error !== null &&
        typeof (reply.error as { code?: unknown }).code === 'string' &&
        typeof (reply.error as { message?: unknown }).message === 'string'));
  if (!valid) throw new CairnError(ErrorCodes.PROTOCOL_VERSION, 'The running Cairn answered something this `cairn` does not understand: run the `cairn` of the same installation.');
  return reply as HostReply;
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return null;
  }
}

/** Splits a stream of text into lines; refuses a line longer than `maxLength` characters. */
export class LineReader {
  private pending = '';

  constructor(private readonly maxLength = Number.POSITIVE_INFINITY) {}

  /** The complete lines in `chunk` (and what came before it); throws when a line is too long. */
  push(chunk: string): string[] {
    this.pending += chunk;
    const lines = this.pending.split('\n');
    this.pending = lines.pop()!;
    if (this.pending.length > this.maxLength || lines.some((line) => line.length > this.maxLength)) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `A line longer than ${this.maxLength} characters is no \`cairn\` command line.`);
    }
    return lines;
  }
}
