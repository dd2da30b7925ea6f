import { inject, injectable, type Container } from '@cairn/sdk/inversify';
import { errorMessage, type CliEvents, type Logger } from '@cairn/sdk';
import { CommandService } from '../commands/command-service.js';
import { resolveContributors, RootContainer } from '../di/contributions.js';
import { LogService } from '../log-service.js';
import { PluginHost } from '../plugins/plugin-host.js';
import { CliContribution, type CliCommand } from './cli-command.js';

/**
 * All `cairn` subcommands: the core's, then those declared by plugins. A plugin command whose
 * plugin is disabled or failed stays known (hidden from help) so that calling it explains why
 * it cannot run and how to fix that.
 */
@injectable()
export class CliRegistry {
  private readonly log: Logger;

  constructor(
    @inject(RootContainer) private readonly root: Container,
    @inject(PluginHost) private readonly plugins: PluginHost,
    @inject(CommandService) private readonly commandService: CommandService,
    @inject(LogService) logs: LogService,
  ) {
    this.log = logs.forSource('core');
  }

  commands(): CliCommand[] {
    const commands: CliCommand[] = [];
    const taken = new Map<string, string>();
    const add = (command: CliCommand, owner: string) => {
      const key = command.path.join(' ');
      const holder = taken.get(key);
      if (holder !== undefined) {
        this.log.warn(`\`cairn ${key}\` of ${owner} is ignored: ${holder} already provides it.`);
        return;
      }
      taken.set(key, owner);
      commands.push(command);
    };

    const contributors = resolveContributors<CliContribution>(this.root, CliContribution, (name, error) => {
      this.log.error(`CLI contributor ${name} could not be created: ${errorMessage(error)}`);
    });
    for (const contributor of contributors) {
      try {
        for (const command of contributor.instance.commands()) add(command, 'the core');
      } catch (error) {
        this.log.error(`CLI contributor ${contributor.name} failed: ${errorMessage(error)}`);
      }
    }

    for (const plugin of this.plugins.known()) {
      for (const declared of plugin.manifest?.contributes?.cli ?? []) {
        const path = declared.command.split(' ');
        const commandId = declared.run;
        add(
          {
            path,
            description: declared.description,
            arguments: declared.arguments,
            options: declared.options,
            host: 'started',
            plugin: plugin.id,
            hidden: !plugin.usable,
            ...(declared.output === 'events' && { output: 'none' as const }),
            run: async (input, io) => {
              const unavailable = this.plugins.unavailableError(plugin.id, `\`cairn ${declared.command}\``);
              if (unavailable !== null) throw unavailable;
              if (declared.output !== 'events') return this.commandService.execute(commandId, [input]);
              const events: CliEvents = { emit: (event) => io.out(`${JSON.stringify(event)}\n`) };
              return this.commandService.execute(commandId, [input, events]);
            },
          },
          `plugin '${plugin.id}'`,
        );
      }
    }
    return commands;
  }
}
