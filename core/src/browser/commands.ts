import { CairnError, ErrorCodes, toDisposable, type Disposable } from '@cairn/sdk/browser';

export interface PaletteCommand {
  id: string;
  title: string;
  category: string | null;
  /** Shown beside the title, e.g. `Ctrl+Shift+P`. */
  keybinding: string | null;
}

type Handler = (...args: never[]) => unknown;

/**
 * The workbench's commands: its own and those plugins register in the window. A command not
 * found here runs on the host (through `fallback`).
 */
export class BrowserCommands {
  private readonly handlers = new Map<string, { owner: string; title: string | null; handler: Handler }>();

  constructor(private readonly fallback: (id: string, args: unknown[]) => Promise<unknown>) {}

  register(owner: string, id: string, handler: Handler, title: string | null = null): Disposable {
    if (this.handlers.has(id)) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `Command '${id}' is already registered in the workbench.`);
    }
    const entry = { owner, title, handler };
    this.handlers.set(id, entry);
    return toDisposable(() => {
      if (this.handlers.get(id) === entry) this.handlers.delete(id);
    });
  }

  has(id: string): boolean {
    return this.handlers.has(id);
  }

  /** Workbench commands with a title (those a person can run from the palette). */
  titled(): Array<{ id: string; title: string }> {
    return [...this.handlers].filter(([, entry]) => entry.title !== null).map(([id, entry]) => ({ id, title: entry.title! }));
  }

  async execute<T = unknown>(id: string, ...args: unknown[]): Promise<T> {
    const entry = this.handlers.get(id);
    if (entry !== undefined) return (await (entry.handler as (...parameters: unknown[]) => unknown)(...args)) as T;
    return (await this.fallback(id, args)) as T;
  }
}
