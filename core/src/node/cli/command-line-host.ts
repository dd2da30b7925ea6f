import type { HostConfig } from '../host-config.js';
import type { LogService } from '../log-service.js';
import type { PluginHost } from '../plugins/plugin-host.js';
import type { ProgressService } from '../progress-service.js';
import type { CliRegistry } from './cli-registry.js';

/**
 * What running a command line needs of a host: the one `cairn` makes for it, or one that stays
 * open and takes command lines from elsewhere (a workbench's, a test's). `CairnHost` is one, and
 * the root container binds one for the services that run command lines for others (`cairn serve`).
 */
export const CommandLineHost = Symbol.for('cairn.core.CommandLineHost');
export interface CommandLineHost {
  readonly config: Pick<HostConfig, 'dataDir'>;
  readonly logs: LogService;
  readonly progress: ProgressService;
  readonly cli: CliRegistry;
  readonly plugins: PluginHost;
}
