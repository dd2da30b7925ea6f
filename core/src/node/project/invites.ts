import NoiseSecretStream from '@hyperswarm/secret-stream';
import c from 'compact-encoding';
import Protomux from 'protomux';
import { CairnError, ErrorCodes, memberRoles, type DuplexStream, type InviteOffer, type InviteResult, type JoinResult, type MemberRole } from '@cairn/sdk';
import { deviceIdOf, proveDevice, verifyDevice, type DeviceSigner, type NoiseBinding } from './device-proof.js';
import { codeProof, proofHolds, type ClaimedCode } from './invite-codes.js';

/**
 * An invite, over any duplex stream a transport brings (a TCP connection on the LAN, say): a
 * Noise handshake, then on Cairn's invite channel the coordinator offers the project and a role,
 * the device waiting to join accepts or declines, and only then is the project key sent, over the
 * encrypted connection. The new member proves its device key on that connection, and the
 * coordinator records it with the role before saying welcome.
 *
 * With an invite code (invite-codes.ts), the device that joins first proves it holds a code, the
 * coordinator answers with the code's role and proves it holds the code too, and the device takes
 * the offer it asked for without being asked.
 */

const INVITE_CHANNEL = 'cairn/invite';
const INVITE_PROTOCOL_VERSION = 1;

interface Hello {
  protocol: 'cairn-invite';
  version: number;
  side: 'coordinator' | 'joiner';
  deviceName: string;
  deviceType: string;
  /** The invite is by code: the coordinator answers codes, the device gives one. */
  code?: boolean;
}

type Message =
  | { kind: 'code'; codeId: string; proof: string }
  | { kind: 'offer'; offer: InviteOffer; deviceId: string; deviceSigner: string; deviceProof: string; codeProof?: string }
  | { kind: 'answer'; accept: boolean }
  | { kind: 'keys'; projectKey: string }
  | { kind: 'joined'; deviceId: string; deviceSigner: string; deviceProof: string }
  | { kind: 'welcome' }
  | { kind: 'error'; code: string; message: string };

/** What the coordinator's side needs from its project. */
export interface InviterContext {
  offer: InviteOffer;
  projectKey: string;
  deviceName: string;
  deviceType: string;
  signer: DeviceSigner;
  /** Records the new member with its role (and seals the epoch keys to it). */
  admit(deviceId: string, signer: Buffer, deviceName: string, role: MemberRole): Promise<void>;
  /** Answering invite codes: the role is the code's, once the other device proves it holds it. */
  codes?: { claim(id: unknown): Promise<ClaimedCode> };
}

/** What the joining side needs: to make the project once it has the key, and say who it now is. */
export interface JoinerContext {
  deviceName: string;
  deviceType: string;
  accept(offer: InviteOffer): boolean | Promise<boolean>;
  /** Creates the data dir's project with the key; returns the new device's id and signer. */
  create(projectKey: string): Promise<{ deviceId: string; signer: DeviceSigner }>;
  /** Joining with an invite code: its key and id (invite-codes.ts `codeSecret`). */
  code?: { key: Buffer; id: string };
}

interface Channel {
  send(message: Message): void;
  next(): Promise<Message>;
  hello: Promise<Hello>;
  noise: NoiseSecretStream;
  close(): void;
}

function openChannel(stream: DuplexStream, initiator: boolean, hello: Hello, timeoutMs: number): Channel {
  const noise = new NoiseSecretStream(initiator, stream as never);
  const mux = Protomux.from(noise);
  const inbox: Message[] = [];
  const waiting: Array<{ resolve: (message: Message) => void; reject: (error: Error) => void }> = [];
  let ended: CairnError | null = null;
  let helloOf!: (remote: Hello) => void;
  let noHello!: (error: Error) => void;
  const remoteHello = new Promise<Hello>((resolve, reject) => {
    helloOf = resolve;
    noHello = reject;
  });
  remoteHello.catch(() => undefined);
  const end = (error: CairnError) => {
    ended ??= error;
    noHello(ended);
    for (const waiter of waiting.splice(0)) waiter.reject(ended);
  };
  const channel = mux.createChannel({
    protocol: INVITE_CHANNEL,
    handshake: c.json,
    onopen: (remote: Hello) => helloOf(remote),
    onclose: () => end(new CairnError(ErrorCodes.DISCONNECTED, 'The other device closed the connection before the invite was settled.')),
  });
  if (channel === null) throw new CairnError(ErrorCodes.INTERNAL, 'An invite is already running on this connection.');
  const message = channel.addMessage({
    encoding: c.json,
    onmessage: (received: Message) => {
      const waiter = waiting.shift();
      if (waiter !== undefined) waiter.resolve(received);
      else inbox.push(received);
    },
  });
  noise.on('error', () => undefined);
  noise.on('close', () => end(new CairnError(ErrorCodes.DISCONNECTED, 'The connection closed before the invite was settled.')));
  const timer = setTimeout(() => {
    end(new CairnError(ErrorCodes.TIMEOUT, `The other device did not answer within ${Math.round(timeoutMs / 1000)} s.`));
    noise.destroy();
  }, timeoutMs);
  channel.open(hello);
  return {
    send: (outgoing) => message.send(outgoing),
    next: () => {
      const queued = inbox.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      if (ended !== null) return Promise.reject(ended);
      return new Promise<Message>((resolve, reject) => waiting.push({ resolve, reject }));
    },
    hello: remoteHello,
    noise,
    close: () => {
      clearTimeout(timer);
      // Give the last message a moment to leave.
      noise.end();
      setTimeout(() => noise.destroy(), 500).unref();
    },
  };
}

async function awaitMessage<K extends Message['kind']>(channel: Channel, kind: K): Promise<Extract<Message, { kind: K }>> {
  const message = await channel.next();
  if (message?.kind === 'error') throw new CairnError(codeOf(message.code), `The other device ended the invite: ${String(message.message)}`);
  if (message?.kind !== kind) throw new CairnError(ErrorCodes.PROTOCOL_VERSION, `The other device said '${String(message?.kind)}' where '${kind}' was due: it runs an incompatible Cairn.`);
  return message as Extract<Message, { kind: K }>;
}

function codeOf(code: string): (typeof ErrorCodes)[keyof typeof ErrorCodes] {
  return (Object.values(ErrorCodes) as string[]).includes(code) ? (code as (typeof ErrorCodes)[keyof typeof ErrorCodes]) : ErrorCodes.INTERNAL;
}

/** The connection's handshake, once open (proofs are made and checked after it). */
function binding(noise: NoiseSecretStream): NoiseBinding {
  return { handshakeHash: noise.handshakeHash!, isInitiator: noise.isInitiator };
}

function checkHello(hello: Hello, side: Hello['side'], code: boolean): void {
  if (hello?.protocol !== 'cairn-invite' || typeof hello.version !== 'number') {
    throw new CairnError(ErrorCodes.PROTOCOL_VERSION, 'The other device does not speak Cairn\'s invite protocol.');
  }
  if (hello.version !== INVITE_PROTOCOL_VERSION) {
    throw new CairnError(ErrorCodes.PROTOCOL_VERSION, `The other device speaks invite protocol ${hello.version}, this one ${INVITE_PROTOCOL_VERSION}: update Cairn on the older one.`);
  }
  if (hello.side !== side) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, hello.side === 'coordinator' ? 'The other device is inviting too: run `cairn join` on the device that joins.' : 'The other device is waiting to join too: run `cairn invite` on a coordinator\'s device.');
  }
  if ((hello.code === true) !== code) {
    throw new CairnError(
      ErrorCodes.INVALID_INPUT,
      code ? 'The other device invites without a code: join it with `cairn join`, not with a code.' : 'The other device joins with an invite code: a coordinator answers codes while it syncs over Wi-Fi, not with `cairn invite`.',
    );
  }
}

/** The coordinator's side: offers, and on acceptance sends the key and records the new member. */
export async function runInvite(stream: DuplexStream, initiator: boolean, context: InviterContext, timeoutMs: number): Promise<InviteResult> {
  const byCode = context.codes !== undefined;
  const channel = openChannel(stream, initiator, { protocol: 'cairn-invite', version: INVITE_PROTOCOL_VERSION, side: 'coordinator', deviceName: context.deviceName, deviceType: context.deviceType, code: byCode }, timeoutMs);
  let claimed: ClaimedCode | null = null;
  try {
    const hello = await channel.hello;
    checkHello(hello, 'joiner', byCode);
    await channel.noise.opened;
    const { handshakeHash } = binding(channel.noise);
    let offer = context.offer;
    if (context.codes !== undefined) {
      // Nothing of the project is said before the other device proves it holds a code of this one's.
      const { codeId, proof } = await awaitMessage(channel, 'code');
      claimed = await context.codes.claim(codeId);
      if (!proofHolds(claimed.key, 'joiner', handshakeHash, proof)) {
        throw new CairnError(ErrorCodes.NOT_PERMITTED, 'The device named an invite code without proving it holds it; nothing was sent to it.');
      }
      offer = { ...offer, role: claimed.role };
    }
    channel.send({
      kind: 'offer',
      offer,
      deviceId: deviceIdOf(context.signer.publicKey),
      ...proveDevice(context.signer, binding(channel.noise)),
      ...(claimed !== null && { codeProof: codeProof(claimed.key, 'coordinator', handshakeHash) }),
    });
    const { accept } = await awaitMessage(channel, 'answer');
    const deviceName = String(hello.deviceName ?? 'Unknown device');
    if (accept !== true) return { deviceId: null, deviceName, role: offer.role, decision: 'declined' };
    // Spent before the key leaves: however the rest goes, the code lets no second device in.
    await claimed?.spend();
    channel.send({ kind: 'keys', projectKey: context.projectKey });
    const joined = await awaitMessage(channel, 'joined');
    const signer = verifyDevice(binding(channel.noise), joined.deviceId, joined.deviceSigner, joined.deviceProof);
    if (signer === null) throw new CairnError(ErrorCodes.NOT_PERMITTED, 'The device that accepted could not prove its device key; it was not recorded as a member.');
    await context.admit(joined.deviceId, signer, deviceName, offer.role);
    await claimed?.usedBy(joined.deviceId);
    channel.send({ kind: 'welcome' });
    return { deviceId: joined.deviceId, deviceName, role: offer.role, decision: 'accepted' };
  } catch (error) {
    if (error instanceof CairnError && error.code !== ErrorCodes.DISCONNECTED && error.code !== ErrorCodes.TIMEOUT) {
      channel.send({ kind: 'error', code: error.code, message: error.message });
    }
    throw error;
  } finally {
    claimed?.release();
    channel.close();
  }
}

/** The joining side: hears the offer, answers, and on acceptance makes the project from the key it gets. */
export async function runJoin(stream: DuplexStream, initiator: boolean, context: JoinerContext, timeoutMs: number): Promise<JoinResult | { declined: InviteOffer }> {
  const { code } = context;
  const channel = openChannel(stream, initiator, { protocol: 'cairn-invite', version: INVITE_PROTOCOL_VERSION, side: 'joiner', deviceName: context.deviceName, deviceType: context.deviceType, code: code !== undefined }, timeoutMs);
  try {
    checkHello(await channel.hello, 'coordinator', code !== undefined);
    await channel.noise.opened;
    if (code !== undefined) channel.send({ kind: 'code', codeId: code.id, proof: codeProof(code.key, 'joiner', binding(channel.noise).handshakeHash) });
    const { offer, deviceId, deviceSigner, deviceProof, codeProof: theirs } = await awaitMessage(channel, 'offer');
    if (verifyDevice(binding(channel.noise), deviceId, deviceSigner, deviceProof) === null) {
      throw new CairnError(ErrorCodes.NOT_PERMITTED, 'The inviting device could not prove its device key; the invite was refused.');
    }
    if (code !== undefined && !proofHolds(code.key, 'coordinator', binding(channel.noise).handshakeHash, theirs)) {
      throw new CairnError(ErrorCodes.NOT_PERMITTED, 'The device that answered does not hold this invite code; nothing was taken from it.');
    }
    if (!isOffer(offer)) throw new CairnError(ErrorCodes.PROTOCOL_VERSION, 'The invite is not one this Cairn understands.');
    const accept = await context.accept(offer);
    channel.send({ kind: 'answer', accept });
    if (!accept) return { declined: offer };
    const { projectKey } = await awaitMessage(channel, 'keys');
    if (typeof projectKey !== 'string' || !/^[0-9a-f]{64}$/.test(projectKey)) throw new CairnError(ErrorCodes.PROTOCOL_VERSION, 'The invite carried no valid project key.');
    const created = await context.create(projectKey);
    channel.send({ kind: 'joined', deviceId: created.deviceId, ...proveDevice(created.signer, binding(channel.noise)) });
    await awaitMessage(channel, 'welcome');
    return { projectName: offer.projectName, role: offer.role, invitedBy: offer.invitedBy.deviceName };
  } finally {
    channel.close();
  }
}

function isOffer(offer: InviteOffer): boolean {
  return (
    typeof offer === 'object' && offer !== null && memberRoles.includes(offer.role) &&
    (offer.projectName === null || typeof offer.projectName === 'string') &&
    typeof offer.invitedBy?.deviceName === 'string' && typeof offer.invitedBy.deviceId === 'string'
  );
}

/** Checks `--role` as users give it. */
export function inviteRole(role: unknown): MemberRole {
  if (role === undefined) return 'participant';
  if (!memberRoles.includes(role as MemberRole)) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `--role must be participant or coordinator; got '${String(role)}'.`);
  }
  return role as MemberRole;
}
