import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import crypto from 'hypercore-crypto';
import { duplexPair, isCairnError, ErrorCodes } from '@cairn/sdk';
import { TempDirs } from '@cairn/sdk/testing';
import { codeSecret, InviteCodes } from '@cairn/core/node/project/invite-codes.js';
import { runInvite, runJoin, type InviterContext } from '@cairn/core/node/project/invites.js';
import { deviceIdOf, type DeviceSigner } from '@cairn/core/node/project/device-proof.js';
import { rejection } from './helpers.js';

function signer(): DeviceSigner {
  const { publicKey, secretKey } = crypto.keyPair();
  return { publicKey, sign: (message) => crypto.sign(message, secretKey) };
}

/** A coordinator's side that answers one code, whose claim is what `claim` says. */
function coordinator(claim: InviterContext['codes'], admitted: string[]): InviterContext {
  const own = signer();
  return {
    offer: { projectName: 'Survey', role: 'participant', invitedBy: { deviceId: deviceIdOf(own.publicKey), deviceName: 'alpha' } },
    projectKey: 'ab'.repeat(32),
    deviceName: 'alpha',
    deviceType: 'desktop',
    signer: own,
    admit: async (deviceId) => void admitted.push(deviceId),
    ...(claim !== undefined && { codes: claim }),
  };
}

describe('invite codes', function () {
  this.timeout(30_000);
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it('reads a code as people type it, and refuses text that is no code', () => {
    const { id } = codeSecret('7K3Q-9XWD-M2RA-E5TB');
    expect(codeSecret('7k3q9xwdm2rae5tb').id).to.equal(id);
    expect(codeSecret(' 7K3Q 9XWD M2RA E5TB ').id).to.equal(id);
    expect(codeSecret('1111-0000-1111-0000').id).to.equal(codeSecret('IL1l-OoO0-iIlL-0o0O').id);
    for (const bad of ['', '7K3Q-9XWD-M2RA', '7K3Q-9XWD-M2RA-E5TU', '7K3Q-9XWD-M2RA-E5TB-0000']) {
      expect(() => codeSecret(bad), bad).to.throw().that.satisfies((error: unknown) => isCairnError(error, ErrorCodes.INVALID_INPUT));
    }
  });

  it('lets each code in once, keeps that across restarts, and says when one is used, expired or unknown', async () => {
    const dir = await temp.make();
    const codes = new InviteCodes(dir);
    const made = await codes.create('coordinator', 1);
    const { id } = codeSecret(made.code);
    expect(await codes.openIds()).to.deep.equal([id]);
    expect((await readFile(join(dir, 'invite-codes.json'), 'utf8')).includes(made.code.replaceAll('-', ''))).to.equal(false);

    const first = await codes.claim(id);
    expect(first.role).to.equal('coordinator');
    expect((await rejection(codes.claim(id))).code, 'while another device uses it').to.equal(ErrorCodes.INVITE_USED);
    first.release();
    const second = await codes.claim(id);
    await second.spend();
    second.release();
    const restarted = new InviteCodes(dir);
    expect((await rejection(restarted.claim(id))).code).to.equal(ErrorCodes.INVITE_USED);
    expect(await restarted.openIds()).to.deep.equal([]);

    const later = await restarted.create('participant', 2);
    const laterId = codeSecret(later.code).id;
    expect((await rejection(restarted.claim(laterId, new Date(Date.now() + 3 * 3_600_000)))).code).to.equal(ErrorCodes.INVITE_EXPIRED);
    expect(await restarted.openIds(new Date(Date.now() + 3 * 3_600_000))).to.deep.equal([]);
    expect((await rejection(restarted.claim(codeSecret('0000-0000-0000-0000').id))).code).to.equal(ErrorCodes.NOT_FOUND);
  });

  it('sends nothing to a device that names a code without holding it, and takes nothing from one that answers a code it does not hold', async () => {
    const dir = await temp.make();
    const codes = new InviteCodes(dir);
    const { code } = await codes.create('participant', 1);
    const { id, key } = codeSecret(code);
    const created: string[] = [];
    const joiner = (secret: { key: Buffer; id: string }) => ({
      deviceName: 'tablet',
      deviceType: 'desktop',
      accept: () => true,
      create: async (projectKey: string) => {
        created.push(projectKey);
        const own = signer();
        return { deviceId: deviceIdOf(own.publicKey), signer: own };
      },
      code: secret,
    });

    // A device that heard the code's id (it is announced) but does not hold the code.
    const admitted: string[] = [];
    let [left, right] = duplexPair();
    const [refused, impostor] = await Promise.allSettled([
      runInvite(left, true, coordinator(codes, admitted), 10_000),
      runJoin(right, false, joiner({ id, key: Buffer.alloc(32, 7) }), 10_000),
    ]);
    expect(refused.status === 'rejected' && isCairnError(refused.reason, ErrorCodes.NOT_PERMITTED), String((refused as PromiseRejectedResult).reason)).to.equal(true);
    expect(impostor.status).to.equal('rejected');
    expect(created).to.deep.equal([]);
    // The code was not spent by it.
    expect(await codes.openIds()).to.deep.equal([id]);

    // A device that answers as the holder of a code it does not hold.
    [left, right] = duplexPair();
    const fake = { claim: async () => ({ role: 'participant' as const, key: Buffer.alloc(32, 9), spend: async () => undefined, usedBy: async () => undefined, release: () => undefined }) };
    const [, fooled] = await Promise.allSettled([runInvite(left, true, coordinator(fake, admitted), 10_000), runJoin(right, false, joiner({ id, key }), 10_000)]);
    expect(fooled.status === 'rejected' && isCairnError(fooled.reason, ErrorCodes.NOT_PERMITTED), String((fooled as PromiseRejectedResult).reason)).to.equal(true);
    expect(created).to.deep.equal([]);
    expect(admitted).to.deep.equal([]);

    // The holder of the code gets in, with the code's role, and the code is spent.
    [left, right] = duplexPair();
    const [invited, joined] = await Promise.all([runInvite(left, true, coordinator(codes, admitted), 10_000), runJoin(right, false, joiner({ id, key }), 10_000)]);
    expect(invited).to.deep.include({ decision: 'accepted', role: 'participant' });
    expect(joined).to.deep.equal({ projectName: 'Survey', role: 'participant', invitedBy: 'alpha' });
    expect(created).to.deep.equal(['ab'.repeat(32)]);
    expect(admitted).to.deep.equal([invited.deviceId]);
    expect(await codes.openIds()).to.deep.equal([]);
    expect(JSON.parse(await readFile(join(dir, 'invite-codes.json'), 'utf8')).codes[0].usedBy).to.equal(invited.deviceId);
  });
});
