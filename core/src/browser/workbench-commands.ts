import type { DisposableStore } from '@cairn/sdk/browser';
import type { WorkbenchCommand, WorkbenchView } from '../common/workbench-protocol.js';
import type { BrowserCommands, PaletteCommand } from './commands.js';
import type { CommandPalette } from './command-palette.js';
import type { Keybinding, Keybindings } from './keybindings.js';
import type { Layout } from './parts/layout.js';

export const coreKeybindings: Keybinding[] = [
  { key: 'f1', command: 'workbench.action.showCommands' },
  { key: 'ctrl+shift+p', command: 'workbench.action.showCommands' },
  { key: 'ctrl+b', command: 'workbench.action.toggleSidebar' },
  { key: 'ctrl+j', command: 'workbench.action.togglePanel' },
  { key: 'f6', command: 'workbench.action.focusNextPart' },
  { key: 'shift+f6', command: 'workbench.action.focusPreviousPart' },
];

export interface WorkbenchActions {
  palette: CommandPalette;
  layout: Layout;
  togglePanel(): void;
  showHome(): void;
  closeEditor(): void;
  focusPart(step: number): void;
  loadSampleData(): Promise<void>;
}

/** The workbench's own commands, in the palette under their titles. */
export function registerWorkbenchCommands(commands: BrowserCommands, disposables: DisposableStore, actions: WorkbenchActions): void {
  const { layout } = actions;
  const register = (id: string, title: string, handler: () => unknown) => disposables.add(commands.register('core', id, handler, title));
  register('workbench.action.showCommands', 'Show All Commands', () => actions.palette.open());
  register('workbench.action.toggleSidebar', 'View: Toggle Side Bar', () => layout.update({ sidebarVisible: !layout.state.sidebarVisible }));
  register('workbench.action.togglePanel', 'View: Toggle Panel (Output)', () => actions.togglePanel());
  register('workbench.action.toggleTheme', 'Preferences: Toggle Light/Dark Theme', () => {
    const current = document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
    layout.update({ theme: current === 'dark' ? 'light' : 'dark' });
    layout.applyTheme();
  });
  register('workbench.action.followSystemTheme', 'Preferences: Follow the System Theme', () => {
    layout.update({ theme: 'system' });
    layout.applyTheme();
  });
  register('workbench.action.showHome', 'View: Show Project Home', () => actions.showHome());
  register('workbench.action.closeActiveEditor', 'View: Close Editor', () => actions.closeEditor());
  register('workbench.action.focusNextPart', 'View: Focus Next Part', () => actions.focusPart(1));
  register('workbench.action.focusPreviousPart', 'View: Focus Previous Part', () => actions.focusPart(-1));
  register('workbench.action.loadSampleData', 'Help: Load Sample Data', () => actions.loadSampleData());
}

/**
 * What the palette lists: the workbench's commands, a "Show" command per view, and the host's
 * titled commands; each once (a command and a view's entry of the same title are one).
 */
export function paletteCommands(commands: BrowserCommands, keybindings: Keybindings, views: readonly WorkbenchView[], hostCommands: readonly WorkbenchCommand[]): PaletteCommand[] {
  const byId = new Map<string, PaletteCommand>();
  for (const command of commands.titled()) {
    const [category, ...rest] = command.title.includes(': ') ? command.title.split(': ') : [null, command.title];
    byId.set(command.id, { id: command.id, title: rest.join(': '), category, keybinding: keybindings.keyFor(command.id) });
  }
  for (const view of views) {
    const id = `workbench.view.${view.id}`;
    byId.set(id, { id, title: `Show ${view.name}`, category: 'View', keybinding: keybindings.keyFor(id) });
  }
  for (const command of hostCommands) {
    if (command.title === null) continue;
    byId.set(command.id, { id: command.id, title: command.title, category: command.category, keybinding: keybindings.keyFor(command.id) });
  }
  const seen = new Set<string>();
  return [...byId.values()].filter((command) => {
    const label = `${command.category ?? ''}: ${command.title}`.toLowerCase();
    if (seen.has(label)) return false;
    seen.add(label);
    return true;
  });
}
