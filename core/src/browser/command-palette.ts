import type { PaletteCommand } from './commands.js';
import { clear, h, uid } from './dom.js';

/**
 * The command palette (F1, Ctrl+Shift+P): a dialog with a combobox that filters every command,
 * shows its keybinding, and runs the chosen one. Arrow keys move, Enter runs, Escape closes.
 */
export class CommandPalette {
  private readonly dialog: HTMLDivElement;
  private readonly input: HTMLInputElement;
  private readonly list: HTMLUListElement;
  private commands: PaletteCommand[] = [];
  private matches: PaletteCommand[] = [];
  private selected = 0;
  private returnFocus: HTMLElement | null = null;

  constructor(
    host: HTMLElement,
    private readonly source: () => PaletteCommand[],
    private readonly run: (id: string) => void,
  ) {
    const listId = uid('palette-list');
    this.input = h('input', {
      type: 'text',
      class: 'palette-input',
      role: 'combobox',
      'aria-label': 'Type the name of a command to run',
      'aria-expanded': 'true',
      'aria-controls': listId,
      'aria-autocomplete': 'list',
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: 'Type a command',
    });
    this.list = h('ul', { id: listId, class: 'palette-list', role: 'listbox', 'aria-label': 'Commands' });
    this.dialog = h('div', { class: 'palette', role: 'dialog', 'aria-label': 'Command Palette', 'aria-modal': 'true', hidden: true }, this.input, this.list);
    host.append(this.dialog);

    this.input.addEventListener('input', () => this.filter());
    this.input.addEventListener('keydown', (event) => this.onKey(event));
    this.dialog.addEventListener('focusout', (event) => {
      if (!this.dialog.contains(event.relatedTarget as Node | null)) this.close();
    });
  }

  get isOpen(): boolean {
    return !this.dialog.hidden;
  }

  open(): void {
    this.returnFocus = document.activeElement as HTMLElement | null;
    this.commands = this.source();
    this.dialog.hidden = false;
    this.input.value = '';
    this.filter();
    this.input.focus();
  }

  close(): void {
    if (this.dialog.hidden) return;
    this.dialog.hidden = true;
    this.returnFocus?.focus?.();
  }

  private filter(): void {
    const query = this.input.value.trim().toLowerCase();
    this.matches = this.commands
      .map((command) => ({ command, score: score(label(command).toLowerCase(), query) }))
      .filter((match) => match.score > 0)
      .sort((a, b) => b.score - a.score || label(a.command).localeCompare(label(b.command)))
      .map((match) => match.command);
    this.selected = 0;
    this.render();
  }

  private render(): void {
    clear(this.list);
    if (this.matches.length === 0) {
      this.list.append(h('li', { class: 'palette-empty', role: 'presentation' }, 'No matching commands'));
      this.input.removeAttribute('aria-activedescendant');
      return;
    }
    this.matches.forEach((command, index) => {
      const id = `palette-option-${index}`;
      const option = h(
        'li',
        {
          id,
          role: 'option',
          class: 'palette-option',
          'aria-selected': index === this.selected ? 'true' : 'false',
          onmousedown: (event: MouseEvent) => {
            event.preventDefault();
            this.choose(index);
          },
        },
        h('span', { class: 'palette-title' }, label(command)),
        command.keybinding ? h('kbd', { class: 'palette-key' }, command.keybinding) : null,
      );
      this.list.append(option);
    });
    this.input.setAttribute('aria-activedescendant', `palette-option-${this.selected}`);
    this.list.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.close();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (this.matches.length === 0) return;
      const step = event.key === 'ArrowDown' ? 1 : -1;
      this.selected = (this.selected + step + this.matches.length) % this.matches.length;
      this.render();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (this.matches.length > 0) this.choose(this.selected);
    }
  }

  private choose(index: number): void {
    const command = this.matches[index];
    if (command === undefined) return;
    this.close();
    this.run(command.id);
  }
}

function label(command: PaletteCommand): string {
  return command.category ? `${command.category}: ${command.title}` : command.title;
}

/** Words of the query must each appear; starts of words and earlier matches score higher. */
function score(text: string, query: string): number {
  if (query === '') return 1;
  let total = 0;
  for (const word of query.split(/\s+/)) {
    const at = text.indexOf(word);
    if (at < 0) return 0;
    const wordStart = at === 0 || /[\s:.-]/.test(text.charAt(at - 1));
    total += (wordStart ? 10 : 3) + Math.max(0, 5 - at / 10);
  }
  return total;
}
