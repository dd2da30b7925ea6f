import { inject, injectable } from '@cairn/sdk/inversify';
import {
  CairnError,
  DisposableStore,
  ErrorCodes,
  errorMessage,
  isCairnError,
  type CommandContribution,
  type CommandHandler,
  type Disposable,
} from '@cairn/sdk';
import { ContributionTable, contributionPoints } from '../contributions/contribution-table.js';
import { PluginHost } from '../plugins/plugin-host.js';

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
 * The commands, for everyone (the CLI, the workbench, plugins): the handlers registered now and
 * the commands usable plugins declare. Running one activates its plugin on first use, and a
 * command that cannot run says why (its plugin is disabled or failed).
 */
@injectable()
export class CommandService {
  private readonly table: ContributionTable<'commands', CommandHandler>;

  constructor(@inject(PluginHost) plugins: PluginHost) {
    this.table = new ContributionTable(plugins, contributionPoints.commands);
  }

  /** Registers the handler of a command on behalf of `owner` (`core` or a plugin). */
  register(owner: string, id: string, handler: CommandHandler): Disposable {
    if (typeof id !== 'string' || id.length === 0) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, 'A command id must be a non-empty string.');
    }
    if (typeof handler !== 'function') {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `The handler of command '${id}' must be a function.`);
    }
    return this.table.register(owner, id, handler);
  }

  /** Takes the commands of a `CommandContribution` (DI); disposing the result withdraws them all. */
  contribute(owner: string, contribution: CommandContribution): Disposable {
    const registrations = new DisposableStore();
    contribution.registerCommands({
      register: (id, handler) => registrations.add(this.register(owner, id, handler)),
      execute: (id, ...args) => this.execute(id, args),
    });
    return registrations;
  }

  async execute<T = unknown>(id: string, args: readonly unknown[] = []): Promise<T> {
    const handler = await this.table.get(id);
    try {
      return (await handler(...args)) as T;
    } catch (error) {
      if (isCairnError(error)) throw error;
      throw new CairnError(ErrorCodes.COMMAND_FAILED, `Command '${id}' failed: ${errorMessage(error)}`, { cause: error });
    }
  }

  /** Registered commands and the declared commands of usable plugins. */
  list(): CommandInfo[] {
    return this.table.list((id, declared, registered) => ({
      id,
      title: declared?.title ?? null,
      category: declared?.category ?? null,
      owner: registered?.owner ?? declared!.owner,
      active: registered !== undefined,
    }));
  }
}
