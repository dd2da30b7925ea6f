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
