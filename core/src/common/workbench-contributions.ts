import type { KeybindingDeclaration, MenuItemDeclaration } from '@cairn/sdk/common';

// How the workbench reads the keybindings and menu items plugins declare: the manifest schema
// checks their `when` against the same pattern the workbench evaluates.

const whenClause = /^\s*view\s*==\s*([^\s=]+)\s*$/;

/**
 * The one condition a keybinding or menu item can have: `view == <view id>`. The workbench has one
 * context a contribution depends on, the view it is about, so there is nothing else to say yet;
 * the schema refuses anything else rather than let an item show where its author did not mean it.
 */
export const whenClausePattern = whenClause.source;

export interface WhenContext {
  /** The view a menu item's title bar belongs to, or the view shown in the side bar (null: none). */
  readonly view: string | null;
}

/** Whether a contribution's `when` holds; one without a `when` always applies. */
export function whenHolds(when: string | undefined, context: WhenContext): boolean {
  if (when === undefined) return true;
  const view = whenClause.exec(when)?.[1];
  return view !== undefined && view === context.view;
}

const modifiers = ['ctrl', 'cmd', 'alt', 'shift'];

/**
 * One form for a key, `ctrl+shift+p`, whatever the order and case it was written in. `ctrl` is ⌘
 * on macOS (the workbench reads both ⌘ and Control as `ctrl` there), so on macOS `cmd` is `ctrl`.
 */
export function normalizeKey(key: string, mac = false): string {
  const parts = key
    .toLowerCase()
    .split('+')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => (mac && part === 'cmd' ? 'ctrl' : part));
  return [...modifiers.filter((modifier) => parts.includes(modifier)), ...parts.filter((part) => !modifiers.includes(part))].join('+');
}

/** The key a keybinding uses on this platform: its `mac` key on macOS, when it has one. */
export function platformKey(binding: Pick<KeybindingDeclaration, 'key' | 'mac'>, mac: boolean): string {
  return normalizeKey(mac && binding.mac ? binding.mac : binding.key, mac);
}

/**
 * The `view/title` items for a view, in their order: those whose `when` holds for it, grouped by
 * `group` (groups in the order of their names, items without one last), each group in declared order.
 */
export function viewTitleItems<T extends MenuItemDeclaration>(items: readonly T[], view: string): T[] {
  const rank = (group: string | undefined, other: string | undefined) =>
    group === other ? 0 : group === undefined ? 1 : other === undefined ? -1 : group.localeCompare(other);
  return items
    .map((item, index) => ({ item, index }))
    .filter(({ item }) => whenHolds(item.when, { view }))
    .sort((a, b) => rank(a.item.group, b.item.group) || a.index - b.index)
    .map(({ item }) => item);
}
