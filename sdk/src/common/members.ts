/**
 * Who may do what in a project. Coordinators invite, set roles, remove devices and change the
 * categories, fields and project settings; participants add, edit and delete observations and
 * tracks. Every device enforces the roles on what it receives, not only on what it writes.
 */
export type MemberRole = 'coordinator' | 'participant';

/**
 * `active`: a member. `asking`: a device that joined with the project key after a removal, and
 * gets nothing until a coordinator admits it. `removed`, `left`: for good.
 */
export type MemberStatus = 'active' | 'asking' | 'removed' | 'left';

/** A device of the project as `cairn members` lists it. */
export interface Member {
  deviceId: string;
  deviceName: string;
  deviceType: string;
  role: MemberRole;
  status: MemberStatus;
  /** The coordinator that added it, or null for a device that joined with the key before roles mattered. */
  addedBy: string | null;
  addedAt: string | null;
  /** This device. */
  self: boolean;
}

export const memberRoles: readonly MemberRole[] = ['participant', 'coordinator'];

/** What a coordinator offers a device waiting to join. */
export interface InviteOffer {
  projectName: string | null;
  role: MemberRole;
  invitedBy: { deviceId: string; deviceName: string };
}

/** How an invite ended, on the coordinator's side (`cairn invite`). */
export interface InviteResult {
  /** The new member's id; null when it declined. */
  deviceId: string | null;
  deviceName: string;
  role: MemberRole;
  decision: 'accepted' | 'declined';
}

/** What a device that joined by invite joined (`cairn join`). */
export interface JoinResult {
  projectName: string | null;
  role: MemberRole;
  /** The name of the coordinator's device. */
  invitedBy: string;
}

/** A one-time invite code (`cairn invite --code`): one device joins with it, before `expiresAt`. */
export interface InviteCode {
  /** 16 letters and digits in groups of four, e.g. `7K3Q-9XWD-M2RA-E5TB`. */
  code: string;
  /** ISO time. */
  expiresAt: string;
  role: MemberRole;
}
