import { isIPv4 } from 'node:net';
import { CairnError, ErrorCodes, peerCountFrom, timeoutMsFrom, type CliEvents, type InvocationContext, type PluginContext, type SyncPeerResult, type SyncRequest } from '@cairn/sdk';
import { bootstrapNodes, parseNode } from './bootstrap.js';
import { SYNC_INTERNET_SERVICE, type InternetPeerResult, type SyncInternetService } from '../common/protocol.js';

interface SyncInternetInput {
  bootstrap?: unknown;
  connect?: unknown;
  waitPeers?: unknown;
  timeout?: unknown;
}

/** Said before every run, in the log and the terminal: the user asked for it, and should know what it shows. */
const EXPOSURE = "Syncing over the internet: while it runs, this device's IP address is visible to the DHT's nodes and to the devices it meets.";

export function activate(ctx: PluginContext): void {
  // The environment is read once, here.
  const env = { CAIRN_INTERNET_BOOTSTRAP: process.env.CAIRN_INTERNET_BOOTSTRAP, CAIRN_INTERNET_HOST: process.env.CAIRN_INTERNET_HOST };

  /** Syncs with every member met, and ends once `waitPeers` are done. HyperDHT loads on first use. */
  const syncPeers = async (input: SyncInternetInput, onSynced?: (synced: number, wanted: number) => void, signal?: AbortSignal): Promise<InternetPeerResult[]> => {
    const { waitPeers, timeoutMs } = checkInput(input);
    const bootstrap = bootstrapNodes(input.bootstrap, env, ctx.configuration.get('sync-internet.bootstrap'));
    const connect = (input.connect === undefined ? [] : Array.isArray(input.connect) ? input.connect : [input.connect]).map((text) => parseNode(String(text), '--connect'));
    ctx.log.warn(EXPOSURE);
    const { syncOverInternet } = await import('./internet-sync.js');
    return syncOverInternet(ctx, {
      bootstrap,
      connect,
      waitPeers,
      timeoutMs,
      ...(env.CAIRN_INTERNET_HOST ? { host: env.CAIRN_INTERNET_HOST } : {}),
      ...(signal !== undefined && { signal }),
      onSynced: (synced) => onSynced?.(synced, waitPeers),
    });
  };

  // `cairn sync internet [--bootstrap HOST:PORT]... [--wait-peers N] [--timeout S]`
  ctx.subscriptions.push(
    ctx.commands.register('sync-internet.sync', async (input: SyncInternetInput = {}) => {
      const peers = await ctx.progress('Syncing over the internet', (report) =>
        syncPeers(input ?? {}, (synced, wanted) => report({ message: `${synced} of ${wanted} device${wanted === 1 ? '' : 's'} synced`, percent: (100 * synced) / wanted })),
      );
      return { peers: peers.map(printable) };
    }),
    // `cairn archive [--bootstrap HOST:PORT]... [--host H] [--port P]`: runs until SIGTERM or SIGINT.
    ctx.commands.register('sync-internet.archive', async (input: { bootstrap?: unknown; host?: unknown; port?: unknown } = {}, events?: CliEvents) => {
      if (events === undefined) throw new CairnError(ErrorCodes.INVALID_INPUT, 'An archive runs from the command line: `cairn archive`.');
      const bootstrap = bootstrapNodes(input?.bootstrap, env, ctx.configuration.get('sync-internet.bootstrap'));
      const host = input?.host === undefined ? '0.0.0.0' : String(input.host);
      if (!isIPv4(host)) throw new CairnError(ErrorCodes.INVALID_INPUT, `--host: give an IPv4 address to listen on (got '${host}').`);
      const port = input?.port === undefined ? 0 : Number(input.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CairnError(ErrorCodes.INVALID_INPUT, `--port: give a port number, or 0 for any free one (got '${String(input?.port)}').`);
      ctx.log.warn(EXPOSURE);
      const { runArchive } = await import('./archive.js');
      return runArchive(ctx, { bootstrap, host, port, events, stopped: untilStopped(ctx) });
    }),
    // The Sync view's section: one run per click, with progress, cancellable.
    ctx.services.register(SYNC_INTERNET_SERVICE, {
      sync: (request: { connect?: unknown }, invocation: InvocationContext) =>
        syncPeers(
          { ...(typeof request?.connect === 'string' && request.connect.trim() !== '' && { connect: [request.connect.trim()] }) },
          (synced, wanted) => invocation.progress({ message: `${synced} of ${wanted} device${wanted === 1 ? '' : 's'} synced`, percent: (100 * synced) / wanted }),
          invocation.signal,
        ),
    } satisfies { [K in keyof SyncInternetService]: unknown }),
    ctx.sync.registerTransport({
      id: 'internet',
      title: 'Sync over the internet',
      async sync(request: SyncRequest): Promise<SyncPeerResult[]> {
        const options = request.options ?? {};
        const peers = await syncPeers(
          { waitPeers: options.waitPeers ?? 1, timeout: options.timeout ?? 120, ...(request.target ? { bootstrap: [request.target] } : {}) },
          undefined,
          request.signal,
        );
        return peers.map((peer) => ({
          peer: { deviceId: peer.deviceId, deviceName: peer.deviceName },
          result: peer.result,
          ...(peer.sent && peer.received ? { summary: { sent: peer.sent, received: peer.received } } : {}),
          ...(peer.error ? { error: peer.error } : {}),
        }));
      },
    }),
  );
}

/** Resolves with why, on the first SIGTERM or SIGINT, or when the plugin stops. */
function untilStopped(ctx: PluginContext): Promise<string> {
  return new Promise((resolve) => {
    const stop = (reason: string) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve(reason);
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    ctx.subscriptions.push({ dispose: () => stop('stopped') });
  });
}

/** What `cairn sync internet` prints of each device. */
function printable(peer: InternetPeerResult): Record<string, unknown> {
  const { deviceId, deviceName, result, sent, received, error } = peer;
  return { deviceId, deviceName, result, sent, received, ...(error ? { error } : {}) };
}

function checkInput(input: SyncInternetInput): { waitPeers: number; timeoutMs: number } {
  return { waitPeers: peerCountFrom(input.waitPeers), timeoutMs: timeoutMsFrom(input.timeout, 120) };
}
