// Finding CoMapeo devices on the local network as the CoMapeo apps do: each announces its discovery
// server by DNS-SD over mDNS as `_comapeo._tcp`, its instance name the name its server was given,
// and dials the others it sees. CoMapeo's core does no multicast of its own; its apps do this part.
import { isIPv4 } from 'node:net';
import makeMdns from 'multicast-dns';

const SERVICE_TYPE = '_comapeo._tcp.local';

export interface FoundDevice {
  address: string;
  port: number;
  /** Its DNS-SD instance name: the name its discovery server was given, which dialling it needs. */
  name: string;
}

export interface Announcer {
  close(): Promise<void>;
}

/**
 * Answers queries for `_comapeo._tcp` with this device (`name` on `port` at `host`), asks often at
 * first (a phone appears within a second or two), then every 10 s, and hands every other device
 * it hears of to `onFound`.
 */
export function announce(options: { host: string; port: number; name: string; onFound(device: FoundDevice): void; onError(error: Error): void }): Announcer {
  const { host, port, name } = options;
  // Bound to the wildcard address (a socket bound to a unicast one never sees multicast), with the
  // group joined and sent to on the chosen interface only.
  const mdns = makeMdns({ interface: host, bind: '0.0.0.0', reuseAddr: true });
  const instance = `${name}.${SERVICE_TYPE}`;
  const target = `${name}.local`;
  const records = () => [
    { name: SERVICE_TYPE, type: 'PTR' as const, ttl: 120, data: instance },
    { name: instance, type: 'SRV' as const, ttl: 120, data: { port, target, priority: 0, weight: 0 } },
    { name: instance, type: 'TXT' as const, ttl: 120, data: [] as string[] },
    { name: target, type: 'A' as const, ttl: 120, data: host },
  ];
  const respond = () => mdns.respond({ answers: records() }, () => undefined);
  const ask = () => mdns.query({ questions: [{ name: SERVICE_TYPE, type: 'PTR' }] }, () => undefined);

  mdns.on('query', (query) => {
    if (query.questions.some((question) => question.name === SERVICE_TYPE || question.name === instance)) respond();
  });
  mdns.on('response', (response) => {
    // Records as they come off the network: their shapes are checked before use.
    const all = [...response.answers, ...(response.additionals ?? [])] as Array<{ type: string; name: string; data: unknown }>;
    for (const srv of all) {
      if (srv.type !== 'SRV' || !srv.name.endsWith(`.${SERVICE_TYPE}`) || srv.name === instance) continue;
      const { port: theirPort, target: theirTarget } = (srv.data ?? {}) as { port?: unknown; target?: unknown };
      const a = all.find((record) => record.type === 'A' && record.name === theirTarget);
      const address = typeof a?.data === 'string' ? a.data : null;
      if (address === null || !isIPv4(address) || typeof theirPort !== 'number' || !Number.isInteger(theirPort)) continue;
      options.onFound({ address, port: theirPort, name: srv.name.slice(0, -`.${SERVICE_TYPE}`.length) });
    }
  });
  mdns.on('error', options.onError);

  respond();
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
    close: () =>
      new Promise<void>((resolve) => {
        clearTimeout(timer);
        mdns.destroy(() => resolve());
      }),
  };
}
