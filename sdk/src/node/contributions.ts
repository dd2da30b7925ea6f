import type { Bind, Newable } from './inversify.js';
import type { CommandsApi } from './context.js';

/**
 * DI tokens are `Symbol.for(...)`, so that a plugin which bundles its own copy of the SDK still
 * speaks to the host with the same tokens.
 */

/**
 * Extension point: classes that register command handlers. The DI counterpart of
 * `ctx.commands.register`, for plugins that build their services with the container.
 */
export const CommandContribution = Symbol.for('cairn.CommandContribution');
export interface CommandContribution {
  registerCommands(commands: CommandsApi): void;
}

/** The record bound for each contributor; the host resolves `id` on its own. */
export interface ContributorRegistration {
  readonly id: symbol;
  readonly name: string;
}

/** The token under which the contributors of an extension point are listed. */
export function contributorsOf(point: symbol): symbol {
  const key = Symbol.keyFor(point);
  if (key === undefined) {
    throw new TypeError(
      `Extension points must be created with Symbol.for(...) so every copy of the SDK agrees on them; got ${String(point)}`,
    );
  }
  return Symbol.for(`${key}#contributors`);
}

/**
 * Contributes an implementation to an extension point, from a plugin's `containerModule`
 * (or a core module). The host constructs every contributor on its own, inside its own
 * try/catch, so a contributor whose constructor throws is reported and skipped while the
 * others still load.
 *
 * ```ts
 * export const containerModule = new ContainerModule(({ bind }) => {
 *   bindContribution(bind, CommandContribution, MyCommands);
 * });
 * ```
 */
export function bindContribution<T>(bind: Bind, point: symbol, implementation: Newable<T>): void {
  const id = Symbol(`${Symbol.keyFor(point) ?? 'contribution'}:${implementation.name}`);
  bind(id).to(implementation).inSingletonScope();
  const registration: ContributorRegistration = { id, name: implementation.name || 'anonymous' };
  bind(contributorsOf(point)).toConstantValue(registration);
}
