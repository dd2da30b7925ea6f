import type { InvocationContext, SyncCounts } from '@cairn/sdk/common';

/** A sync with one device, as `cairn sync internet` prints it. */
export interface InternetPeerResult {
  deviceId: string;
  deviceName: string;
  result: 'ok' | 'error';
  sent: SyncCounts | null;
  received: SyncCounts | null;
  error?: { code: string; message: string };
}

/** The plugin's host service, as its workbench side calls it. */
export interface SyncInternetService {
  /** One run: meets the project's devices (and the archive at `connect`, if given) and syncs with the first to come. */
  sync(request: { connect?: string }, invocation: InvocationContext): Promise<InternetPeerResult[]>;
}

export const SYNC_INTERNET_SERVICE = 'sync-internet';
