import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { CairnError, ErrorCodes, type InviteCode, type MemberRole } from '@cairn/sdk';
import { readJsonFile, writeFileAtomic } from '../fs-util.js';

/**
 * One-time invite codes, for a device that is not in the same room: a coordinator makes one
 * (`cairn invite --code`), sends it by any means, and the device that types it in is let in with
 * the code's role by any coordinator's device holding it that is in reach. A code is 80 random
 * bits written in Crockford's base32 (no I, L, O or U: nothing to misread), in four groups of four.
 *
 * The code itself never crosses the network: a device names it by an id derived from it, and
 * both sides prove they hold it by a keyed hash of the connection's Noise handshake, so neither a
 * device that only heard the id nor one that relays the connection learns it or can use it.
 * The coordinator keeps only the key derived from each code (`invite-codes.json`), never its text.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_BYTES = 10;
const CODE_LENGTH = 16;
const DEFAULT_HOURS = 24;
/** A year: a code is for one device that will come soon, not a standing door. */
const MAX_HOURS = 24 * 366;
const FORGET_AFTER_MS = 30 * 86_400_000;

interface StoredCode {
  /** Hex: names the code on the network. */
  id: string;
  /** Hex: the key the proofs are made with. */
  key: string;
  role: MemberRole;
  createdAt: string;
  expiresAt: string;
  /** Set the moment the project key is sent on it: from then on it is spent, whatever follows. */
  usedAt?: string;
  /** The device that joined with it. */
  usedBy?: string;
}

interface CodesFile {
  version: 1;
  codes: StoredCode[];
}

/** The key and id a code's text stands for; `ERR_INVALID_INPUT` for text that is no code. */
export function codeSecret(text: string): { key: Buffer; id: string } {
  const normalized = normalizeCode(text);
  const key = createHash('sha256').update('cairn invite code\0').update(normalized).digest();
  return { key, id: createHmac('sha256', key).update('id').digest('hex').slice(0, 32) };
}

/** A proof, by one side of a connection, that it holds the code: bound to that connection. */
export function codeProof(key: Buffer, side: 'coordinator' | 'joiner', handshakeHash: Buffer): string {
  return createHmac('sha256', key).update(`${side}\0`).update(handshakeHash).digest('hex');
}

export function proofHolds(key: Buffer, side: 'coordinator' | 'joiner', handshakeHash: Buffer, proof: unknown): boolean {
  if (typeof proof !== 'string' || !/^[0-9a-f]{64}$/.test(proof)) return false;
  return timingSafeEqual(Buffer.from(codeProof(key, side, handshakeHash), 'hex'), Buffer.from(proof, 'hex'));
}

/** Upper case, without the dashes and spaces people add, with the letters people mistype mapped (I, L → 1; O → 0). */
function normalizeCode(text: string): string {
  const compact = String(text ?? '').toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  if (compact.length !== CODE_LENGTH || [...compact].some((char) => !ALPHABET.includes(char))) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `'${String(text)}' is not an invite code: a code is ${CODE_LENGTH} letters and digits in groups of four (like 7K3Q-9XWD-M2RA-E5TB), as \`cairn invite --code\` gave it.`);
  }
  return compact;
}

function newCodeText(): string {
  const bytes = randomBytes(CODE_BYTES);
  let bits = 0;
  let value = 0;
  let text = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      text += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return text.match(/.{4}/g)!.join('-');
}

/** `--expires` as users give it: hours above 0, at most a year; default a day. */
export function expiryHours(hours: unknown): number {
  if (hours === undefined) return DEFAULT_HOURS;
  const value = Number(hours);
  if (!Number.isFinite(value) || value <= 0 || value > MAX_HOURS) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `--expires: give the hours the code stays valid, above 0 and at most ${MAX_HOURS} (got '${String(hours)}').`);
  }
  return value;
}

/** What a coordinator's answer to a code needs: the role it lets in with, and the key to prove it by. */
export interface ClaimedCode {
  role: MemberRole;
  key: Buffer;
  /** The project key is about to be sent: the code is spent from now on. */
  spend(): Promise<void>;
  /** The device that joined with it, once it proved its id. */
  usedBy(deviceId: string): Promise<void>;
  /** The invite ended before the key was sent: the code may be used again. */
  release(): void;
}

/** The codes this device made, in its data dir. Writes are serialized, each one atomic. */
export class InviteCodes {
  private codes: StoredCode[] | null = null;
  private writing: Promise<void> = Promise.resolve();
  /** Codes an invite is running on right now: a second device with the same code waits its turn by being refused. */
  private readonly claimed = new Set<string>();

  constructor(private readonly dataDir: string) {}

  async create(role: MemberRole, hours: number, now = new Date()): Promise<InviteCode> {
    const code = newCodeText();
    const { key, id } = codeSecret(code);
    const expiresAt = new Date(now.getTime() + hours * 3_600_000).toISOString();
    // Codes long past their time are forgotten; one that expired lately still says so when tried.
    const forgotten = now.getTime() - FORGET_AFTER_MS;
    await this.update((codes) => [...codes.filter((known) => Date.parse(known.expiresAt) > forgotten), { id, key: key.toString('hex'), role, createdAt: now.toISOString(), expiresAt }]);
    return { code, expiresAt, role };
  }

  /** Ids of the codes that can still be used, for a device looking for the coordinator of its code. */
  async openIds(now = new Date()): Promise<string[]> {
    return (await this.read()).filter((code) => code.usedAt === undefined && !expired(code, now)).map((code) => code.id);
  }

  /**
   * Takes a code for the invite of one connection: `ERR_NOT_FOUND` when this device made no such
   * code, `ERR_INVITE_USED` once it was used (or while another device uses it),
   * `ERR_INVITE_EXPIRED` past its time.
   */
  async claim(id: unknown, now = new Date()): Promise<ClaimedCode> {
    const code = (await this.read()).find((known) => known.id === id);
    if (code === undefined) throw new CairnError(ErrorCodes.NOT_FOUND, 'This device made no such invite code: check the code, or ask the coordinator who sent it.');
    if (code.usedAt !== undefined || this.claimed.has(code.id)) {
      throw new CairnError(ErrorCodes.INVITE_USED, 'This invite code was used already: a code lets one device in. Ask a coordinator for a new one (`cairn invite --code`).');
    }
    if (expired(code, now)) {
      throw new CairnError(ErrorCodes.INVITE_EXPIRED, `This invite code expired at ${code.expiresAt}. Ask a coordinator for a new one (\`cairn invite --code\`).`);
    }
    this.claimed.add(code.id);
    const mark = (patch: Partial<StoredCode>) => this.update((codes) => codes.map((known) => (known.id === code.id ? { ...known, ...patch } : known)));
    return {
      role: code.role,
      key: Buffer.from(code.key, 'hex'),
      spend: () => mark({ usedAt: new Date().toISOString() }),
      usedBy: (deviceId) => mark({ usedBy: deviceId }),
      release: () => void this.claimed.delete(code.id),
    };
  }

  private async read(): Promise<StoredCode[]> {
    if (this.codes !== null) return this.codes;
    const parsed = (await readJsonFile(join(this.dataDir, 'invite-codes.json')).catch(() => undefined)) as Partial<CodesFile> | undefined;
    const codes = Array.isArray(parsed?.codes) ? parsed.codes.filter(isStoredCode) : [];
    this.codes ??= codes;
    return this.codes;
  }

  private update(change: (codes: StoredCode[]) => StoredCode[]): Promise<void> {
    const next = this.writing.then(async () => {
      const codes = change(await this.read());
      await writeFileAtomic(join(this.dataDir, 'invite-codes.json'), `${JSON.stringify({ version: 1, codes } satisfies CodesFile, null, 2)}\n`);
      this.codes = codes;
    });
    this.writing = next.catch(() => undefined);
    return next;
  }
}

function expired(code: StoredCode, now: Date): boolean {
  return Date.parse(code.expiresAt) <= now.getTime();
}

function isStoredCode(code: StoredCode): boolean {
  return (
    typeof code?.id === 'string' && /^[0-9a-f]{32}$/.test(code.id) && typeof code.key === 'string' && /^[0-9a-f]{64}$/.test(code.key) &&
    (code.role === 'participant' || code.role === 'coordinator') && typeof code.expiresAt === 'string' && !Number.isNaN(Date.parse(code.expiresAt))
  );
}
