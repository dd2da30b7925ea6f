import { injectable } from '@cairn/sdk/inversify';
import { CairnError, Emitter, ErrorCodes, toDisposable, type CommandHandler, type Disposable } from '@cairn/sdk';

export interface RegisteredCommand {
  id: string;
  /** `core` or the id of the plugin that registered the handler. */
  owner: string;
  handler: CommandHandler;
}

/** The handlers of the commands that can run now. Declared-but-inactive commands live in the manifests. */
@injectable()
export class CommandRegistry {
  private readonly commands = new Map<string, RegisteredCommand>();
  private readonly onDidChangeEmitter = new Emitter<void>();
  /** Fires when a command is registered or withdrawn. */
  readonly onDidChange = this.onDidChangeEmitter.event;

  register(owner: string, id: string, handler: CommandHandler): Disposable {
    if (typeof id !== 'string' || id.length === 0) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, 'A command id must be a non-empty string.');
    }
    if (typeof handler !== 'function') {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `The handler of command '${id}' must be a function.`);
    }
    const existing = this.commands.get(id);
    if (existing !== undefined) {
      throw new CairnError(
        ErrorCodes.INVALID_INPUT,
        `Command '${id}' is already registered by ${existing.owner === 'core' ? 'the core' : `plugin '${existing.owner}'`}.`,
      );
    }
    const command: RegisteredCommand = { id, owner, handler };
    this.commands.set(id, command);
    this.onDidChangeEmitter.fire();
    return toDisposable(() => {
      if (this.commands.get(id) === command) {
        this.commands.delete(id);
        this.onDidChangeEmitter.fire();
      }
    });
  }

  get(id: string): RegisteredCommand | undefined {
    return this.commands.get(id);
  }

  list(): RegisteredCommand[] {
    return [...this.commands.values()].sort((a, b) => a.id.localeCompare(b.id));
  }
}
