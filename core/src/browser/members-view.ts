import { errorMessage, toDisposable, type Disposable, type Event, type Member } from '@cairn/sdk/browser';
import type { InviteCodeView, MemberAction } from '../common/workbench-protocol.js';
import { clear, h } from './dom.js';
import { confirmDialog } from './modal.js';

interface MembersViewServices {
  list(): Promise<Member[]>;
  act(action: MemberAction): Promise<unknown>;
  /** A one-time invite code (coordinators), with its QR code. */
  makeCode(role: string, expiresHours: number): Promise<InviteCodeView>;
  /** Fires when the project's members or devices may have changed. */
  onDidChange: Event<void>;
  notify(level: 'info' | 'success' | 'warn' | 'error', message: string): void;
  /** Shows the Sync view, where each way of reaching devices offers its own invite. */
  showSync(): void;
  /** Where confirmation dialogs go. */
  dialogHost: HTMLElement;
}

/**
 * The Members view: every device of the project with its role and status, as `cairn members`
 * lists them; a coordinator admits, promotes, demotes and removes devices from here, and any
 * member can leave. What the host refuses (the last coordinator leaving, say) is shown as it says.
 */
export function renderMembersView(container: HTMLElement, services: MembersViewServices): Disposable {
  const region = h('div', { class: 'members-view', role: 'region', 'aria-label': 'Members' });
  const list = h('ul', { class: 'member-list', role: 'list', 'aria-label': 'Members of the project' });
  // Invites travel by a transport (the local network, …): each offers its own in the Sync view.
  const invite = h('button', { type: 'button', class: 'secondary', hidden: '' }, 'Invite a device…');
  invite.addEventListener('click', () => services.showSync());
  // A device elsewhere joins with a code: made here, sent by any means, answered while this device syncs.
  const byCode = h('button', { type: 'button', class: 'secondary', hidden: '' }, 'Invite by code…');
  const codePanel = renderCodePanel(services);
  byCode.addEventListener('click', () => {
    codePanel.hidden = !codePanel.hidden;
  });
  region.append(h('div', { class: 'member-actions' }, invite, byCode), codePanel, list);
  container.append(region);
  let disposed = false;

  const run = async (action: MemberAction, done: string) => {
    try {
      await services.act(action);
      services.notify('success', done);
    } catch (error) {
      services.notify('error', errorMessage(error));
    }
    await refresh();
  };

  const button = (label: string, title: string, onClick: () => void, danger = false) => {
    const element = h('button', { type: 'button', class: danger ? 'secondary danger' : 'secondary', 'aria-label': title }, label);
    element.addEventListener('click', onClick);
    return element;
  };

  const render = (members: Member[]) => {
    clear(list);
    const self = members.find((member) => member.self);
    const coordinating = self?.role === 'coordinator' && self.status === 'active';
    invite.hidden = !coordinating;
    byCode.hidden = !coordinating;
    if (!coordinating) codePanel.hidden = true;
    for (const member of members) {
      const actions: HTMLElement[] = [];
      const name = member.deviceName;
      if (coordinating && !member.self && member.status === 'asking') {
        actions.push(button('Admit', `Admit ${name}`, () => void run({ action: 'admit', deviceId: member.deviceId }, `${name} is a member now.`)));
      }
      if (coordinating && !member.self && member.status === 'active') {
        const other = member.role === 'coordinator' ? 'participant' : 'coordinator';
        actions.push(button(`Make ${other}`, `Make ${name} ${other}`, () => void run({ action: 'role', deviceId: member.deviceId, role: other }, `${name} is a ${other} now.`)));
        actions.push(
          button('Remove…', `Remove ${name}`, () => {
            void confirmDialog(services.dialogHost, {
              title: `Remove ${name}?`,
              message: `${name} will no longer sync with any member, and what it writes from now on is ignored. New data is sealed with a key it never gets. This cannot be undone.`,
              confirm: 'Remove',
              danger: true,
            }).then((yes) => {
              if (yes) void run({ action: 'remove', deviceId: member.deviceId }, `${name} was removed from the project.`);
            });
          }, true),
        );
      }
      if (member.self && member.status === 'active') {
        actions.push(
          button('Leave…', 'Leave the project', () => {
            void confirmDialog(services.dialogHost, {
              title: 'Leave the project?',
              message: 'This device will no longer sync with the project’s members. What it holds stays on this device.',
              confirm: 'Leave',
              danger: true,
            }).then((yes) => {
              if (yes) void run({ action: 'leave' }, 'This device has left the project.');
            });
          }, true),
        );
      }
      list.append(
        h(
          'li',
          { class: `member member-${member.status}`, dataset: { device: member.deviceId } },
          h('div', { class: 'member-header' }, h('span', { class: 'member-name' }, member.self ? `${name} (this device)` : name), h('span', { class: 'member-role' }, member.role)),
          h('div', { class: 'member-meta' }, `${member.status} · ${member.deviceType} · ${member.deviceId.slice(0, 8)}`),
          actions.length > 0 ? h('div', { class: 'member-actions' }, ...actions) : null,
        ),
      );
    }
  };

  const refresh = async () => {
    try {
      const members = await services.list();
      if (!disposed) render(members);
    } catch (error) {
      if (disposed) return;
      clear(list);
      list.append(h('li', { class: 'view-message' }, errorMessage(error)));
    }
  };
  void refresh();
  const subscription = services.onDidChange(() => void refresh());
  return toDisposable(() => {
    disposed = true;
    subscription.dispose();
    clear(container);
  });
}

/** Makes an invite code with a role and a lifetime, and shows it as text and as a QR code. */
function renderCodePanel(services: MembersViewServices): HTMLElement {
  const role = h('select', { 'aria-label': 'Role of the device that joins' }, h('option', { value: 'participant' }, 'Participant'), h('option', { value: 'coordinator' }, 'Coordinator'));
  const hours = h('input', { type: 'number', min: '1', max: '8784', step: '1', value: '24', 'aria-label': 'Hours the code stays valid' });
  const make = h('button', { type: 'submit', class: 'primary' }, 'Make code');
  const result = h('div', { class: 'invite-code', role: 'status', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'invite-code-form', 'aria-label': 'Invite by code' },
    h('label', {}, 'Joins as ', role),
    h('label', {}, 'Valid for ', hours, ' hours'),
    make,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    make.disabled = true;
    services
      .makeCode(role.value, Number(hours.value))
      .then((made) => {
        clear(result);
        const copy = h('button', { type: 'button', class: 'secondary', 'aria-label': 'Copy the invite code' }, 'Copy');
        copy.addEventListener('click', () => void navigator.clipboard?.writeText(made.code).then(() => (copy.textContent = 'Copied')));
        result.append(
          h('code', { class: 'invite-code-text', 'aria-label': 'Invite code' }, made.code),
          copy,
          h('img', { class: 'invite-code-qr', alt: `QR code of the invite code ${made.code}`, src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(made.qr)}` }),
          h(
            'p',
            { class: 'view-message' },
            `For one device, as ${made.role}, until ${new Date(made.expiresAt).toLocaleString()}. On it, choose "Join by invite" (or run cairn init --join-code ${made.code}) while this device syncs over Wi-Fi (“Find devices” in the Sync view).`,
          ),
        );
      })
      .catch((error: unknown) => services.notify('error', errorMessage(error)))
      .finally(() => (make.disabled = false));
  });
  return h('div', { class: 'invite-code-panel', hidden: '' }, form, result);
}
