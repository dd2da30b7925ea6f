import { createHash, randomBytes } from 'node:crypto';
import { access, mkdir, open, readFile, rm, stat, statfs } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { CairnError, duplexPair, ErrorCodes, errorMessage, writeFileAtomic, type PluginContext, type SyncProgress, type SyncSummary } from '@cairn/sdk';
import { extractContainer, openContainer, removeLeftovers, verifyContainer, writeContainer, type Fingerprint, type OpenedContainer } from './container.js';

const EXTENSION = '.cairnsync';

export interface FileSyncResult {
  file: string;
  created: boolean;
  sent: SyncSummary['sent'];
  received: SyncSummary['received'];
}

export interface FileSyncOptions {
  onProgress?: (progress: SyncProgress) => void;
  signal?: AbortSignal;
  /** Parts of at most this many bytes (FAT32: below 4 GiB). For tests. */
  partBytes?: number;
}

/**
 * Syncs the project with a sync file, as with a peer: what the file has that this device lacks
 * comes in, what this device has that the file lacks goes into it. The file is checked before
 * anything is touched, its content is opened as a relay store in a scratch folder, the two sync
 * through the core's replication service over an in-process pipe, and the relay is written back
 * to the file atomically.
 */
export async function syncWithFile(ctx: PluginContext, target: string, options: FileSyncOptions = {}): Promise<FileSyncResult> {
  const path = withExtension(resolve(target));
  const discoveryKey = await ctx.sync.discoveryKey();
  const existing = await stat(path).catch(() => null);
  if (existing !== null && !existing.isFile()) throw new CairnError(ErrorCodes.INVALID_INPUT, `${path} is a folder; give the path of a sync file.`);

  // Checked before the project's store is even opened: a wrong file changes nothing anywhere.
  const previous = existing === null ? null : await openContainer(path, discoveryKey);
  await removeLeftovers(path, previous?.partPaths ?? []);
  await checkWritable(path, existing?.size ?? 0, await ctx.project.storageSize());

  const cache = await openCache(ctx.storagePath, path, previous);
  let finished = false;
  try {
    const { summary, changed } = await syncWithRelay(ctx, cache.store, path, options);
    // Nothing new for the file: it is left as it is, not even rewritten.
    if (previous === null || changed) {
      const written = await writeContainer(path, {
        discoveryKey,
        dir: cache.store,
        previous,
        fingerprints: cache.fingerprints,
        ...(options.partBytes && { partBytes: options.partBytes }),
      });
      await cache.save(written.generation, written.fingerprints);
      ctx.log.info(`${path}: ${written.rewritten ? 'written' : 'appended to'} (${written.bytesWritten} bytes written, ${written.size} in all)`);
    } else {
      await cache.save(previous.header.generation, cache.fingerprints);
    }
    finished = true;
    return { file: path, created: previous === null, sent: summary.sent, received: summary.received };
  } finally {
    // A sync that did not reach the file leaves the cache holding more than the file: next time
    // it is extracted again.
    if (!finished) await cache.forget();
  }
}

interface CacheState {
  version: 1;
  file: string;
  generation: string;
  fingerprints: Record<string, Fingerprint>;
}

interface Cache {
  /** The relay store's folder. */
  store: string;
  fingerprints: Map<string, Fingerprint>;
  save(generation: string, fingerprints: Map<string, Fingerprint>): Promise<void>;
  forget(): Promise<void>;
}

/**
 * The file's content, extracted, kept in the plugin's storage between syncs: when the file has not
 * changed since this device last wrote it (same generation), it is not extracted again, and the
 * files already hashed are not hashed again. A file changed elsewhere is extracted afresh.
 */
async function openCache(storagePath: string, path: string, previous: OpenedContainer | null): Promise<Cache> {
  const dir = join(storagePath, 'cache', createHash('sha256').update(path).digest('hex').slice(0, 16));
  const stateFile = join(dir, 'state.json');
  const store = join(dir, 'store');
  const state = (await readFile(stateFile, 'utf8').then(JSON.parse, () => null)) as CacheState | null;
  const valid = previous !== null && state?.version === 1 && state.file === path && state.generation === previous.header.generation;
  if (valid) {
    // The copy at hand spares writing the content out again, not checking the file: a damaged
    // file is reported, never silently replaced.
    await verifyContainer(previous!);
  } else {
    await rm(dir, { recursive: true, force: true });
    await mkdir(store, { recursive: true });
    if (previous !== null) await extractContainer(previous, store);
  }
  const fingerprints = new Map(Object.entries(valid ? state!.fingerprints : {}));
  if (!valid && previous !== null) {
    // Just extracted: the stored hashes are known, with the files' fresh mtimes.
    for (const file of previous.index.files) {
      const { size, mtimeMs } = await stat(join(store, file.name));
      fingerprints.set(file.name, { size, mtimeMs, sha256: file.sha256 });
    }
  }
  // Until a sync writes the file, the folder may hold more than the file says.
  await rm(stateFile, { force: true });
  return {
    store,
    fingerprints,
    save: async (generation, updated) => {
      const next: CacheState = { version: 1, file: path, generation, fingerprints: Object.fromEntries(updated) };
      await writeFileAtomic(stateFile, JSON.stringify(next));
    },
    forget: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Runs one replication session between the project and the relay in `dir`. */
async function syncWithRelay(
  ctx: PluginContext,
  dir: string,
  path: string,
  options: FileSyncOptions,
): Promise<{ summary: SyncSummary; changed: boolean }> {
  const relay = await ctx.sync.openRelay(dir);
  const [deviceSide, fileSide] = duplexPair();
  const abort = () => device.cancel();
  const device = ctx.sync.replicate(deviceSide, { initiator: true, peer: { deviceName: basename(path), deviceType: 'file', address: path } });
  const file = relay.replicate(fileSide, { initiator: false });
  if (options.onProgress) device.on('progress', options.onProgress);
  options.signal?.addEventListener('abort', abort);
  try {
    const [summary] = await Promise.all([device.done, file.done]);
    const { changed } = await relay.close();
    return { summary, changed };
  } catch (error) {
    await relay.close().catch(() => undefined);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', abort);
    deviceSide.destroy();
    fileSide.destroy();
  }
}

function withExtension(path: string): string {
  return extname(path) === '' ? `${path}${EXTENSION}` : path;
}

/**
 * Refuses, before anything is synced, a place the file cannot be written to: a read-only folder,
 * or not enough free space for the new file beside the old one (in the worst case, the old file
 * plus all of this device's data).
 */
async function checkWritable(path: string, currentSize: number, storeSize: number): Promise<void> {
  const directory = dirname(path);
  try {
    await access(directory);
  } catch {
    throw new CairnError(ErrorCodes.IO, `The folder ${directory} does not exist; create it or choose another place for the sync file.`);
  }
  const probe = join(directory, `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(probe, 'w');
    await handle.close();
  } catch (error) {
    throw new CairnError(
      ErrorCodes.IO,
      `Cannot write in ${directory} (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}): is it read-only? Nothing was synced.`,
      { cause: error },
    );
  } finally {
    await rm(probe, { force: true });
  }
  const needed = currentSize + storeSize + 256 * 1024;
  const space = await statfs(directory).catch(() => null);
  if (space !== null) {
    const free = Number(space.bavail) * Number(space.bsize);
    if (free < needed) {
      const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MB`;
      throw new CairnError(
        ErrorCodes.IO,
        `Not enough free space in ${directory} for the sync file: about ${mb(needed)} may be needed, ${mb(free)} is free. Free some space or use a larger drive; nothing was synced.`,
      );
    }
  }
}


