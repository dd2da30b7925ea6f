import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import { isIPv4 } from 'node:net';
import { CairnError, ErrorCodes } from '@cairn/sdk';

export interface LanAddress {
  host: string;
  port: number;
}

/** Parses `HOST:PORT` as given to `--connect` or "Connect to address…". */
export function parseAddress(text: string): LanAddress {
  const match = /^\s*([0-9.]+):(\d{1,5})\s*$/.exec(String(text));
  const port = match ? Number(match[2]) : NaN;
  if (match === null || !isIPv4(match[1]!) || port < 1 || port > 65535) {
    throw new CairnError(
      ErrorCodes.INVALID_INPUT,
      `connect: '${text}' is not an address like 192.168.1.20:49737 (the other device's Sync view shows its address).`,
    );
  }
  return { host: match[1]!, port };
}

/** A free UDP port on `host` (asked of the system, then released for the DHT node to take). */
export function freeUdpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, host, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/**
 * A tag of the project for the local network: devices of one project recognise each other's
 * announcements without the discovery key being broadcast.
 */
export function projectTag(discoveryKey: string): string {
  return createHash('sha256').update(`cairn-sync-wifi:${discoveryKey}`).digest('hex').slice(0, 16);
}

