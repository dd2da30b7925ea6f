import { randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';
import makeMdns from 'multicast-dns';
import type { Disposable, Logger } from '@cairn/sdk';
import type { LanAddress } from './address.js';

/** DNS-SD service type under which Cairn devices say where their DHT node listens. */
const SYNC_SERVICE = '_cairn-sync._udp.local';
/** … and under which a device waiting to join says where it waits (no project key in it, only a name). */
export const JOIN_SERVICE = '_cairn-join._tcp.local';
/** … and under which a coordinator says where it answers invite codes (TXT: the ids of its open codes, never a code). */
export const CODE_SERVICE = '_cairn-code._tcp.local';

export interface AnnouncerOptions {
  /** What this device announces: its DHT node, or where it waits for an invite. */
  address: LanAddress;
  /** Default: the sync service. */
  service?: string;
  /** The project's tag (sync), passed in TXT as `p=`; only announcements with the same tag are found. */
  tag?: string;
  /** More TXT entries (`n=NAME`), or what gives them as each answer is made. */
  texts?: string[] | (() => string[]);
  /** Unique per run, so a device tells its own announcements apart. */
  instance: string;
  onFound(address: LanAddress, texts: string[]): void;
  quiet?: boolean;
  log: Logger;
}

/**
 * mDNS/DNS-SD on the local network: answers queries for a Cairn service with this device's
 * address, and asks often at first (a device appears within a second or two), then every 10 s.
 * With a tag, only addresses of the same project's devices are passed on. With `quiet`, it only
 * asks (a coordinator looking for devices that wait to join has nothing to announce).
 */
export function startAnnouncer(options: AnnouncerOptions): Disposable {
  const { address, tag, instance, log } = options;
  const SERVICE_TYPE = options.service ?? SYNC_SERVICE;
  const wanted = tag === undefined ? null : `p=${tag}`;
  // Bound to the wildcard address (a socket bound to a unicast address never sees multicast),
  // with the group joined and sent to on the LAN interface only.
  const mdns = makeMdns({ interface: address.host, bind: '0.0.0.0', reuseAddr: true });
  const name = `${instance}.${SERVICE_TYPE}`;
  const target = `${instance}.local`;
  const records = () => [
    { name: SERVICE_TYPE, type: 'PTR' as const, ttl: 120, data: name },
    { name, type: 'SRV' as const, ttl: 120, data: { port: address.port, target, priority: 0, weight: 0 } },
    { name, type: 'TXT' as const, ttl: 120, data: ['v=1', ...(wanted === null ? [] : [wanted]), ...(typeof options.texts === 'function' ? options.texts() : (options.texts ?? []))] },
    { name: target, type: 'A' as const, ttl: 120, data: address.host },
  ];
  const announce = () => {
    if (options.quiet !== true) mdns.respond({ answers: records() }, () => undefined);
  };
  const ask = () => mdns.query({ questions: [{ name: SERVICE_TYPE, type: 'PTR' }] }, () => undefined);

  mdns.on('query', (query) => {
    if (query.questions.some((question) => question.name === SERVICE_TYPE)) announce();
  });
  mdns.on('response', (response) => {
    // Records as they come off the network: shapes are checked before use.
    const all = [...response.answers, ...(response.additionals ?? [])] as Array<{ type: string; name: string; data: unknown }>;
    for (const srv of all) {
      if (srv.type !== 'SRV' || !srv.name.endsWith(`.${SERVICE_TYPE}`) || srv.name === name) continue;
      const txt = all.find((record) => record.type === 'TXT' && record.name === srv.name);
      const texts = txt === undefined ? [] : (Array.isArray(txt.data) ? (txt.data as unknown[]) : [txt.data]).map((entry) => String(entry));
      if (wanted !== null && !texts.includes(wanted)) continue;
      const { port, target: srvTarget } = (srv.data ?? {}) as { port?: unknown; target?: unknown };
      const a = all.find((record) => record.type === 'A' && record.name === srvTarget);
      const host = typeof a?.data === 'string' ? a.data : null;
      if (host !== null && isIPv4(host) && typeof port === 'number' && Number.isInteger(port)) options.onFound({ host, port }, texts);
    }
  });
  mdns.on('error', (error: Error) => log.warn(`Local discovery (mDNS) failed: ${error.message}. "Connect to address…" still works.`));
  mdns.on('warning', (error: Error) => log.debug(`mDNS: ${error.message}`));

  announce();
  ask();
  let asked = 1;
  let timer: NodeJS.Timeout;
  const next = () => {
    timer = setTimeout(
      () => {
        asked += 1;
        ask();
        next();
      },
      asked < 5 ? 1000 : 10_000,
    );
    timer.unref();
  };
  next();
  return {
    dispose: () =>
      new Promise<void>((resolve) => {
        clearTimeout(timer);
        mdns.destroy(() => resolve());
      }),
  };
}

/** mDNS where there is a network; on loopback there is none to announce on, and nothing is sent. */
export function announceOnLan(options: Omit<AnnouncerOptions, 'instance' | 'onFound'> & { onFound?: AnnouncerOptions['onFound'] }): Disposable {
  if (options.address.host.startsWith('127.')) return { dispose: () => undefined };
  return startAnnouncer({ onFound: () => undefined, ...options, instance: randomBytes(8).toString('hex') });
}
