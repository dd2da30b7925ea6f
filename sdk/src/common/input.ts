import { CairnError, ErrorCodes } from './errors.js';

/**
 * Checks of the options that long-running commands share, with the same message wherever a
 * user gives them (`--timeout`, `--wait-peers`).
 */

/** `--timeout` in seconds (above 0, at most a day), as milliseconds; `fallback` seconds when not given. */
export function timeoutMsFrom(value: unknown, fallback: number, option = 'timeout'): number {
  const seconds = value === undefined ? fallback : Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `${option}: give a number of seconds above 0, at most 86400 (got '${String(value)}').`);
  }
  return seconds * 1000;
}

/** `--wait-peers`: a whole number of devices from 1 to 1000; 1 when not given. */
export function peerCountFrom(value: unknown, option = 'wait-peers'): number {
  const count = value === undefined ? 1 : Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `${option}: give a whole number of devices from 1 to 1000 (got '${String(value)}').`);
  }
  return count;
}
