import type { DisposableStore, Logger, PluginContext } from '@cairn/sdk';

export interface PluginContextOptions {
  id: string;
  version: string;
  pluginPath: string;
  storagePath: string;
  log: Logger;
  /**
   * Receives everything the plugin registers through the context, so that disabling the plugin
   * withdraws its commands and listeners even if it forgot to add them to `subscriptions`.
   */
  registrations: DisposableStore;
}

/**
 * Makes plugin contexts. A token of its own (rather than the class) keeps the plugin host free
 * of an import cycle: the context is made of services that themselves consult the plugin host.
 */
export const PluginContextFactory = Symbol.for('cairn.core.PluginContextFactory');
export interface PluginContextFactory {
  create(options: PluginContextOptions): PluginContext;
}
