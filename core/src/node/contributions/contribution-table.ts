import {
  CairnError,
  ErrorCodes,
  toDisposable,
  type Disposable,
  type MenuItemDeclaration,
  type PluginContributions,
} from '@cairn/sdk';
import { activatingContributions, type ActivatingContributionKey } from '../../common/activation-events.js';
import type { PluginHost } from '../plugins/plugin-host.js';

/** The kinds of `contributes` that are lists of entries (`configuration` and `cli` are read on their own). */
export type TableKey = ActivatingContributionKey | 'keybindings' | 'menus';

/** One entry of `contributes.<key>`; a menu item also names its menu (`contributes.menus` is keyed by menu). */
export type Declaration<K extends TableKey> = K extends 'menus'
  ? MenuItemDeclaration & { menu: string }
  : NonNullable<PluginContributions[K]> extends ReadonlyArray<infer Entry>
    ? Entry
    : never;

/** A declaration, with the plugin that made it. */
export type Declared<K extends TableKey> = Declaration<K> & { owner: string };

/** What an owner (a plugin, or `core`) provides at run time for one id. */
export interface Registration<T> {
  readonly owner: string;
  readonly value: T;
}

/** How the host names one kind of contribution, and says that one is missing. */
export interface ContributionPoint<K extends TableKey> {
  /** `contributes.<key>` in the manifest; its activation event, if it has one, comes with it. */
  readonly key: K;
  /** What one is called in messages: `command`, `sync transport`. */
  readonly noun: string;
  /** The error when nothing offers `id`; `offered` lists what there is. Default: `ERR_NOT_FOUND`. */
  readonly missing?: (id: string, offered: readonly string[]) => CairnError;
}

/**
 * One kind of contribution, as the host sees it: what the usable plugins declare in
 * `contributes.<key>` (known before they are active), merged with what they register at run time;
 * asking for an id activates the plugins that answer to its activation event, and an id that
 * cannot be had is explained (its plugin is disabled, failed, or declared it and never registered
 * it). Every kind is one of these, parametrised by its manifest key; see `contributionPoints`.
 */
export class ContributionTable<K extends TableKey, T = never> {
  private readonly registrations = new Map<string, Registration<T>>();
  private readonly event: string | undefined;

  constructor(
    private readonly plugins: PluginHost,
    readonly point: ContributionPoint<K>,
  ) {
    this.event = (activatingContributions as Partial<Record<TableKey, string>>)[point.key];
  }

  /** What the usable plugins declare, in the plugins' order, each with its plugin. */
  declared(): Array<Declared<K>> {
    return this.plugins
      .known()
      .filter((plugin) => plugin.usable)
      .flatMap((plugin) => declarationsIn(plugin.manifest?.contributes, this.point.key).map((declared) => ({ ...declared, owner: plugin.id })));
  }

  /** Adds what `owner` provides for `id`; an id is provided once. Disposing the result withdraws it. */
  register(owner: string, id: string, value: T): Disposable {
    const existing = this.registrations.get(id);
    if (existing !== undefined) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `${this.subject(id)} is already registered by ${nameOf(existing.owner)}.`);
    }
    const registration: Registration<T> = { owner, value };
    this.registrations.set(id, registration);
    return toDisposable(() => {
      if (this.registrations.get(id) === registration) this.registrations.delete(id);
    });
  }

  registered(id: string): Registration<T> | undefined {
    return this.registrations.get(id);
  }

  /**
   * Every id that a usable plugin declares or that is registered, sorted, each described by
   * `describe` from its declaration (the last plugin's, if several declare it) and its registration.
   */
  list<I>(describe: (id: string, declared: Declared<K> | undefined, registered: Registration<T> | undefined) => I): I[] {
    const declared = new Map<string, Declared<K>>();
    for (const entry of this.declared()) {
      const { id } = entry as { id?: string };
      if (id !== undefined) declared.set(id, entry);
    }
    const ids = new Set([...declared.keys(), ...this.registrations.keys()]);
    return [...ids].sort((a, b) => a.localeCompare(b)).map((id) => describe(id, declared.get(id), this.registrations.get(id)));
  }

  /** What is registered for `id`, its plugins activated first; else the coded error that says why there is none. */
  async get(id: string): Promise<T> {
    if (!this.registrations.has(id) && this.event !== undefined) await this.plugins.activateByEvent(`${this.event}:${id}`);
    const registration = this.registrations.get(id);
    if (registration !== undefined) return registration.value;
    throw this.unavailable(id);
  }

  /** Why `id` cannot be had now, as the error to show the user. */
  unavailable(id: string): CairnError {
    const provider = this.event === undefined ? undefined : this.plugins.providerOf(`${this.event}:${id}`);
    if (provider !== undefined) {
      return (
        this.plugins.unavailableError(provider.id, this.subject(id)) ??
        new CairnError(ErrorCodes.NOT_FOUND, `Plugin '${provider.id}' declares ${this.point.noun} '${id}' but did not register it.`)
      );
    }
    const offered = this.list((offeredId) => offeredId);
    return this.point.missing?.(id, offered) ?? new CairnError(ErrorCodes.NOT_FOUND, `There is no ${this.point.noun} '${id}'.`);
  }

  private subject(id: string): string {
    return `${this.point.noun.charAt(0).toUpperCase()}${this.point.noun.slice(1)} '${id}'`;
  }
}

function declarationsIn<K extends TableKey>(contributes: PluginContributions | undefined, key: K): Array<Declaration<K>> {
  if (key === 'menus') {
    const menus: Record<string, MenuItemDeclaration[] | undefined> = { ...contributes?.menus };
    return Object.entries(menus).flatMap(([menu, items = []]) => items.map((item) => ({ ...item, menu }))) as Array<Declaration<K>>;
  }
  return [...((contributes?.[key] ?? []) as unknown as ReadonlyArray<Declaration<K>>)];
}

function nameOf(owner: string): string {
  return owner === 'core' ? 'the core' : `plugin '${owner}'`;
}

/** A format the user named that nothing offers: their input is wrong, and the message lists what there is. */
const noSuchFormat = (direction: 'export' | 'import') => (id: string, offered: readonly string[]) =>
  new CairnError(
    ErrorCodes.INVALID_INPUT,
    `There is no ${direction} format '${id}'; ${offered.length ? `give one of ${offered.join(', ')}` : 'no enabled plugin offers one'}.`,
  );

/**
 * Every kind of contribution the host keeps a table of. A new kind is a line here, plus one in
 * `activatingContributions` when plugins are activated for it.
 */
export const contributionPoints = {
  commands: {
    key: 'commands',
    noun: 'command',
    missing: (id: string) => new CairnError(ErrorCodes.NOT_FOUND, `There is no command '${id}'. \`cairn commands\` lists the commands.`),
  },
  views: { key: 'views', noun: 'view' },
  syncTransports: { key: 'syncTransports', noun: 'sync transport' },
  exportFormats: { key: 'exportFormats', noun: 'export format', missing: noSuchFormat('export') },
  importFormats: { key: 'importFormats', noun: 'import format', missing: noSuchFormat('import') },
  keybindings: { key: 'keybindings', noun: 'keybinding' },
  menus: { key: 'menus', noun: 'menu item' },
} as const satisfies { [K in TableKey]: ContributionPoint<K> };
