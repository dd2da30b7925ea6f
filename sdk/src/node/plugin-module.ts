import type { ContainerModule } from './inversify.js';
import type { PluginContext } from './context.js';

/**
 * The shape of a plugin's host entry (`cairn.main`), an ES module. Every export is optional,
 * but a plugin without `activate` or `containerModule` does nothing on the host.
 */
export interface PluginModule {
  /** Called once per activation. May return a promise; the host waits for it (bounded). */
  activate?(ctx: PluginContext): void | Promise<unknown>;
  /** Called when the plugin is disabled or the host shuts down, before `ctx.subscriptions` are disposed. */
  deactivate?(): void | Promise<void>;
  /**
   * Bindings loaded into the plugin's own child container before `activate`. Use
   * {@link bindContribution} to contribute to extension points; inject {@link PluginContext}
   * to reach the host API.
   */
  containerModule?: ContainerModule;
}
