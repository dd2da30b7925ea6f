import { errorMessage, formatDateTime, h, type BrowserPluginContext } from '@cairn/sdk/browser';
import {
  COMAPEO_SERVICE,
  COMAPEO_STATE_EVENT,
  type ComapeoService,
  type ComapeoSyncResult,
  type ComapeoWorkbenchState,
  type InvitedRole,
  type PendingInvite,
} from '../common/protocol.js';

type Device = ComapeoWorkbenchState['devices'][number];

/**
 * The Sync view's "CoMapeo phones": a switch that makes this device visible to the CoMapeo devices
 * on the network (and starts CoMapeo's side, which costs nothing until then), the linked project
 * and this device's role, invites to accept or decline, the devices in reach with Invite (for a
 * coordinator) and Sync, Sync all, "Connect to address…", and each sync's result.
 */
export function activate(ctx: BrowserPluginContext): void {
  const service = ctx.services.get<ComapeoService>(COMAPEO_SERVICE);
  let state: ComapeoWorkbenchState | null = null;
  let redraw: (() => void) | null = null;
  let report: ((text: string, error: boolean) => void) | null = null;

  const apply = (next: ComapeoWorkbenchState) => {
    state = next;
    redraw?.();
  };
  ctx.subscriptions.push(ctx.services.onEvent<ComapeoWorkbenchState>(COMAPEO_SERVICE, COMAPEO_STATE_EVENT, apply));
  const run = async (work: () => Promise<ComapeoWorkbenchState | void>, done?: string) => {
    try {
      const next = await work();
      if (next) apply(next);
      if (done) report?.(done, false);
    } catch (error) {
      report?.(errorMessage(error), true);
    }
  };
  // The plugin's host side starts with the Sync view: until then the service may not be there yet.
  const refresh = () => run(() => service.state());
  ctx.subscriptions.push(ctx.events.onDidChangePlugins(() => void refresh()), ctx.events.onDidChangeProject(() => void refresh()));

  const sync = (deviceId: string | null) =>
    run(async () => {
      report?.('Syncing with the CoMapeo devices in reach…', false);
      report?.(describe(await service.sync(deviceId)), false);
    });

  ctx.subscriptions.push(
    ctx.sync.addSection({
      id: 'comapeo',
      title: 'CoMapeo phones',
      order: 20,
      render(container) {
        const about = h(
          'p',
          {},
          'Sync with the CoMapeo phones of your team on the same network: their observations, photos, audio and categories come into this project, and this project’s go to them. A coordinator invites this device as they invite a phone.',
        );
        const running = h('button', { type: 'button', role: 'switch', class: 'secondary', 'aria-checked': 'false', 'aria-label': 'Visible to CoMapeo devices' }, 'Find CoMapeo devices');
        const create = h('button', { type: 'button', class: 'secondary' }, 'Create a CoMapeo project');
        const syncAll = h('button', { type: 'button', class: 'primary' }, 'Sync all');
        const connectOpen = h('button', { type: 'button', class: 'secondary' }, 'Connect to address…');
        const connectField = h('input', { type: 'text', 'aria-label': 'Address of the CoMapeo device', placeholder: '192.168.1.20:42311', spellcheck: 'false' });
        const connectForm = h('form', { class: 'sync-row', hidden: '' }, connectField, h('button', { type: 'submit', class: 'secondary' }, 'Connect'));
        const project = h('p', { class: 'comapeo-project' });
        const invites = h('ul', { role: 'list', 'aria-label': 'Invites', class: 'sync-list' });
        const devices = h('ul', { role: 'list', 'aria-label': 'CoMapeo devices', class: 'sync-list' });
        const members = h('ul', { role: 'list', 'aria-label': 'Members', class: 'sync-list' });
        const membersBox = h('div', {}, h('h3', {}, 'Members'), members);
        const status = h('p', { role: 'status', class: 'comapeo-result' });

        report = (text, error) => {
          status.textContent = text;
          status.classList.toggle('view-error', error);
        };
        running.addEventListener('click', () => {
          const on = !(state?.running ?? false);
          if (on) report?.('Starting CoMapeo…', false);
          void run(() => service.setRunning(on), on ? 'This device is visible to the CoMapeo devices on this network.' : '');
        });
        create.addEventListener('click', () => void run(() => service.create(null), 'Created a CoMapeo project for this project: invite the phones of your team.'));
        syncAll.addEventListener('click', () => void sync(null));
        connectOpen.addEventListener('click', () => {
          connectForm.hidden = !connectForm.hidden;
          if (!connectForm.hidden) connectField.focus();
        });
        connectForm.addEventListener('submit', (event) => {
          event.preventDefault();
          const wanted = connectField.value.trim();
          void run(async () => {
            const next = await service.connect(wanted);
            connectForm.hidden = true;
            return next;
          }, `Reached ${wanted}; the device appears in the list once it answers.`);
        });

        const answer = (invite: PendingInvite, accept: boolean) =>
          void run(() => service.answerInvite(invite.inviteId, accept), accept ? `Joined ${invite.projectName ?? 'the project'}.` : 'Invite declined.');
        const invite = (device: Device, role: InvitedRole) =>
          void run(async () => {
            report?.(`Inviting ${device.deviceName ?? 'the device'}; it has to accept on its screen…`, false);
            const result = await service.invite(device.deviceId, role);
            report?.(
              { accept: `${result.deviceName ?? 'The device'} joined as ${result.role}.`, reject: `${result.deviceName ?? 'The device'} declined the invite.`, already: `${result.deviceName ?? 'The device'} is a member already.` }[result.decision],
              result.decision === 'reject',
            );
            return service.state();
          });

        redraw = () => {
          const current = state;
          if (current === null) return;
          const linked = current.project !== null;
          const details = current.project !== null && 'role' in current.project ? current.project : null;
          running.setAttribute('aria-checked', String(current.running));
          running.textContent = current.running ? 'Stop finding CoMapeo devices' : 'Find CoMapeo devices';
          create.hidden = linked || !current.hasCairnProject;
          syncAll.hidden = !linked;
          syncAll.disabled = current.syncing || !current.running || !current.devices.some((device) => device.connected && isMember(device));
          project.textContent = !linked
            ? `This device (${current.deviceName ?? 'unnamed'}) is in no CoMapeo project: a coordinator can invite it while it is visible, or create one for this project.`
            : details === null
              ? 'This project is linked with a CoMapeo project. Find CoMapeo devices to see its members.'
              : `${details.projectName ?? 'The CoMapeo project'}: this device (${current.deviceName ?? 'unnamed'}) is a ${details.role}; ${details.members.length} member${details.members.length === 1 ? '' : 's'}.`;
          if (current.running && current.address !== null) project.append(` Reachable at ${current.address}.`);

          invites.hidden = current.invites.length === 0;
          invites.replaceChildren(
            ...current.invites.map((pending) => {
              const accept = h('button', { type: 'button', class: 'primary', 'aria-label': `Accept the invite to ${pending.projectName ?? 'a project'}` }, 'Accept');
              const decline = h('button', { type: 'button', class: 'secondary', 'aria-label': `Decline the invite to ${pending.projectName ?? 'a project'}` }, 'Decline');
              accept.addEventListener('click', () => answer(pending, true));
              decline.addEventListener('click', () => answer(pending, false));
              return h(
                'li',
                { class: 'sync-item', 'aria-label': `Invite to ${pending.projectName ?? 'a project'}` },
                h('div', { class: 'sync-item-head' }, h('strong', {}, `Invite to ${pending.projectName ?? 'a project'}`), accept, decline),
                h('div', { class: 'sync-item-meta' }, `from ${pending.invitedBy ?? 'a coordinator'}`),
              );
            }),
          );

          const coordinator = details?.role === 'coordinator';
          devices.hidden = !current.running;
          devices.replaceChildren(...current.devices.map((device) => deviceItem(device, { coordinator, syncing: current.syncing, onSync: () => void sync(device.deviceId), onInvite: (role) => invite(device, role) })));
          if (current.running && current.devices.length === 0) devices.append(h('li', { class: 'view-message' }, 'No CoMapeo device in reach yet: open CoMapeo on a phone on this network.'));
          // Every member of the project, in reach or not, with its role.
          membersBox.hidden = details === null;
          members.replaceChildren(
            ...(details?.members ?? []).map((member) =>
              h(
                'li',
                { class: 'sync-item', 'aria-label': member.name ?? member.deviceId },
                h('div', { class: 'sync-item-head' }, h('strong', {}, member.name ?? 'Unnamed device')),
                h('div', { class: 'sync-item-meta' }, [member.deviceType, member.role, member.deviceId === current.deviceId ? 'this device' : null].filter(Boolean).join(' · ')),
              ),
            ),
          );
          if (current.lastSync?.error && status.textContent === '') report?.(current.lastSync.error.message, true);
        };

        container.append(about, h('div', { class: 'sync-row' }, running, syncAll, create, connectOpen), connectForm, project, invites, devices, membersBox, status);
        redraw();
        void refresh();
        return {
          dispose: () => {
            redraw = null;
            report = null;
          },
        };
      },
    }),
  );
}

const isMember = (device: Device) => device.role === 'coordinator' || device.role === 'participant';

function deviceItem(device: Device, actions: { coordinator: boolean; syncing: boolean; onSync(): void; onInvite(role: InvitedRole): void }): HTMLLIElement {
  const name = device.deviceName ?? 'A CoMapeo device';
  const details = [
    device.deviceType,
    device.connected ? 'in reach' : 'gone',
    isMember(device) ? device.role : 'not a member',
    isMember(device) ? (device.lastSynced ? `last synced ${formatDateTime(device.lastSynced)}` : 'never synced') : null,
  ]
    .filter(Boolean)
    .join(' · ');
  const head = h('div', { class: 'sync-item-head' }, h('strong', {}, name));
  if (isMember(device)) {
    const button = h('button', { type: 'button', class: 'secondary', 'aria-label': `Sync with ${name}` }, 'Sync');
    button.disabled = actions.syncing || !device.connected;
    button.addEventListener('click', () => {
      button.disabled = true;
      actions.onSync();
    });
    head.append(button);
  } else if (actions.coordinator && device.connected && device.role === null) {
    const role = h('select', { 'aria-label': `Role for ${name}` }, h('option', { value: 'participant' }, 'Participant'), h('option', { value: 'coordinator' }, 'Coordinator'));
    const button = h('button', { type: 'button', class: 'secondary', 'aria-label': `Invite ${name}` }, 'Invite');
    button.addEventListener('click', () => {
      button.disabled = true;
      actions.onInvite(role.value as InvitedRole);
    });
    head.append(role, button);
  }
  return h('li', { class: 'sync-item', 'aria-label': name }, head, h('div', { class: 'sync-item-meta' }, details));
}

function describe(result: ComapeoSyncResult): string {
  const names = result.peers.map((peer) => peer.deviceName ?? 'a device').join(', ');
  const counts = (what: ComapeoSyncResult['received']) =>
    `${what.observations} observation${what.observations === 1 ? '' : 's'}, ${what.attachments} attachment${what.attachments === 1 ? '' : 's'}, ${what.categories} categor${what.categories === 1 ? 'y' : 'ies'}`;
  return `Synced with ${names || 'no device'}: received ${counts(result.received)}; sent ${counts(result.sent)}.`;
}
