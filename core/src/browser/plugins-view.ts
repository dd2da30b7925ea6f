import { errorMessage, toDisposable, type Disposable, type Event, type PluginInfo } from '@cairn/sdk/browser';
import { clear, h } from './dom.js';

interface PluginsViewServices {
  plugins(): PluginInfo[];
  onDidChange: Event<PluginInfo[]>;
  enable(id: string): Promise<unknown>;
  disable(id: string): Promise<unknown>;
  notify(level: 'info' | 'warn' | 'error', message: string): void;
}

/** Every plugin with its state, why it failed, and a switch to enable or disable it at once. */
export function renderPluginsView(container: HTMLElement, services: PluginsViewServices): Disposable {
  const list = h('ul', { class: 'plugin-list', role: 'list', 'aria-label': 'Plugins' });
  container.append(list);
  const render = (plugins: PluginInfo[]) => {
    clear(list);
    if (plugins.length === 0) list.append(h('li', { class: 'view-message' }, 'No plugins are installed.'));
    for (const plugin of plugins) {
      const toggle = h('button', { class: 'secondary', 'aria-label': `${plugin.enabled ? 'Disable' : 'Enable'} ${plugin.displayName}` }, plugin.enabled ? 'Disable' : 'Enable');
      toggle.addEventListener('click', () => {
        toggle.disabled = true;
        void (plugin.enabled ? services.disable(plugin.id) : services.enable(plugin.id))
          .catch((error: unknown) => services.notify('error', errorMessage(error)))
          .finally(() => (toggle.disabled = false));
      });
      list.append(
        h(
          'li',
          { class: `plugin plugin-${plugin.state}`, dataset: { plugin: plugin.id } },
          h('div', { class: 'plugin-header' }, h('span', { class: 'plugin-name' }, plugin.displayName), h('span', { class: 'plugin-state' }, plugin.state), toggle),
          h('div', { class: 'plugin-meta' }, `${plugin.id} ${plugin.version} · ${plugin.source}`),
          plugin.error ? h('p', { class: 'plugin-error', role: 'note' }, plugin.error) : null,
        ),
      );
    }
  };
  render(services.plugins());
  const subscription = services.onDidChange(render);
  return toDisposable(() => {
    subscription.dispose();
    clear(container);
  });
}
