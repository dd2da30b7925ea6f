import { inject, injectable } from '@cairn/sdk/inversify';
import { CommandContribution, DisposableStore, type Disposable } from '@cairn/sdk';
import type { ExtensionPoint } from '../di/contributions.js';
import { CommandService } from './command-service.js';

/** Feeds `CommandContribution`s of the core and of plugins into the command service. */
@injectable()
export class CommandExtensionPoint implements ExtensionPoint {
  readonly point = CommandContribution;

  constructor(@inject(CommandService) private readonly service: CommandService) {}

  consume(owner: string, contributor: unknown): Disposable {
    const registrations = new DisposableStore();
    (contributor as CommandContribution).registerCommands({
      register: (id, handler) => registrations.add(this.service.register(owner, id, handler)),
      execute: (id, ...args) => this.service.execute(id, args),
    });
    return registrations;
  }
}
