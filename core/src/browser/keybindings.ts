/** Keybindings as manifests write them (`ctrl+shift+p`, `f1`) matched against keyboard events. */

export interface Keybinding {
  key: string;
  command: string;
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** Normalises `Ctrl+Shift+P` / `shift+ctrl+p` to one form, `ctrl+shift+p`. */
function normalizeKey(key: string): string {
  const parts = key.toLowerCase().split('+').map((part) => part.trim()).filter(Boolean);
  const modifiers = ['ctrl', 'cmd', 'alt', 'shift'].filter((modifier) => parts.includes(modifier));
  const rest = parts.filter((part) => !['ctrl', 'cmd', 'alt', 'shift'].includes(part));
  return [...modifiers, ...rest].join('+');
}

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
  return normalizeKey(key)
    .split('+')
    .map((part) => (part === 'ctrl' && isMac ? '⌘' : part.length === 1 ? part.toUpperCase() : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('+');
}

export class Keybindings {
  private bindings: Keybinding[] = [];

  set(bindings: Keybinding[]): void {
    this.bindings = bindings.map((binding) => ({ ...binding, key: normalizeKey(binding.key) }));
  }

  /** The command bound to this event, if any. */
  match(event: KeyboardEvent): string | null {
    const key = eventKey(event);
    return this.bindings.find((binding) => binding.key === key)?.command ?? null;
  }

  /** The first key bound to a command, for display. */
  keyFor(command: string): string | null {
    const binding = this.bindings.find((candidate) => candidate.command === command);
    return binding ? displayKey(binding.key) : null;
  }
}
