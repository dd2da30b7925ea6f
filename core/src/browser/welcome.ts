import { errorMessage, type JoinResult } from '@cairn/sdk/browser';
import { WorkbenchRpc, type ProjectSummary } from '../common/workbench-protocol.js';
import { h, uid } from './dom.js';
import type { HostClient } from './rpc-client.js';

interface WelcomeServices {
  client: HostClient;
  notify(level: 'info' | 'warn' | 'error', message: string): void;
  /** Loads the sample project, with progress (the palette's "Load Sample Data" does the same). */
  loadSampleData(): Promise<void>;
}

/** Observations in the sample project. */
export const SAMPLE_SIZE = 2000;

/** First run: create a project, join one by invite code or with its key, or load sample data to look around. */
export function renderWelcome(container: HTMLElement, services: WelcomeServices): void {
  const { client } = services;
  const field = (label: string, input: HTMLInputElement) => {
    input.id = uid('welcome-field');
    return h('div', { class: 'field' }, h('label', { for: input.id }, label), input);
  };
  const form = (
    title: string,
    description: string,
    fields: HTMLElement[],
    action: string,
    submit: () => Promise<unknown>,
  ) => {
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const button = h('button', { type: 'submit', class: 'primary' }, action);
    const element = h('form', { class: 'welcome-card', 'aria-label': title }, h('h2', {}, title), h('p', {}, description), ...fields, error, button);
    element.addEventListener('submit', (event) => {
      event.preventDefault();
      error.hidden = true;
      button.disabled = true;
      void submit()
        .catch((failure: unknown) => {
          error.textContent = errorMessage(failure);
          error.hidden = false;
        })
        .finally(() => (button.disabled = false));
    });
    return element;
  };

  const name = h('input', { type: 'text', required: true, placeholder: 'e.g. River survey 2026', autocomplete: 'off' });
  const deviceName = h('input', { type: 'text', placeholder: "This computer's name", autocomplete: 'off' });
  const key = h('input', { type: 'text', required: true, placeholder: '64 hexadecimal characters', autocomplete: 'off', spellcheck: 'false' });
  const joinDeviceName = h('input', { type: 'text', placeholder: "This computer's name", autocomplete: 'off' });
  const code = h('input', { type: 'text', required: true, placeholder: 'e.g. 7K3Q-9XWD-M2RA-E5TB', autocomplete: 'off', spellcheck: 'false' });
  const codeDeviceName = h('input', { type: 'text', placeholder: "This computer's name", autocomplete: 'off' });
  const codeAddress = h('input', { type: 'text', placeholder: 'e.g. 192.168.1.31:45113', autocomplete: 'off', spellcheck: 'false' });
  const device = (input: HTMLInputElement) => (input.value.trim() ? { deviceName: input.value.trim() } : {});

  container.append(
    h(
      'div',
      { class: 'welcome' },
      h('h1', {}, 'Welcome to Cairn'),
      h('p', { class: 'welcome-lead' }, 'Collect, map and share field observations — and sync them between devices with no internet, over Wi-Fi or with a file.'),
      h(
        'div',
        { class: 'welcome-cards' },
        form('Create a project', 'Start a new project on this device. Share its key with the people you collect with.', [field('Project name', name), field('Device name', deviceName)], 'Create project', () =>
          client.request(WorkbenchRpc.createProject, { name: name.value, ...device(deviceName) }),
        ),
        form(
          'Join by invite',
          "Type the invite code a coordinator sent you. Their device must be syncing over Wi-Fi on this network (“Find devices” on in its Sync view); joining waits up to two minutes for it.",
          [field('Invite code', code), field('Device name', codeDeviceName), field("Coordinator's address (only where the network blocks discovery)", codeAddress)],
          'Join',
          async () => {
            const joined = await client.request<JoinResult>(WorkbenchRpc.joinByCode, { code: code.value, ...device(codeDeviceName), ...(codeAddress.value.trim() && { connect: codeAddress.value.trim() }) });
            // Its name and data come with the first sync: say what was joined until then.
            services.notify('info', `You joined ${joined.projectName ?? 'the project'} as ${joined.role}, invited by ${joined.invitedBy}. Sync with a member (the Sync view) to receive its data.`);
          },
        ),
        form('Join a project', 'Paste the project key a member gave you, then sync to receive its data.', [field('Project key', key), field('Device name', joinDeviceName)], 'Join project', () =>
          client.request(WorkbenchRpc.joinProject, { projectKey: key.value, ...device(joinDeviceName) }),
        ),
        form('Explore with sample data', `Load ${SAMPLE_SIZE.toLocaleString()} observations from six months of field work, in ten categories, into a sample project, to see the workbench at work.`, [], 'Load sample data', () =>
          services.loadSampleData(),
        ),
      ),
    ),
  );
}

/** With a project open and no editor: what it is, and where to go from here. */
export function renderHome(container: HTMLElement, project: ProjectSummary, openPalette: () => void): void {
  const { info, observations } = project;
  const keyField = h('code', { class: 'project-key' }, info.projectKey);
  const copy = h('button', { class: 'secondary', 'aria-label': 'Copy the project key' }, 'Copy key');
  copy.addEventListener('click', () => void navigator.clipboard?.writeText(info.projectKey).then(() => (copy.textContent = 'Copied')));
  const palette = h('button', { class: 'link-button' }, 'command palette');
  palette.addEventListener('click', openPalette);
  container.append(
    h(
      'div',
      { class: 'home' },
      h('h1', {}, info.projectName ?? 'Unnamed project'),
      h(
        'dl',
        { class: 'home-facts' },
        h('dt', {}, 'Observations'),
        h('dd', {}, observations.toLocaleString()),
        h('dt', {}, 'This device'),
        h('dd', {}, info.deviceName),
        h('dt', {}, 'Project key'),
        h('dd', {}, keyField, ' ', copy),
      ),
      h('p', { class: 'home-hint' }, 'Anyone with the project key can join it and sync all of its data: share it only with your team. Open the ', palette, ' (F1) to see everything you can do.'),
    ),
  );
}
