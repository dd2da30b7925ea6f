import { basename } from 'node:path';
import { CairnError, ErrorCodes, errorReport, type InvocationContext, type PluginContext, type ProgressReport, type SyncProgress } from '@cairn/sdk';
import { SYNC_FILE_SERVICE, type SyncFileService } from '../common/protocol.js';
import { syncWithFile, type FileSyncResult } from './sync-file.js';

export function activate(ctx: PluginContext): void {
  // The part size can be lowered (FAT32's 4 GiB limit is otherwise hard to reach in a test).
  const partBytes = Number(process.env.CAIRN_SYNC_FILE_PART_BYTES) || undefined;
  const sync = (path: string, onProgress?: (progress: SyncProgress) => void, signal?: AbortSignal) =>
    ctx.progress(`Syncing with ${basename(path)}`, (report) =>
      syncWithFile(ctx, path, {
        ...(partBytes && { partBytes }),
        ...(signal && { signal }),
        onProgress: (progress) => {
          onProgress?.(progress);
          report(toReport(progress));
        },
      }),
    );

  // `cairn sync file PATH`, the command palette, and `cairn run sync-file.sync '"PATH"'`.
  ctx.subscriptions.push(
    ctx.commands.register('sync-file.sync', (input: unknown): Promise<FileSyncResult> => sync(pathOf(input))),
  );

  // The transport: how the Sync view (and any other plugin) syncs with a file.
  ctx.subscriptions.push(
    ctx.sync.registerTransport({
      id: 'file',
      title: 'Sync with a file',
      async sync({ target, onProgress, signal }) {
        const path = pathOf(target);
        const peer = { deviceId: '', deviceName: basename(path), deviceType: 'file', address: path };
        try {
          const result = await sync(path, onProgress ? (progress) => onProgress(progress, peer) : undefined, signal);
          return [{ peer: { ...peer, address: result.file }, result: 'ok', summary: { sent: result.sent, received: result.received } }];
        } catch (error) {
          return [{ peer, result: 'error', error: errorReport(error) }];
        }
      },
    }),
  );

  // For the workbench's Sync view, which shows the progress it is sent (not the host's own).
  ctx.subscriptions.push(
    ctx.services.register(SYNC_FILE_SERVICE, {
      sync: (path: string, invocation: InvocationContext) =>
        syncWithFile(ctx, pathOf(path), {
          ...(partBytes && { partBytes }),
          signal: invocation.signal,
          onProgress: (progress) => invocation.progress(toReport(progress)),
        }),
    } satisfies SyncFileService),
  );
}

/** Documents and attachments still to move, as a percentage of all. */
function toReport(progress: SyncProgress): ProgressReport {
  const want = progress.documents.want + progress.attachments.want;
  const have = progress.documents.have + progress.attachments.have;
  return { message: `${want} to go`, percent: have + want === 0 ? 100 : (100 * have) / (have + want) };
}

function pathOf(input: unknown): string {
  const path = typeof input === 'string' ? input : (input as { path?: unknown } | undefined)?.path;
  if (typeof path !== 'string' || path.trim() === '') {
    throw new CairnError(ErrorCodes.INVALID_INPUT, 'Give the path of the sync file, e.g. /media/usb/survey.cairnsync.');
  }
  return path;
}
