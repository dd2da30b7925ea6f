import type { ContainerModule } from '@cairn/sdk/inversify';

/** How a host is set up; bound as a constant in the root container. */
export interface HostConfig {
  /** The data dir: one project, its plugins' state and the installed plugins. */
  dataDir: string;
  /** Folder holding the built-in plugins (one package per subfolder). */
  builtinPluginsDir: string | null;
  /** Plugin folders loaded enabled, for plugin development and tests. */
  developmentPlugins: string[];
  /** Bound on a plugin's `activate`, in milliseconds. */
  activationTimeoutMs: number;
  /** Bound on a plugin's `deactivate` plus the disposal of its subscriptions, in milliseconds. */
  deactivationTimeoutMs: number;
  /** Activation slower than this is logged as a warning. */
  activationWarningMs: number;
  /** Extra modules for the root container (later layers of the host add theirs here). */
  modules: ContainerModule[];
}

export const HostConfig = Symbol.for('cairn.core.HostConfig');
