/**
 * The stable error codes of Cairn. Every error a user can cause carries one of these, and the
 * CLI prints it as `error [CODE]: message`. Codes never change meaning; new ones may be added.
 */
export const ErrorCodes = {
  /** The data dir holds no project yet. */
  NO_PROJECT: 'ERR_NO_PROJECT',
  /** An observation, command, plugin or file that was asked for does not exist. */
  NOT_FOUND: 'ERR_NOT_FOUND',
  /** Input failed validation; the message names the field. */
  INVALID_INPUT: 'ERR_INVALID_INPUT',
  /** The command line itself is wrong (unknown option, missing argument). Exit code 2. */
  USAGE: 'ERR_USAGE',
  /** Data of another project was offered (a sync file, a peer). */
  PROJECT_MISMATCH: 'ERR_PROJECT_MISMATCH',
  NOT_A_SYNC_FILE: 'ERR_NOT_A_SYNC_FILE',
  CORRUPT_SYNC_FILE: 'ERR_CORRUPT_SYNC_FILE',
  /** A file given as a zip (to import) is not a zip archive at all. */
  NOT_A_ZIP: 'ERR_NOT_A_ZIP',
  /** A zip archive is damaged: cut short, or an entry whose bytes do not match its checksum. */
  CORRUPT_ZIP: 'ERR_CORRUPT_ZIP',
  /** A peer or file speaks a protocol version this build cannot; the message says who must upgrade. */
  PROTOCOL_VERSION: 'ERR_PROTOCOL_VERSION',
  TIMEOUT: 'ERR_TIMEOUT',
  /** The connection to a peer closed before the sync finished; a retry sends only what is missing. */
  DISCONNECTED: 'ERR_DISCONNECTED',
  /** The data dir is used by another Cairn process (a running `cairn serve`, say). */
  BUSY: 'ERR_BUSY',
  CANCELLED: 'ERR_CANCELLED',
  /** The plugin that provides what was asked for is disabled; the message says how to enable it. */
  PLUGIN_DISABLED: 'ERR_PLUGIN_DISABLED',
  /** The plugin that provides what was asked for failed to load or activate; the message says why. */
  PLUGIN_FAILED: 'ERR_PLUGIN_FAILED',
  /** A plugin package is not valid: bad manifest, wrong engine, missing entry file. */
  INVALID_PLUGIN: 'ERR_INVALID_PLUGIN',
  /** A command handler threw an error without a code of its own. */
  COMMAND_FAILED: 'ERR_COMMAND_FAILED',
  /** Reading or writing a file failed (permissions, full disk, missing folder). */
  IO: 'ERR_IO',
  /** This device's role does not allow it (a participant inviting, say); the message says who can. */
  NOT_PERMITTED: 'ERR_NOT_PERMITTED',
  /** This device, or the peer, was removed from the project: it can no longer sync with its members. */
  REMOVED: 'ERR_REMOVED',
  /** The project's last coordinator cannot leave or be demoted: make another device coordinator first. */
  LAST_COORDINATOR: 'ERR_LAST_COORDINATOR',
  /** An invite code that has been used already. */
  INVITE_USED: 'ERR_INVITE_USED',
  /** An invite code past its expiry. */
  INVITE_EXPIRED: 'ERR_INVITE_EXPIRED',
  /** Something went wrong that should not have: a bug. */
  INTERNAL: 'ERR_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An error with a stable {@link ErrorCode} and a message that tells the user what to do. */
export class CairnError extends Error {
  override readonly name = 'CairnError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

const knownCodes = new Set<string>(Object.values(ErrorCodes));

/**
 * True for a {@link CairnError} (with the given code, when one is given), also one created by
 * another copy of the SDK (a plugin that bundles its own) or rebuilt from an RPC reply, which is
 * why this checks the shape rather than the class: `isCairnError(error, ErrorCodes.CANCELLED)`.
 */
export function isCairnError(error: unknown, code?: ErrorCode): error is CairnError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    knownCodes.has((error as { code: string }).code) &&
    (code === undefined || (error as { code: string }).code === code) &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/**
 * What a failure is reported as, in a sync result or a reply: a Cairn error's own code and
 * message; anything else is a bug, `ERR_INTERNAL`, with its message.
 */
export function errorReport(error: unknown): { code: ErrorCode; message: string } {
  if (isCairnError(error)) return { code: error.code, message: error.message };
  return { code: ErrorCodes.INTERNAL, message: errorMessage(error) };
}

/** The message of anything thrown, for logs and error reports. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
