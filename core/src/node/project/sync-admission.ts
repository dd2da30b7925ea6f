import { CairnError, ErrorCodes } from '@cairn/sdk';
import type { Roster } from '../../common/roster.js';
import type { HandshakeProblem, SyncHandshake } from './sync-protocol.js';

/**
 * Who a device syncs with, once the peer has proven the project key and its device id: the
 * roster is checked before anything moves, on every transport. A device that is no longer a
 * member (removed, or left) syncs with nobody, and nobody syncs with it; a device that joined
 * with the key after a removal is told to wait until a coordinator admits it.
 */
export interface Admission {
  roster: Roster;
  selfId: string;
  /** Relays this process opened (sync files): not devices, and not in the roster. */
  isLocalRelay(deviceId: string): boolean;
  /** A device was turned away as not admitted: coordinators list it as asking. */
  onAsking?(peer: SyncHandshake['device'], signer: string): void;
}

export function admissionProblem(admission: Admission, remote: SyncHandshake, peer: string): HandshakeProblem | null {
  const { roster, selfId } = admission;
  const selfStatus = roster.status(selfId);
  if (selfStatus === 'removed' || selfStatus === 'left') {
    return {
      here: new CairnError(
        ErrorCodes.REMOVED,
        `This device ${selfStatus === 'left' ? 'has left' : 'was removed from'} the project: it can no longer sync with its members. Nothing was exchanged.`,
      ),
      toPeer: { code: ErrorCodes.REMOVED, message: 'removed', removed: 'sender' },
    };
  }
  const deviceId = remote.device.deviceId;
  if (admission.isLocalRelay(deviceId)) return null;
  const status = roster.status(deviceId);
  if (status === 'removed' || status === 'left') {
    return {
      here: new CairnError(ErrorCodes.REMOVED, `${peer} is no longer a member of the project (it was removed, or it left); nothing was exchanged.`),
      toPeer: { code: ErrorCodes.REMOVED, message: 'removed', removed: 'receiver' },
    };
  }
  if (status === 'asking') {
    admission.onAsking?.(remote.device, remote.deviceSigner);
    return {
      here: new CairnError(
        ErrorCodes.NOT_PERMITTED,
        `${peer} asks to join the project and has not been admitted: a coordinator can let it in with \`cairn members admit ${deviceId.slice(0, 8)}\`. Nothing was exchanged.`,
      ),
      toPeer: {
        code: ErrorCodes.NOT_PERMITTED,
        message: `this device is not admitted to the project yet; a coordinator must admit it (\`cairn members admit ${deviceId.slice(0, 8)}\` on their device)`,
      },
    };
  }
  return null;
}
