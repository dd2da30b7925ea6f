import { isIPv4 } from 'node:net';
import { CairnError, ErrorCodes } from '@cairn/sdk';
import type { DhtNodeAddress } from 'hyperdht';

/**
 * The DHT nodes to start from: `--bootstrap` when given, else `CAIRN_INTERNET_BOOTSTRAP`
 * (comma-separated; for tests and for scripts), else the `sync-internet.bootstrap` setting; null
 * means HyperDHT's public bootstrap nodes.
 */
export function bootstrapNodes(given: unknown, env: NodeJS.ProcessEnv, setting: unknown): DhtNodeAddress[] | null {
  const fromFlag = given === undefined ? [] : Array.isArray(given) ? given : [given];
  if (fromFlag.length > 0) return fromFlag.map((text) => parseNode(String(text), '--bootstrap'));
  const fromEnv = (env.CAIRN_INTERNET_BOOTSTRAP ?? '').split(',').map((text) => text.trim()).filter((text) => text !== '');
  if (fromEnv.length > 0) return fromEnv.map((text) => parseNode(text, 'CAIRN_INTERNET_BOOTSTRAP'));
  const fromSetting = Array.isArray(setting) ? setting.map(String).filter((text) => text.trim() !== '') : [];
  if (fromSetting.length > 0) return fromSetting.map((text) => parseNode(text.trim(), 'sync-internet.bootstrap'));
  return null;
}

/** `HOST:PORT`, a host name or an IPv4 address; `ERR_INVALID_INPUT` naming where it came from otherwise. */
export function parseNode(text: string, where: string): DhtNodeAddress {
  const match = /^([^\s:]+):(\d{1,5})$/.exec(text);
  const port = match === null ? NaN : Number(match[2]);
  const host = match?.[1] ?? '';
  const hostOk = isIPv4(host) || /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(host);
  if (!hostOk || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `${where}: '${text}' is not a DHT node; give HOST:PORT, e.g. 203.0.113.7:49737.`);
  }
  return { host, port };
}
