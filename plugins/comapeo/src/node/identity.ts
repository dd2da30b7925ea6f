import { randomBytes } from 'node:crypto';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CairnError, ErrorCodes, ioError, writeFileAtomic } from '@cairn/sdk';

// What this data dir is to CoMapeo, kept in the plugin's storage: the root key every CoMapeo key
// of this device is derived from (so one stable identity per data dir), and which CoMapeo project
// is linked with the data dir's Cairn project.

const IDENTITY_FILE = 'identity.json';
const LINK_FILE = 'link.json';

/** The link between the Cairn project and a CoMapeo project. */
export interface ProjectLink {
  comapeoProjectId: string;
  cairnProjectKey: string;
}

/** The root key (hex), made on first use. Only this file and the CoMapeo process ever hold it. */
export async function rootKeyIn(storagePath: string): Promise<string> {
  const path = join(storagePath, IDENTITY_FILE);
  const stored = await readJson<{ rootKey?: unknown }>(path);
  if (stored !== null) {
    if (typeof stored.rootKey === 'string' && /^[0-9a-f]{32}$/.test(stored.rootKey)) return stored.rootKey;
    throw new CairnError(ErrorCodes.IO, `${path} is damaged: it holds no CoMapeo identity. Restore it from a backup of this data dir.`);
  }
  const rootKey = randomBytes(16).toString('hex');
  await writeFileAtomic(path, `${JSON.stringify({ rootKey })}\n`);
  await chmod(path, 0o600);
  return rootKey;
}

export async function linkIn(storagePath: string): Promise<ProjectLink | null> {
  const link = await readJson<Partial<ProjectLink>>(join(storagePath, LINK_FILE));
  if (link === null || typeof link.comapeoProjectId !== 'string' || typeof link.cairnProjectKey !== 'string') return null;
  return { comapeoProjectId: link.comapeoProjectId, cairnProjectKey: link.cairnProjectKey };
}

export async function saveLink(storagePath: string, link: ProjectLink): Promise<void> {
  await writeFileAtomic(join(storagePath, LINK_FILE), `${JSON.stringify(link, null, 2)}\n`);
}

async function readJson<T>(path: string): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw ioError(`Could not read ${path}`, error);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CairnError(ErrorCodes.IO, `${path} is damaged (not JSON). Restore it from a backup of this data dir.`);
  }
}
