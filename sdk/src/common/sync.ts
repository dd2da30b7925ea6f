/** Progress and results of a sync session, as reported to the user. */

export interface HaveWant {
  /** How many items this device holds of what the session is exchanging. */
  have: number;
  /** How many items the session is still to fetch. */
  want: number;
}

export interface SyncProgress {
  documents: HaveWant;
  attachments: HaveWant;
  bytes: { sent: number; received: number };
}

/** What one side of a sync session sent or received. */
export interface SyncCounts {
  /**
   * Distinct observations the session brought versions of: new, edited or deleted. One edited
   * three times since the last sync counts once.
   */
  observations: number;
  /**
   * Distinct attachment files, told by their content: a photo attached to two observations, or
   * added on two devices, counts once.
   */
  attachments: number;
  /** Bytes on the wire. */
  bytes: number;
}

export interface SyncSummary {
  sent: SyncCounts;
  received: SyncCounts;
  /** The other side, once it has identified itself. */
  peer?: SyncPeer;
}

export interface SyncPeer {
  deviceId: string;
  deviceName: string;
  /** e.g. `desktop`, `mobile`, `file`. */
  deviceType?: string;
  address?: string;
}

/** A sync session as the workbench follows it: every session of the host, whichever transport started it. */
export interface SyncActivity {
  /** Unique per session, for as long as the host runs. */
  sessionId: number;
  state: 'running' | 'done' | 'failed';
  /** What is known of the other side (its name once it has said it). */
  peer: Partial<SyncPeer>;
  progress: SyncProgress | null;
  summary: SyncSummary | null;
  error: { code: string; message: string } | null;
}

/** How a sync with one device went, as `cairn sync wifi` and `cairn sync internet` print it (DESIGN §7). */
export interface PeerSyncLine {
  deviceId: string;
  deviceName: string;
  result: 'ok' | 'error';
  sent: SyncCounts | null;
  received: SyncCounts | null;
  error?: { code: string; message: string };
}
