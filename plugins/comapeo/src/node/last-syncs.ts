import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@cairn/sdk';

const FILE = 'last-syncs.json';

/** When this device last synced with each CoMapeo device, remembered across runs for the workbench. */
export class LastSyncs {
  private times: Promise<Record<string, string>> | null = null;

  constructor(private readonly storagePath: string) {}

  async get(deviceId: string): Promise<string | null> {
    return (await this.load())[deviceId] ?? null;
  }

  async record(deviceIds: readonly string[]): Promise<void> {
    if (deviceIds.length === 0) return;
    const times = await this.load();
    const now = new Date().toISOString();
    for (const deviceId of deviceIds) times[deviceId] = now;
    await writeFileAtomic(join(this.storagePath, FILE), JSON.stringify(times));
  }

  private load(): Promise<Record<string, string>> {
    return (this.times ??= readFile(join(this.storagePath, FILE), 'utf8').then(
      (text) => {
        try {
          return JSON.parse(text) as Record<string, string>;
        } catch {
          return {}; // a damaged record only forgets when devices were last synced
        }
      },
      () => ({}),
    ));
  }
}
