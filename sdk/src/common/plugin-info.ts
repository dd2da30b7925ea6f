/**
 * - `disabled`: turned off by the user (installed plugins start here).
 * - `inactive`: enabled, waiting for one of its activation events.
 * - `activating` / `active`: loading / running.
 * - `failed`: could not be loaded or activated; `error` says why. The other plugins keep working.
 */
export type PluginState = 'disabled' | 'inactive' | 'activating' | 'active' | 'failed';

/** Where a plugin was found. */
export type PluginSource = 'builtin' | 'installed' | 'development';

/** What `cairn plugins list` prints for each plugin. */
export interface PluginInfo {
  id: string;
  version: string;
  displayName: string;
  enabled: boolean;
  state: PluginState;
  builtin: boolean;
  source: PluginSource;
  /** Why the plugin is `failed`, or null. */
  error: string | null;
  /** Folder of the plugin package. */
  path: string;
  /** How long the last activation took, in milliseconds, once activated. */
  activationMs: number | null;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  time: string;
  level: LogLevel;
  /** `core`, or the id of the plugin that logged. */
  source: string;
  message: string;
}
