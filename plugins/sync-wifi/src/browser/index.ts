import { describeSync, errorMessage, formatDateTime, h, type BrowserPluginContext, type SyncProgress } from '@cairn/sdk/browser';
import { STATE_EVENT, SYNC_WIFI_SERVICE, type SyncWifiService, type WifiDevice, type WifiPeerResult, type WifiState } from '../common/protocol.js';

const statusText: Record<WifiDevice['status'], string> = {
  connected: 'Connected',
  syncing: 'Syncing…',
  disconnected: 'Disconnected',
  incompatible: 'Incompatible version',
};

/**
 * The Sync view's "Sync over Wi-Fi": this device (name, address), a switch that runs discovery
 * while the user syncs, "Connect to address…", and the project's devices with Sync / Sync all,
 * progress and results. The status bar counts the devices in reach while discovery runs.
 */
export function activate(ctx: BrowserPluginContext): void {
  const service = ctx.services.get<SyncWifiService>(SYNC_WIFI_SERVICE);
  let state: WifiState | null = null;
  let redraw: (() => void) | null = null;
  let report: ((text: string, error: boolean) => void) | null = null;

  const peers = ctx.statusBar.createItem({ id: 'sync-wifi.peers', text: '', tooltip: 'Devices of this project in reach over Wi-Fi', alignment: 'left', priority: 20, command: 'workbench.view.workbench.sync' });
  peers.hide();
  const apply = (next: WifiState) => {
    state = next;
    const inReach = next.devices.filter((device) => device.status === 'connected' || device.status === 'syncing').length;
    peers.text = `Wi-Fi: ${inReach} device${inReach === 1 ? '' : 's'}`;
    if (next.discovering) peers.show();
    else peers.hide();
    redraw?.();
  };
  ctx.subscriptions.push(ctx.services.onEvent<WifiState>(SYNC_WIFI_SERVICE, STATE_EVENT, apply));
  const refresh = () => service.state().then(apply, (error: unknown) => report?.(errorMessage(error), true));
  // A project created, joined or renamed while the section shows: this device's name with it.
  ctx.subscriptions.push(ctx.events.onDidChangeProject(() => void refresh()));

  const summary = (results: WifiPeerResult[]) =>
    results
      .map((result) =>
        result.result === 'ok'
          ? `${result.deviceName}: ${describeSync({ received: result.received ?? { observations: 0, attachments: 0 }, sent: result.sent ?? { observations: 0, attachments: 0 } })}`
          : `${result.deviceName}: ${result.error?.message ?? 'the sync failed.'}`,
      )
      .join(' ');

  const sync = async (deviceId: string | null) => {
    try {
      const results = await service.sync(deviceId);
      if (results.length === 0) return report?.('No device of this project is in reach yet: wait for one to appear, or connect to its address.', true);
      // Said here, in the section: the workbench gives each session (done or failed) its one notification.
      report?.(summary(results), results.some((result) => result.result === 'error'));
    } catch (error) {
      report?.(errorMessage(error), true);
    }
  };

  const setDiscovering = async (on: boolean) => {
    try {
      apply(await service.setDiscovering(on));
    } catch (error) {
      report?.(errorMessage(error), true);
      ctx.notifications.error(errorMessage(error));
    }
  };

  // The palette's "Sync over Wi-Fi": look for devices (the Sync view lists them) and sync with all in reach.
  ctx.subscriptions.push(
    ctx.commands.register('sync-wifi.sync', async () => {
      await setDiscovering(true);
      ctx.notifications.info('Looking for devices of this project on the network; the Sync view lists them. Use “Sync all” there.');
    }),
  );

  // The palette's "Connect to a device by address…" opens the section's address field (from the
  // CLI, the host command takes the address).
  let openConnect: (() => void) | null = null;
  ctx.subscriptions.push(
    ctx.commands.register('sync-wifi.connect', () => {
      if (openConnect !== null) openConnect();
      else ctx.notifications.info('Open the Sync view: “Connect to address…” is in its “Sync over Wi-Fi” section.');
    }),
  );

  ctx.subscriptions.push(
    ctx.sync.addSection({
      id: 'wifi',
      title: 'Sync over Wi-Fi',
      order: 10,
      render(container) {
        const about = h(
          'p',
          {},
          'Devices of this project on the same network (Wi-Fi or a cable), no internet needed. All data goes both ways; only members of the project can take part.',
        );
        const name = h('input', { type: 'text', 'aria-label': "This device's name", maxlength: '64', spellcheck: 'false' });
        const address = h('p', { class: 'sync-wifi-address' });
        const discover = h('button', { type: 'button', role: 'switch', class: 'secondary', 'aria-checked': 'false', 'aria-label': 'Find devices on this network' }, 'Find devices');
        const syncAll = h('button', { type: 'button', class: 'primary' }, 'Sync all');
        const connectOpen = h('button', { type: 'button', class: 'secondary' }, 'Connect to address…');
        const connectField = h('input', { type: 'text', 'aria-label': 'Address of the other device', placeholder: '192.168.1.20:49737', spellcheck: 'false' });
        const connectForm = h('form', { class: 'sync-row', hidden: '' }, connectField, h('button', { type: 'submit', class: 'secondary' }, 'Connect'));
        // Inviting a device that waits to join (`cairn join` on it): coordinators only, the host says so otherwise.
        const inviteOpen = h('button', { type: 'button', class: 'secondary' }, 'Invite a device…');
        const inviteName = h('input', { type: 'text', 'aria-label': 'Name of the device waiting to join', placeholder: 'any device waiting', spellcheck: 'false' });
        const inviteAddress = h('input', { type: 'text', 'aria-label': 'Its address, where multicast is blocked', placeholder: '192.168.1.31:45113', spellcheck: 'false' });
        const inviteRole = h('select', { 'aria-label': 'Role' }, h('option', { value: 'participant' }, 'Participant'), h('option', { value: 'coordinator' }, 'Coordinator'));
        const inviteSubmit = h('button', { type: 'submit', class: 'primary' }, 'Invite');
        const inviteForm = h('form', { class: 'sync-row', hidden: '', 'aria-label': 'Invite a device' }, inviteName, inviteAddress, inviteRole, inviteSubmit);
        inviteOpen.addEventListener('click', () => {
          inviteForm.hidden = !inviteForm.hidden;
          if (!inviteForm.hidden) inviteName.focus();
        });
        inviteForm.addEventListener('submit', (event) => {
          event.preventDefault();
          inviteSubmit.disabled = true;
          report?.('Looking for the device waiting to join…', false);
          void service
            .invite({ device: inviteName.value, connect: inviteAddress.value, role: inviteRole.value })
            .then(
              (result) => {
                inviteForm.hidden = true;
                report?.(result.decision === 'accepted' ? `${result.deviceName} joined the project as ${result.role}.` : `${result.deviceName} declined the invite.`, false);
              },
              (error: unknown) => report?.(errorMessage(error), true),
            )
            .finally(() => (inviteSubmit.disabled = false));
        });
        const list = h('ul', { role: 'list', 'aria-label': 'Devices', class: 'sync-list' });
        const status = h('p', { role: 'status', class: 'sync-wifi-result' });

        report = (text, error) => {
          status.textContent = text;
          status.classList.toggle('view-error', error);
        };
        name.addEventListener('change', () => {
          void service.renameDevice(name.value).then(
            (info) => report?.(`This device is now called ${info.deviceName}.`, false),
            (error: unknown) => report?.(errorMessage(error), true),
          );
        });
        discover.addEventListener('click', () => void setDiscovering(!(state?.discovering ?? false)));
        syncAll.addEventListener('click', () => {
          syncAll.disabled = true;
          void sync(null).finally(() => redraw?.());
        });
        openConnect = () => {
          connectForm.hidden = false;
          connectField.focus();
        };
        connectOpen.addEventListener('click', () => {
          if (connectForm.hidden) openConnect?.();
          else connectForm.hidden = true;
        });
        connectForm.addEventListener('submit', (event) => {
          event.preventDefault();
          const wanted = connectField.value.trim();
          report?.(`Connecting to ${wanted}…`, false);
          void service.connect(wanted).then(
            (next) => {
              apply(next);
              connectForm.hidden = true;
              report?.(`Reached ${wanted}; its device appears in the list once it has proven it is of this project.`, false);
            },
            (error: unknown) => report?.(errorMessage(error), true),
          );
        });

        redraw = () => {
          const current = state;
          if (current === null) return;
          if (document.activeElement !== name) name.value = current.deviceName ?? '';
          name.disabled = current.deviceName === null;
          discover.setAttribute('aria-checked', String(current.discovering));
          discover.textContent = current.discovering ? 'Stop finding devices' : 'Find devices';
          address.textContent = current.discovering
            ? `This device is reachable at ${current.address}. Looking for devices…${current.codeDesk === null ? '' : ` Invite codes are answered at ${current.codeDesk}.`}`
            : 'Not looking for devices. Turn on “Find devices” while you sync.';
          const inReach = current.devices.filter((device) => device.status === 'connected');
          syncAll.disabled = inReach.length === 0;
          list.replaceChildren(
            ...current.devices.map((device) => deviceItem(device, () => void sync(device.id))),
          );
          if (current.devices.length === 0) list.append(h('li', { class: 'view-message' }, current.discovering ? 'No device found yet.' : 'No device yet.'));
        };

        container.append(
          about,
          h('label', { class: 'field' }, 'This device', name),
          address,
          h('div', { class: 'sync-row' }, discover, syncAll, connectOpen, inviteOpen),
          connectForm,
          inviteForm,
          list,
          status,
        );
        redraw();
        void refresh();
        return {
          dispose: () => {
            redraw = null;
            report = null;
            openConnect = null;
          },
        };
      },
    }),
  );
}

function deviceItem(device: WifiDevice, onSync: () => void): HTMLLIElement {
  const details = [device.deviceType, statusText[device.status], device.address || null, device.lastSynced ? `last synced ${formatDateTime(device.lastSynced)}` : 'never synced']
    .filter(Boolean)
    .join(' · ');
  const button = h('button', { type: 'button', class: 'secondary', 'aria-label': `Sync with ${device.deviceName}` }, 'Sync');
  button.disabled = device.status !== 'connected' && device.status !== 'disconnected';
  button.addEventListener('click', () => {
    button.disabled = true;
    onSync();
  });
  const item = h(
    'li',
    { class: 'sync-item', 'aria-label': device.deviceName, 'data-status': device.status },
    h('div', { class: 'sync-item-head' }, h('strong', {}, device.deviceName), device.status === 'incompatible' ? null : button),
    h('div', { class: 'sync-item-meta' }, details),
  );
  if (device.status === 'syncing' && device.progress !== null) item.append(progressBar(device.progress, device.deviceName));
  if (device.error !== null) item.append(h('div', { class: 'view-error' }, device.error.message));
  else if (device.result !== null && device.status !== 'syncing') {
    const moved = describeSync(device.result);
    item.append(h('div', { class: 'sync-item-meta' }, moved.charAt(0).toUpperCase() + moved.slice(1)));
  }
  return item;
}

function progressBar(progress: SyncProgress, deviceName: string): HTMLProgressElement {
  const want = progress.documents.want + progress.attachments.want;
  const have = progress.documents.have + progress.attachments.have;
  const bar = h('progress', { max: '100', 'aria-label': `Syncing with ${deviceName}` });
  bar.value = have + want === 0 ? 100 : (100 * have) / (have + want);
  return bar;
}
