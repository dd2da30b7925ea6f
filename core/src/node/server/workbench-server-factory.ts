import type { WorkbenchServer } from './workbench-server.js';

/**
 * Makes browser mode's servers, each to `listen` once. The server's code (a web server, the RPC)
 * loads with the first one made, not with every `cairn` command.
 */
export const WorkbenchServerFactory = Symbol.for('cairn.core.WorkbenchServerFactory');
export type WorkbenchServerFactory = () => Promise<WorkbenchServer>;
