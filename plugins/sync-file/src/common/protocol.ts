import type { InvocationContext, SyncSummary } from '@cairn/sdk/common';

/** The plugin's host service, as its workbench side calls it. */
export interface SyncFileService {
  sync(path: string, invocation: InvocationContext): Promise<{ file: string; created: boolean; sent: SyncSummary['sent']; received: SyncSummary['received'] }>;
}

export const SYNC_FILE_SERVICE = 'sync-file';
