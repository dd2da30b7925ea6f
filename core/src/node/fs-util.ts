import { readFile } from 'node:fs/promises';
import { ioError } from '@cairn/sdk';

// Shared with plugins through the SDK; re-exported for the core's own call sites.
export { ioError, writeFileAtomic } from '@cairn/sdk';

/** Reads and parses a JSON file; `undefined` when it does not exist. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError(`Could not read ${path}`, error);
  }
  return JSON.parse(text) as unknown;
}
