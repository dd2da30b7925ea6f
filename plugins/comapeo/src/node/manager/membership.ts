// Joining and inviting, as the CoMapeo apps do it: a coordinator invites a device in reach, and
// the device accepts. Runs in the CoMapeo process (manager-process.ts).
import type { MapeoManager } from '@comapeo/core';
import type { InviteResult, InvitedRole, JoinResult, MemberRole, PendingInvite } from '../../common/protocol.js';

/** CoMapeo's role ids (`roles` of @comapeo/core exports the first three only). */
const CREATOR_ROLE_ID = 'a12a6702b93bd7ff';
const COORDINATOR_ROLE_ID = 'f7c150f5a3a9a855';
const MEMBER_ROLE_ID = '012fd2d431c0bf60';
const ROLE_NAMES: Record<string, MemberRole> = {
  [CREATOR_ROLE_ID]: 'coordinator',
  [COORDINATOR_ROLE_ID]: 'coordinator',
  [MEMBER_ROLE_ID]: 'participant',
  '9e6d29263cba36c9': 'blocked',
  '8ced989b1904606b': 'left',
};

export const roleOf = (roleId: string): MemberRole => ROLE_NAMES[roleId] ?? 'none';

/** An error the plugin passes on with its code. */
export function coded(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

type Invite = { inviteId: string; projectName?: string; invitorName?: string; state?: string };
type LocalPeer = { deviceId: string; name?: string; status: string };

export async function acceptInvite(manager: MapeoManager, timeoutMs: number, inviteId?: string): Promise<JoinResult> {
  const invite = await nextInvite(manager, timeoutMs, inviteId);
  const projectId = await manager.invite.accept({ inviteId: invite.inviteId });
  const project = await manager.getProject(projectId);
  const [settings, own] = await Promise.all([project.$getProjectSettings(), project.$getOwnRole()]);
  return { projectId, projectName: settings.name ?? invite.projectName ?? null, role: roleOf(own.roleId), invitedBy: invite.invitorName ?? null };
}

export function rejectInvite(manager: MapeoManager, inviteId: string): null {
  const invite = (manager.invite.getMany() as Invite[]).find((candidate) => candidate.inviteId === inviteId && isPending(candidate));
  if (invite === undefined) throw coded('ERR_NOT_FOUND', 'That invite is no longer waiting for an answer (it was answered, or its sender cancelled it).');
  manager.invite.reject({ inviteId });
  return null;
}

/** The invites waiting for an answer. */
export function pendingInvites(manager: MapeoManager): PendingInvite[] {
  return (manager.invite.getMany() as Invite[]).filter(isPending).map((invite) => ({ inviteId: invite.inviteId, projectName: invite.projectName ?? null, invitedBy: invite.invitorName ?? null }));
}

const isPending = (invite: Invite) => invite.state === undefined || invite.state === 'pending';

/** A pending invite (the one of that id, when given), or the next one to come. */
function nextInvite(manager: MapeoManager, timeoutMs: number, inviteId?: string): Promise<Invite> {
  if (inviteId !== undefined && !(manager.invite.getMany() as Invite[]).some((invite) => invite.inviteId === inviteId && isPending(invite))) {
    return Promise.reject(coded('ERR_NOT_FOUND', 'That invite is no longer waiting for an answer (it was answered, or its sender cancelled it).'));
  }
  const pending = (invite: Invite) => isPending(invite) && (inviteId === undefined || invite.inviteId === inviteId);
  return firstOf<Invite>({
    watch: (check) => {
      const onInvite = (invite: Invite) => check([invite]);
      manager.invite.on('invite-received', onInvite as never);
      check(manager.invite.getMany() as Invite[]);
      return () => manager.invite.off('invite-received', onInvite as never);
    },
    wanted: pending,
    timeoutMs,
    timedOut: `No CoMapeo invite came within ${Math.round(timeoutMs / 1000)} s. On a coordinator's phone, invite this device (it is in reach while this command runs), or give its address with --connect HOST:PORT.`,
  });
}

export async function invite(
  manager: MapeoManager,
  { projectId, deviceId = null, deviceName, role, timeoutMs }: { projectId: string; deviceId?: string | null; deviceName: string | null; role: InvitedRole; timeoutMs: number },
): Promise<InviteResult> {
  const project = await manager.getProject(projectId);
  if (roleOf((await project.$getOwnRole()).roleId) !== 'coordinator') {
    throw coded('ERR_NOT_PERMITTED', 'Only a coordinator of the CoMapeo project can invite, and this device is not one: ask a coordinator to invite the device.');
  }
  const members = new Set((await project.$member.getMany()).map((member) => member.deviceId));
  const wanted = (peer: LocalPeer) =>
    peer.status === 'connected' &&
    peer.name !== undefined &&
    (deviceId !== null ? peer.deviceId === deviceId : deviceName === null ? !members.has(peer.deviceId) : peer.name === deviceName);
  const peer = await peerInReach(manager, wanted, timeoutMs, deviceName);
  if (members.has(peer.deviceId)) return { deviceId: peer.deviceId, deviceName: peer.name ?? null, role, decision: 'already' };
  const answer = await withTimeout(
    project.$member.invite(peer.deviceId, { roleId: role === 'coordinator' ? COORDINATOR_ROLE_ID : MEMBER_ROLE_ID }),
    timeoutMs,
    `${peer.name ?? 'The device'} did not answer the invite within ${Math.round(timeoutMs / 1000)} s; ask them to accept it, and run again.`,
  );
  const decision = ({ ACCEPT: 'accept', REJECT: 'reject', ALREADY: 'already' } as const)[String(answer) as 'ACCEPT' | 'REJECT' | 'ALREADY'] ?? 'reject';
  return { deviceId: peer.deviceId, deviceName: peer.name ?? null, role, decision };
}

/** The first device in reach that `wanted` picks, as soon as there is one. */
function peerInReach(manager: MapeoManager, wanted: (peer: LocalPeer) => boolean, timeoutMs: number, deviceName: string | null): Promise<LocalPeer> {
  const which = deviceName === null ? 'No CoMapeo device that is not a member yet' : `No CoMapeo device named "${deviceName}"`;
  return firstOf<LocalPeer>({
    watch: (check) => {
      manager.on('local-peers', check as never);
      void Promise.resolve(manager.listLocalPeers()).then((peers) => check(peers as LocalPeer[]));
      return () => manager.off('local-peers', check as never);
    },
    wanted,
    timeoutMs,
    timedOut: `${which} came in reach within ${Math.round(timeoutMs / 1000)} s. Open CoMapeo on it, on the same network, or give its address with --connect HOST:PORT.`,
  });
}

/**
 * The first item `wanted` picks of those `watch` reports (what there is now, then what comes), or
 * ERR_TIMEOUT with `timedOut` after `timeoutMs`; the watch ends either way.
 */
function firstOf<T>({ watch, wanted, timeoutMs, timedOut }: { watch: (check: (items: readonly T[]) => void) => () => void; wanted: (item: T) => boolean; timeoutMs: number; timedOut: string }): Promise<T> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let unwatch: (() => void) | null = null;
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unwatch?.();
      done();
    };
    const timer = setTimeout(() => settle(() => reject(coded('ERR_TIMEOUT', timedOut))), timeoutMs);
    unwatch = watch((items) => {
      const found = items.find(wanted);
      if (found !== undefined) settle(() => resolve(found));
    });
    if (settled) unwatch();
  });
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(coded('ERR_TIMEOUT', message)), timeoutMs);
    }),
  ]);
}
