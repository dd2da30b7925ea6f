import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger, PluginSource } from '@cairn/sdk';
import { readJsonFile, writeFileAtomic } from '../fs-util.js';

interface StoredState {
  version: 1;
  plugins: Record<string, { enabled: boolean }>;
}

/**
 * Which plugins the user enabled or disabled, kept in `<dataDir>/plugins.json`. A plugin the
 * user never touched is enabled when it ships with Cairn (or is under development) and
 * disabled when it was installed from outside, until the user trusts it.
 */
export class PluginStateStore {
  private state: StoredState = { version: 1, plugins: {} };
  readonly path: string;

  constructor(
    dataDir: string,
    private readonly log: Logger,
  ) {
    this.path = join(dataDir, 'plugins.json');
  }

  async load(): Promise<void> {
    let stored: unknown;
    try {
      stored = await readJsonFile(this.path);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      // Keep the damaged file for the user instead of overwriting it, and start from defaults.
      const aside = `${this.path}.damaged-${Date.now()}`;
      await rename(this.path, aside);
      this.log.warn(`${this.path} was not valid JSON; it was moved to ${aside} and plugin states were reset to their defaults.`);
      stored = undefined;
    }
    if (isStoredState(stored)) this.state = stored;
  }

  isEnabled(id: string, source: PluginSource): boolean {
    return this.state.plugins[id]?.enabled ?? source !== 'installed';
  }

  async setEnabled(id: string, enabled: boolean): Promise<void> {
    this.state.plugins[id] = { enabled };
    await writeFileAtomic(this.path, `${JSON.stringify(this.state, null, 2)}\n`);
  }
}

function isStoredState(value: unknown): value is StoredState {
  if (typeof value !== 'object' || value === null) return false;
  const plugins = (value as { plugins?: unknown }).plugins;
  return typeof plugins === 'object' && plugins !== null;
}
