import './loopback.js';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startTestHost, type TestHost } from '@cairn/core/testing';
import { TempDirs } from '@cairn/sdk/testing';
import type { Observation } from '@cairn/sdk';
import type { ComapeoSyncResult, JoinResult } from '@cairn/plugin-comapeo/common/protocol.js';
import { Phone } from './phone.js';

const pluginDir = fileURLToPath(new URL('..', import.meta.url));
type Doc = { docId: string; deleted: boolean; tags: Record<string, unknown>; attachments: Array<Record<string, string>> };
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// A phone on @comapeo/core 2.0.0 — close to what CoMapeo Mobile 1.0 shipped, with no
// `manager.close()` — and Cairn (7.1.0 inside) in one project, on loopback.
describe('comapeo: a phone on @comapeo/core 2.0.0', function () {
  this.timeout(240_000);
  const dirs = new TempDirs();
  let phone: Phone | undefined;
  let cairn: TestHost | undefined;
  after(async () => {
    await Promise.all([cairn?.dispose(), phone?.close()]);
    await dirs.cleanup();
  });

  it('invites Cairn, and they sync both ways: observations and photo bytes', async () => {
    const dir = await dirs.make('cairn-interop-');
    phone = await Phone.start(await dirs.make('cairn-phone-2-'), 'Old phone', { core: '2' });
    const { port } = await phone.info();
    const connect = `127.0.0.1:${port}`;
    const projectId = await phone.call<string>('createProject', { projectName: 'Since 2024' });
    cairn = await startTestHost({ plugins: [pluginDir] });
    const invited = phone.call<{ decision: string }>('inviteFirstPeer', { projectId, role: 'participant' });
    expect(await cairn!.cliJson<JoinResult>('comapeo', 'join', '--connect', connect, '--timeout', '60')).to.deep.include({ projectName: 'Since 2024', projectId, role: 'participant' });
    expect((await invited).decision).to.equal('ACCEPT');
    await phone.call('startSync', { projectId });

    const photo = Buffer.from(Array.from({ length: 50_000 }, (_, index) => (index * 31) % 251));
    await writeFile(join(dir, 'p.jpg'), photo);
    const ref = await phone.call('createBlob', { projectId, files: { original: join(dir, 'p.jpg'), preview: join(dir, 'p.jpg'), thumbnail: join(dir, 'p.jpg') }, mimeType: 'image/jpeg' });
    const fromPhone = await phone.call<Doc>('create', { projectId, kind: 'observation', value: { lat: 5, lon: 6, tags: { notes: 'written on 2.0.0' }, attachments: [ref] } });
    const received = await cairn!.cliJson<ComapeoSyncResult>('comapeo', 'sync', '--connect', connect, '--timeout', '60');
    expect(received.received).to.deep.include({ observations: 1, attachments: 1 });
    const inCairn = await cairn!.cliJson<Observation>('obs', 'get', fromPhone.docId);
    expect(inCairn.notes).to.equal('written on 2.0.0');
    await cairn!.cliJson('obs', 'attachment', fromPhone.docId, inCairn.attachments[0]!.name, '--out', join(dir, 'back.jpg'));
    expect(sha256(await readFile(join(dir, 'back.jpg')))).to.equal(sha256(photo));

    const fromCairn = await cairn!.cliJson<{ id: string }>('obs', 'add', '--lat', '7', '--lon', '8', '--notes', 'written in Cairn', '--photo', join(dir, 'p.jpg'));
    expect((await cairn!.cliJson<ComapeoSyncResult>('comapeo', 'sync', '--connect', connect, '--timeout', '60')).sent.observations).to.equal(1);
    let arrived: Doc | undefined;
    for (let tries = 0; tries < 50 && arrived === undefined; tries += 1) {
      arrived = (await phone.call<Doc[]>('list', { projectId, kind: 'observation' })).find((doc) => doc.tags['cairn:id'] === fromCairn.id);
      if (arrived === undefined) await sleep(100);
    }
    expect(arrived?.tags.notes).to.equal('written in Cairn');
    expect(await phone.call('blobHash', { projectId, ref: arrived!.attachments[0], variant: 'original' })).to.equal(sha256(photo));
  });
});
