import { inject, injectable } from '@cairn/sdk/inversify';
import { CairnError, ErrorCodes, errorMessage, isCairnError } from '@cairn/sdk';
import { PluginHost } from '../plugins/plugin-host.js';
import { CommandRegistry } from './command-registry.js';

export interface CommandInfo {
  id: string;
  title: string | null;
  category: string | null;
  /** `core` or the providing plugin. */
  owner: string;
  /** Registered now; false for a command whose plugin activates when it is first run. */
  active: boolean;
}

/**
 * Runs commands for everyone (the CLI, the workbench, plugins): activates the providing plugin
 * on first use, and explains a command that cannot run (its plugin is disabled or failed).
 */
@injectable()
export class CommandService {
  constructor(
    @inject(CommandRegistry) private readonly registry: CommandRegistry,
    @inject(PluginHost) private readonly plugins: PluginHost,
  ) {}

  async execute<T = unknown>(id: string, args: readonly unknown[] = []): Promise<T> {
    let command = this.registry.get(id);
    if (command === undefined) {
      await this.plugins.activateByEvent(`onCommand:${id}`);
      command = this.registry.get(id);
    }
    if (command === undefined) throw this.unavailable(id);
    try {
      return (await command.handler(...args)) as T;
    } catch (error) {
      if (isCairnError(error)) throw error;
      throw new CairnError(ErrorCodes.COMMAND_FAILED, `Command '${id}' failed: ${errorMessage(error)}`, { cause: error });
    }
  }

  /** Registered commands and the declared commands of usable plugins. */
  list(): CommandInfo[] {
    const commands = new Map<string, CommandInfo>();
    for (const plugin of this.plugins.known()) {
      if (!plugin.usable) continue;
      for (const declared of plugin.manifest?.contributes?.commands ?? []) {
        commands.set(declared.id, {
          id: declared.id,
          title: declared.title,
          category: declared.category ?? null,
          owner: plugin.id,
          active: false,
        });
      }
    }
    for (const registered of this.registry.list()) {
      const declared = commands.get(registered.id);
      commands.set(registered.id, {
        id: registered.id,
        title: declared?.title ?? null,
        category: declared?.category ?? null,
        owner: registered.owner,
        active: true,
      });
    }
    return [...commands.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  private unavailable(id: string): CairnError {
    const provider = this.plugins.providerOf(`onCommand:${id}`);
    if (provider === undefined) {
      return new CairnError(ErrorCodes.NOT_FOUND, `There is no command '${id}'. \`cairn commands\` lists the commands.`);
    }
    return (
      this.plugins.unavailableError(provider.id, `Command '${id}'`) ??
      new CairnError(ErrorCodes.NOT_FOUND, `Plugin '${provider.id}' declares command '${id}' but registered no handler for it.`)
    );
  }
}
