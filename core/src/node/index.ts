export { CairnHost, defaultBuiltinPluginsDir, type HostOptions } from './host.js';
export type { HostConfig } from './host-config.js';
export { runCli, ExitCode, type CliOptions, type CliStreams } from './cli/main.js';
export { PluginHost, type KnownPlugin } from './plugins/plugin-host.js';
export { CommandService, type CommandInfo } from './commands/command-service.js';
export { LogService } from './log-service.js';
export { defaultDataDir } from './paths.js';
export { hostSocketFor, type HostSocket } from './cli/host-socket.js';
export { hostProtocolVersion, type HostRequest, type HostReply } from './cli/host-protocol.js';
