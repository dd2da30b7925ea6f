import type { InvocationContext, PeerSyncLine } from '@cairn/sdk/common';

/** A sync with one device, as `cairn sync internet` prints it. */
export type InternetPeerResult = PeerSyncLine;

/** The plugin's host service, as its workbench side calls it. */
export interface SyncInternetService {
  /** One run: meets the project's devices (and the archive at `connect`, if given) and syncs with the first to come. */
  sync(request: { connect?: string }, invocation: InvocationContext): Promise<InternetPeerResult[]>;
}

export const SYNC_INTERNET_SERVICE = 'sync-internet';
