import { inject, injectable } from '@cairn/sdk/inversify';
import { CairnError, ErrorCodes, type CommandContribution, type CommandsApi } from '@cairn/sdk';
import { PluginHost } from '../plugins/plugin-host.js';
import { CommandService } from './command-service.js';

/** The shell's own commands, for the command palette and `cairn run`. */
@injectable()
export class PluginCommands implements CommandContribution {
  constructor(
    @inject(PluginHost) private readonly plugins: PluginHost,
    @inject(CommandService) private readonly commandService: CommandService,
  ) {}

  registerCommands(commands: CommandsApi): void {
    commands.register('cairn.plugins.list', () => this.plugins.list());
    commands.register('cairn.plugins.enable', (id: unknown) => this.plugins.enable(requireString(id, 'plugin id')));
    commands.register('cairn.plugins.disable', (id: unknown) => this.plugins.disable(requireString(id, 'plugin id')));
    commands.register('cairn.plugins.install', (path: unknown) => this.plugins.install(requireString(path, 'folder path')));
    commands.register('cairn.commands.list', () => this.commandService.list());
  }
}

function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `Expected the ${what} as a JSON string, e.g. '"sync-file"'; got ${JSON.stringify(value) ?? 'nothing'}.`);
  }
  return value;
}
