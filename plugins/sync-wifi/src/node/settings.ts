import { CairnError, ErrorCodes, lanHost, type ConfigurationApi } from '@cairn/sdk';
import { freeUdpPort, type LanAddress } from './address.js';

/** Where discovery is to listen, as given (checked when discovery starts). */
export interface ListenSettings {
  /** An IPv4 address; empty or left out: the first private address of a network interface. */
  host: string | undefined;
  /** A UDP port; empty, 0 or left out: any free one. */
  port: string | number | undefined;
}

/**
 * `CAIRN_WIFI_HOST` and `CAIRN_WIFI_PORT`, which override the `sync-wifi.host` and
 * `sync-wifi.port` settings when set, even to an empty value (`CAIRN_WIFI_HOST=127.0.0.1` keeps
 * every device of a test on this computer).
 */
export interface ListenOverrides {
  host?: string;
  port?: string;
}

/** The overrides an environment sets; the plugin reads its own once, as it starts. */
export function listenOverridesFrom(env: NodeJS.ProcessEnv): ListenOverrides {
  const overrides: ListenOverrides = {};
  if (env.CAIRN_WIFI_HOST !== undefined) overrides.host = env.CAIRN_WIFI_HOST;
  if (env.CAIRN_WIFI_PORT !== undefined) overrides.port = env.CAIRN_WIFI_PORT;
  return overrides;
}

/** Reads the settings each time discovery starts (the user may change them in between), overrides first. */
export function listenSettings(configuration: ConfigurationApi, overrides: ListenOverrides): () => ListenSettings {
  return () => ({
    host: overrides.host ?? configuration.get<string>('sync-wifi.host'),
    port: overrides.port ?? configuration.get<number>('sync-wifi.port'),
  });
}

/** The address to listen on: the host asked for, else a LAN one; the port asked for, else a free one. */
export async function listenAddress(settings: ListenSettings): Promise<LanAddress> {
  const host = lanHost(settings.host);
  return { host, port: await listeningPort(settings.port, host) };
}

/** The port asked for (for firewalls that open one), else a free one. */
async function listeningPort(wanted: string | number | undefined, host: string): Promise<number> {
  if (wanted === undefined || wanted === '' || Number(wanted) === 0) return freeUdpPort(host);
  const port = Number(wanted);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `sync-wifi.port: ${String(wanted)} is not a port number (1–65535, or 0 for any free one).`);
  }
  return port;
}
