import { normalizeKey, platformKey, whenHolds, type WhenContext } from '../common/workbench-contributions.js';

// Keybindings as manifests write them (`ctrl+shift+p`, `f1`) matched against keyboard events.

export interface Keybinding {
  key: string;
  /** The key on macOS, when it differs. */
  mac?: string;
  command: string;
  /** `view == <id>`: only while that view is shown. */
  when?: string;
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** The key of a keyboard event in the same form (`ctrl` is ⌘ on macOS). */
function eventKey(event: KeyboardEvent): string {
  const parts: string[] = [];
  if (event.ctrlKey || (isMac && event.metaKey)) parts.push('ctrl');
  if (!isMac && event.metaKey) parts.push('cmd');
  if (event.altKey) parts.push('alt');
  if (event.shiftKey) parts.push('shift');
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key.toLowerCase().replace(/^arrow/, '');
  if (!['control', 'meta', 'alt', 'shift'].includes(key)) parts.push(key === ' ' ? 'space' : key);
  return parts.join('+');
}

/** `ctrl+shift+p` → `Ctrl+Shift+P` (⌘ on macOS), for menus and the palette. */
function displayKey(key: string): string {
  return normalizeKey(key, isMac)
    .split('+')
    .map((part) => (part === 'ctrl' && isMac ? '⌘' : part.length === 1 ? part.toUpperCase() : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('+');
}

export class Keybindings {
  private bindings: Array<{ key: string; command: string; when?: string }> = [];

  set(bindings: readonly Keybinding[]): void {
    this.bindings = bindings.map(({ command, when, ...keys }) => ({ key: platformKey(keys, isMac), command, ...(when !== undefined && { when }) }));
  }

  /** The command bound to this event where `context` is, if any. */
  match(event: KeyboardEvent, context: WhenContext): string | null {
    const key = eventKey(event);
    return this.bindings.find((binding) => binding.key === key && whenHolds(binding.when, context))?.command ?? null;
  }

  /** The first key bound to a command, for display. */
  keyFor(command: string): string | null {
    const binding = this.bindings.find((candidate) => candidate.command === command);
    return binding ? displayKey(binding.key) : null;
  }
}
