import { connect, isIPv4, type Socket } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { CairnError, ErrorCodes } from '../common/errors.js';

/**
 * The IPv4 address a transport listens and announces on: the one asked for (a setting), else the
 * first private address of a LAN interface (Wi-Fi, Ethernet), else any non-internal one, else
 * loopback (only this computer). `ERR_INVALID_INPUT` for an address that is not IPv4.
 */
export function lanHost(wanted?: string | null): string {
  if (wanted !== undefined && wanted !== null && wanted.trim() !== '') {
    if (!isIPv4(wanted.trim())) throw new CairnError(ErrorCodes.INVALID_INPUT, `host: '${wanted}' is not an IPv4 address.`);
    return wanted.trim();
  }
  const candidates = Object.values(networkInterfaces())
    .flat()
    .filter((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)
    .map((entry) => entry!.address);
  const isPrivate = (address: string) => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.)/.test(address);
  return candidates.find(isPrivate) ?? candidates[0] ?? '127.0.0.1';
}

/** The name a device goes by when none is given: the computer's name, else "Cairn device". */
export function deviceNameOr(given?: string | null): string {
  return given?.trim() || hostname() || 'Cairn device';
}

/**
 * A TCP connection to `host:port`, or null when nothing answers (refused, unreachable, or silent
 * for 5 s): for transports that dial a device at an address the user gave, and try again.
 */
export function dialTcp(address: { host: string; port: number }): Promise<Socket | null> {
  return new Promise((resolve) => {
    const attempt = connect(address.port, address.host);
    attempt.setTimeout(5_000, () => attempt.destroy());
    attempt.once('connect', () => {
      attempt.setTimeout(0);
      resolve(attempt);
    });
    attempt.once('error', () => resolve(null));
    attempt.once('close', () => resolve(null));
  });
}
