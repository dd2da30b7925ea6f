// What the plugin (in the host) and its CoMapeo process say to each other over the process's IPC
// channel, and what the plugin's commands answer.

/** A member's role as Cairn names it; CoMapeo's creator is a coordinator too. */
export type MemberRole = 'coordinator' | 'participant' | 'blocked' | 'left' | 'none';

export interface ComapeoMember {
  deviceId: string;
  name: string | null;
  role: MemberRole;
  deviceType: string | null;
}

export interface ComapeoProjectStatus {
  projectName: string | null;
  projectId: string;
  /** This device's role in the project. */
  role: MemberRole;
  members: ComapeoMember[];
}

/** `cairn comapeo status`. */
export interface ComapeoStatus {
  deviceId: string;
  deviceName: string;
  project: ComapeoProjectStatus | null;
}

/** What the plugin asks the process to do, by method name: parameters and result. */
export interface ManagerMethods {
  status: { params: { projectId: string | null }; result: Omit<ComapeoStatus, 'deviceName'> & { deviceName: string | null } };
  createProject: { params: { name: string }; result: { projectId: string } };
  /**
   * Makes this device reachable by CoMapeo devices, and has it dial those it finds: its discovery
   * server's name and port, announced by mDNS on `host` (else a LAN address).
   */
  listen: { params: { host: string | null }; result: { name: string; port: number; host: string } };
  /** Dials a CoMapeo device at an address, for networks without multicast. */
  connect: { params: { address: string; port: number }; result: null };
  /** Waits for an invite from a coordinator (or takes the pending one of that id), and accepts it. */
  acceptInvite: { params: { timeoutMs: number; inviteId?: string }; result: JoinResult };
  rejectInvite: { params: { inviteId: string }; result: null };
  /** The CoMapeo devices in reach, and the invites waiting for an answer. */
  reach: { params: Record<string, never>; result: Reach };
  /** Invites a device in reach (by its id or its name, or the first that is not a member) to the project. */
  invite: { params: { projectId: string; deviceId?: string | null; deviceName: string | null; role: InvitedRole; timeoutMs: number }; result: InviteResult };
  /**
   * Syncs the project with every member in reach until `waitPeers` of them hold what this device
   * holds and it holds theirs (or the time is up).
   */
  sync: { params: { projectId: string; waitPeers: number; timeoutMs: number; deviceId?: string | null }; result: { peers: ComapeoPeer[]; timedOut: boolean } };
  /** Every observation and track (deleted ones too), category and field of the project. */
  readDocs: { params: { projectId: string }; result: ComapeoDocs };
  /** Writes documents in order; each result is the version written. */
  writeDocs: { params: { projectId: string; writes: DocWrite[] }; result: ComapeoDoc[] };
  /** Stores a file, and a photo's smaller copies, as one CoMapeo attachment. */
  createBlob: { params: { projectId: string; files: Partial<Record<BlobVariant, string>> & { original: string }; mimeType: string }; result: BlobRef };
  /** Writes attachments' bytes to files; null for each not (yet) on this device. */
  readBlobs: { params: { projectId: string; blobs: Array<{ ref: BlobRef; variant: BlobVariant; path: string }> }; result: Array<{ mimeType: string; size: number } | null> };
}

export interface Reach {
  devices: Array<ComapeoPeer & { connected: boolean }>;
  invites: PendingInvite[];
}

/** An invite to a CoMapeo project, waiting for this device's answer. */
export interface PendingInvite {
  inviteId: string;
  projectName: string | null;
  invitedBy: string | null;
}

export interface ComapeoPeer {
  deviceId: string;
  deviceName: string | null;
  deviceType: string | null;
}

export type DocKind = 'observation' | 'preset' | 'field' | 'track';

/** A CoMapeo document's current version as the process hands it over: its schema's fields in `value`. */
export interface ComapeoDoc {
  docId: string;
  versionId: string;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  deleted: boolean;
  /** Heads that lost a concurrent edit. */
  forks: string[];
  value: Record<string, unknown>;
}

export interface ComapeoDocs {
  observations: ComapeoDoc[];
  presets: ComapeoDoc[];
  fields: ComapeoDoc[];
  tracks: ComapeoDoc[];
}

export type DocWrite =
  | { kind: DocKind; op: 'create'; value: Record<string, unknown> }
  /** Replaces every head given (the current version and its forks). */
  | { kind: DocKind; op: 'update'; heads: string[]; value: Record<string, unknown> }
  | { kind: DocKind; op: 'delete'; docId: string };

export type BlobVariant = 'original' | 'preview' | 'thumbnail';

/** Where a CoMapeo attachment's bytes are: what an observation's `attachments` hold. */
export interface BlobRef {
  driveDiscoveryId: string;
  name: string;
  type: string;
  /** SHA-256 (hex) of the original. */
  hash: string;
}

/** `cairn comapeo join`. */
export interface JoinResult {
  projectName: string | null;
  projectId: string;
  role: MemberRole;
  /** The name of the device that invited this one. */
  invitedBy: string | null;
}

export type InvitedRole = 'participant' | 'coordinator';

/** `cairn comapeo invite`. */
export interface InviteResult {
  deviceId: string;
  deviceName: string | null;
  role: InvitedRole;
  /** What the device answered; `already` when it is a member (nothing was sent). */
  decision: 'accept' | 'reject' | 'already';
}

/** `cairn comapeo sync`. */
export interface ComapeoSyncResult {
  peers: Array<ComapeoPeer & { result: 'ok' }>;
  received: { observations: number; attachments: number; categories: number; tracks: number };
  sent: { observations: number; attachments: number; categories: number; tracks: number };
}

export type ManagerMethod = keyof ManagerMethods;

/** The plugin → the process. */
export type ToManager =
  | { type: 'start'; rootKey: string; storageDir: string; deviceName: string }
  | { type: 'call'; id: number; method: ManagerMethod; params: unknown }
  | { type: 'close' };

/** The process → the plugin. */
export type FromManager =
  | { type: 'ready'; deviceId: string }
  | { type: 'reply'; id: number; result: unknown }
  | { type: 'reply'; id: number; error: { code: string; message: string } }
  | { type: 'failed'; error: { code: string; message: string } }
  /** The devices in reach or the invites changed. */
  | { type: 'reach' }
  | { type: 'closed' };

/** The workbench's CoMapeo section, as the plugin's service tells it. */
export interface ComapeoWorkbenchState {
  /** The CoMapeo side runs: this device is visible to CoMapeo devices and sees them. */
  running: boolean;
  /** The data dir has a Cairn project (a CoMapeo project can be made for it). */
  hasCairnProject: boolean;
  /** This device's CoMapeo id, while running. */
  deviceId: string | null;
  deviceName: string | null;
  /** `HOST:PORT` CoMapeo devices reach this one at, while running. */
  address: string | null;
  /** The linked CoMapeo project; while not running, only its id is known. */
  project: ComapeoProjectStatus | { projectId: string } | null;
  devices: Array<ComapeoPeer & { connected: boolean; role: MemberRole | null; lastSynced: string | null }>;
  invites: PendingInvite[];
  syncing: boolean;
  /** The last sync's result, or why it failed. */
  lastSync: { result: ComapeoSyncResult | null; error: { code: string; message: string } | null; at: string } | null;
}

/** The plugin's host service, as its workbench side calls it. */
export interface ComapeoService {
  state(): Promise<ComapeoWorkbenchState>;
  setRunning(on: boolean): Promise<ComapeoWorkbenchState>;
  connect(address: string): Promise<ComapeoWorkbenchState>;
  create(name: string | null): Promise<ComapeoWorkbenchState>;
  answerInvite(inviteId: string, accept: boolean): Promise<ComapeoWorkbenchState>;
  invite(deviceId: string, role: InvitedRole): Promise<InviteResult>;
  /** Syncs with one device (by id) or with every member in reach, and bridges. */
  sync(deviceId: string | null): Promise<ComapeoSyncResult>;
}

export const COMAPEO_SERVICE = 'comapeo';
/** The service's event carrying a new {@link ComapeoWorkbenchState}. */
export const COMAPEO_STATE_EVENT = 'state';
