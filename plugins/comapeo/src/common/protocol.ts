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
  /** Makes this device reachable by CoMapeo devices: the name and port of its discovery server. */
  listen: { params: Record<string, never>; result: { name: string; port: number } };
  /** Dials a CoMapeo device at an address, for networks without multicast. */
  connect: { params: { address: string; port: number }; result: null };
  /** Waits for an invite from a coordinator, and accepts it. */
  acceptInvite: { params: { timeoutMs: number }; result: JoinResult };
  /** Invites a device in reach (by its name, or the first that is not a member) to the project. */
  invite: { params: { projectId: string; deviceName: string | null; role: InvitedRole; timeoutMs: number }; result: InviteResult };
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
  | { type: 'closed' };
