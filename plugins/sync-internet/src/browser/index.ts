import { describeSync, ErrorCodes, errorMessage, h, isCairnError, type BrowserPluginContext } from '@cairn/sdk/browser';
import { SYNC_INTERNET_SERVICE, type InternetPeerResult, type SyncInternetService } from '../common/protocol.js';

/**
 * The Sync view's "Sync over the internet": what it shows of this device, said before anything
 * runs; an archive's address for networks where the DHT is blocked; one run per click, with
 * progress, and what moved with whom.
 */
export function activate(ctx: BrowserPluginContext): void {
  const service = ctx.services.get<SyncInternetService>(SYNC_INTERNET_SERVICE);

  ctx.subscriptions.push(
    ctx.sync.addSection({
      id: 'internet',
      title: 'Sync over the internet',
      order: 40,
      render(container) {
        const about = h(
          'p',
          {},
          'Meet this project’s devices anywhere on the internet, through home routers, with no server to run — or the project’s archive. ' +
            'Nothing runs until you sync, and it stops when the sync is done.',
        );
        const exposure = h('p', { class: 'sync-internet-exposure' }, 'While it runs, this device’s IP address is visible to the DHT’s nodes and to the devices it meets.');
        const address = h('input', { type: 'text', 'aria-label': 'Archive address, where the network blocks the DHT', placeholder: 'Archive address (optional), e.g. 203.0.113.7:49737', spellcheck: 'false' });
        const button = h('button', { type: 'button', class: 'primary' }, 'Sync over the internet');
        const status = h('p', { role: 'status', class: 'sync-internet-result' });
        const report = (text: string, error: boolean) => {
          status.textContent = text;
          status.classList.toggle('view-error', error);
        };
        button.addEventListener('click', () => {
          button.disabled = true;
          report('Looking for the project’s devices…', false);
          void ctx
            .withProgress('Syncing over the internet', (progress, signal) => service.sync({ connect: address.value.trim() }, { signal, onProgress: progress }))
            .then((peers: InternetPeerResult[]) => report(peers.map((peer) => `${peer.deviceName}: ${peer.sent && peer.received ? describeSync({ sent: peer.sent, received: peer.received }) : (peer.error?.message ?? '')}`).join(' '), false))
            .catch((error: unknown) => report(isCairnError(error, ErrorCodes.CANCELLED) ? 'Stopped.' : errorMessage(error), !isCairnError(error, ErrorCodes.CANCELLED)))
            .finally(() => (button.disabled = false));
        });
        container.append(about, exposure, address, button, status);
        return { dispose: () => undefined };
      },
    }),
  );
}
