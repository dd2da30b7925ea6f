import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, stat, truncate, writeFile, open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { startTestHost, type TestHost } from '@cairn/core/testing';
import { cairn, cairnJson, device, exists, hashFile, hashTree, pluginDir, TempDirs } from './helpers.js';

interface Listed {
  id: string;
  version: string;
  notes: string;
  forks: string[];
  tags: Record<string, unknown>;
  attachments: Array<{ name: string; hash: string }>;
}

describe('sync with a file', function () {
  this.timeout(180_000);
  const temp = new TempDirs();
  const hosts: TestHost[] = [];
  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.dispose();
    await temp.cleanup();
  });

  /** A device running the plugin in-process (the SDK's test host). */
  async function start(project: boolean | { join: string; deviceName?: string }): Promise<TestHost> {
    const host = await startTestHost({ plugins: [pluginDir], project });
    hosts.push(host);
    return host;
  }

  const list = async (host: TestHost) =>
    (await host.cliJson<Listed[]>('obs', 'list')).map(({ id, version, notes, forks, tags, attachments }) => ({ id, version, notes, forks, tags, attachments }))
      .sort((a, b) => a.id.localeCompare(b.id));

  it('carries everything both ways: edits, deletions, forks and photos, byte for byte', async () => {
    const a = await start(true);
    const key = (await a.cliJson<{ projectKey: string }>('project')).projectKey;
    const b = await start({ join: key, deviceName: 'tablet' });
    const usb = await temp.make('cairn-usb-');
    const file = join(usb, 'survey.cairnsync');
    const photo = join(usb, 'jaguar.jpg');
    await writeFile(photo, randomBytes(600_000));

    const shared = await a.cliJson<{ id: string }>('obs', 'add', '--lat', '1', '--lon', '2', '--notes', 'shared', '--photo', photo);
    const doomed = await a.cliJson<{ id: string }>('obs', 'add', '--lat', '3', '--lon', '4', '--notes', 'to delete');
    const first = await a.execute<{ created: boolean; sent: { observations: number; attachments: number } }>('sync-file.sync', file);
    expect(first).to.deep.include({ created: true });
    expect(first.sent).to.deep.include({ observations: 2, attachments: 1 });

    const second = await b.execute<{ created: boolean; received: { observations: number; attachments: number } }>('sync-file.sync', file);
    expect(second.created).to.equal(false);
    expect(second.received).to.deep.include({ observations: 2, attachments: 1 });

    // Concurrent edits of one observation, a deletion, a new one.
    await a.cliJson('obs', 'edit', shared.id, '--notes', 'edited on A');
    await b.cliJson('obs', 'edit', shared.id, '--notes', 'edited on B', '--tag', 'checked=yes');
    await b.cliJson('obs', 'delete', doomed.id);
    await b.cliJson('obs', 'add', '--lat', '5', '--lon', '6', '--notes', 'new on B');
    await b.execute('sync-file.sync', file);
    await a.execute('sync-file.sync', file);
    await b.execute('sync-file.sync', file);

    const onA = await list(a);
    expect(onA).to.deep.equal(await list(b));
    expect(onA.map((o) => o.notes).sort()).to.have.members(['new on B', onA.find((o) => o.id === shared.id)!.notes]);
    expect(onA.find((o) => o.id === shared.id)!.forks).to.have.length(1);
    expect(onA.some((o) => o.id === doomed.id)).to.equal(false);

    const outA = join(usb, 'a.jpg');
    const outB = join(usb, 'b.jpg');
    await a.cliJson('obs', 'attachment', shared.id, 'jaguar.jpg', '--out', outA);
    await b.cliJson('obs', 'attachment', shared.id, 'jaguar.jpg', '--out', outB);
    expect(await hashFile(outB)).to.equal(await hashFile(photo));
    expect(await hashFile(outA)).to.equal(await hashFile(photo));
  });

  it('lets three devices that never meet converge through one file', async () => {
    const a = await start(true);
    const key = (await a.cliJson<{ projectKey: string }>('project')).projectKey;
    const b = await start({ join: key, deviceName: 'b' });
    const c = await start({ join: key, deviceName: 'c' });
    const file = join(await temp.make('cairn-usb-'), 'shared.cairnsync');
    for (const [host, name] of [[a, 'a'], [b, 'b'], [c, 'c']] as const) {
      await host.cliJson('obs', 'add', '--lat', '0', '--lon', '0', '--notes', `from ${name}`);
      await host.execute('sync-file.sync', file);
    }
    await a.execute('sync-file.sync', file);
    await b.execute('sync-file.sync', file);
    for (const host of [a, b, c]) {
      expect((await list(host)).map((o) => o.notes).sort()).to.deep.equal(['from a', 'from b', 'from c']);
    }
    expect(await list(a)).to.deep.equal(await list(c));
  });

  it('holds no plaintext note, tag or photo byte', async () => {
    const a = await start(true);
    const usb = await temp.make('cairn-usb-');
    const marker = `PLAINTEXT${randomBytes(6).toString('hex')}`;
    await writeFile(join(usb, 'photo.jpg'), Buffer.from(`${marker}-photo-bytes-`.repeat(5000)));
    await a.cliJson('obs', 'add', '--lat', '0', '--lon', '0', '--notes', `${marker} note`, '--tag', `secret=${marker}`, '--photo', join(usb, 'photo.jpg'));
    const file = join(usb, 'private.cairnsync');
    await a.execute('sync-file.sync', file);
    const bytes = await readFile(file);
    expect(bytes.includes(Buffer.from(marker)), 'the marker is nowhere in the file').to.equal(false);
    expect(bytes.subarray(0, 9).toString()).to.equal('CAIRNSYNC');
  });

  it('keeps a removal through a file: the removed device is refused, and what it wrote later reaches no one', async () => {
    const a = await start(true);
    const key = (await a.cliJson<{ projectKey: string }>('project')).projectKey;
    const b = await start({ join: key, deviceName: 'lost phone' });
    const c = await start({ join: key, deviceName: 'third' });
    const file = join(await temp.make('cairn-usb-'), 'team.cairnsync');
    const idOfB = (await b.cliJson<{ deviceId: string }>('project')).deviceId;
    await b.cliJson('obs', 'add', '--lat', '1', '--lon', '1', '--notes', 'before the removal');
    for (const host of [b, a, c]) await host.execute('sync-file.sync', file);

    await a.cliJson('members', 'remove', idOfB);
    await a.execute('sync-file.sync', file);
    // B has not heard yet: it writes on, and its next sync both learns of the removal and leaves
    // its later writes in the file.
    await b.cliJson('obs', 'add', '--lat', '2', '--lon', '2', '--notes', 'after the removal');
    await b.execute('sync-file.sync', file);
    const refused = await b.cli('sync', 'file', file, '--json');
    expect(refused.exitCode).to.equal(1);
    expect((JSON.parse(refused.stderr) as { error: { code: string } }).error.code).to.equal('ERR_REMOVED');

    for (const host of [a, c]) {
      await host.execute('sync-file.sync', file);
      expect((await list(host)).map((observation) => observation.notes)).to.deep.equal(['before the removal']);
    }
  });

  it('appends only what changed when one observation is added to a big file', async () => {
    const a = await start(true);
    const usb = await temp.make('cairn-usb-');
    const file = join(usb, 'big.cairnsync');
    await a.execute('cairn.project.loadSampleData', 3000);
    await a.execute('sync-file.sync', file);
    await a.execute('cairn.project.loadSampleData', 40);
    await a.execute('sync-file.sync', file);
    const before = (await stat(file)).size;
    await a.cliJson('obs', 'add', '--lat', '1', '--lon', '1', '--notes', 'one more');
    const logsBefore = a.logs().length;
    await a.execute('sync-file.sync', file);
    const line = a.logs().slice(logsBefore).map((record) => record.message).find((message) => message.includes('big.cairnsync:'));
    expect(line, 'the plugin says how it wrote the file').to.match(/appended to \((\d+) bytes written, (\d+) in all\)/);
    const [, written, total] = /appended to \((\d+) bytes written, (\d+) in all\)/.exec(line!)!;
    expect(Number(written)).to.be.lessThan(Number(total) / 4);
    expect(Number(total) - before).to.be.lessThan(Number(total) / 4);
  });

  it('leaves the file alone when there is nothing new for it', async () => {
    const a = await start(true);
    const file = join(await temp.make('cairn-usb-'), 'same.cairnsync');
    await a.cliJson('obs', 'add', '--lat', '0', '--lon', '0');
    await a.execute('sync-file.sync', file);
    const hash = await hashFile(file);
    await a.execute('sync-file.sync', file);
    expect(await hashFile(file)).to.equal(hash);
  });

  it('cleans up what an interrupted sync left beside the file', async () => {
    const a = await start(true);
    const usb = await temp.make('cairn-usb-');
    const file = join(usb, 'kept.cairnsync');
    await a.execute('sync-file.sync', file);
    await writeFile(join(usb, '.kept.cairnsync.0123456789abcdef.tmp'), 'half-written');
    await writeFile(join(usb, 'kept.cairnsync.part2-0123456789abcdef'), 'orphaned part');
    await writeFile(join(usb, 'unrelated.txt'), 'not ours');
    await a.cliJson('obs', 'add', '--lat', '0', '--lon', '0');
    await a.execute('sync-file.sync', file);
    expect((await readdir(usb)).sort()).to.deep.equal(['kept.cairnsync', 'unrelated.txt']);
  });

  describe('refuses a file it cannot use, changing neither the file nor the store', () => {
    async function refused(prepare: (file: string, dataDir: string) => Promise<void>, code: string, message: RegExp) {
      const owner = await temp.make();
      await device(owner, 'owner');
      await cairnJson(owner, 'obs', 'add', '--lat', '1', '--lon', '1', '--notes', 'ours');
      const usb = await temp.make('cairn-usb-');
      const file = join(usb, 'test.cairnsync');
      await cairnJson(owner, 'sync', 'file', file);
      await cairnJson(owner, 'obs', 'add', '--lat', '2', '--lon', '2', '--notes', 'not yet in the file');
      await prepare(file, owner);
      const fileBefore = await hashFile(file);
      const storeBefore = await hashTree(owner);
      const result = await cairn(owner, ['sync', 'file', file]);
      expect(result.code, result.stderr).to.equal(1);
      expect(result.stderr).to.match(new RegExp(`^error \\[${code}\\]: `));
      expect(result.stderr).to.match(message);
      expect(await hashFile(file), 'the file is unchanged').to.equal(fileBefore);
      expect(await hashTree(owner), 'the store is unchanged, byte for byte').to.deep.equal(storeBefore);
    }

    it('another project’s file: ERR_PROJECT_MISMATCH', async () => {
      await refused(async (file) => {
        const stranger = await temp.make();
        await device(stranger, 'stranger');
        await cairnJson(stranger, 'obs', 'add', '--lat', '9', '--lon', '9');
        await cairnJson(stranger, 'sync', 'file', `${file}.theirs.cairnsync`);
        await writeFile(file, await readFile(`${file}.theirs.cairnsync`));
      }, 'ERR_PROJECT_MISMATCH', /belongs to another project/);
    });

    it('not a sync file: ERR_NOT_A_SYNC_FILE', async () => {
      await refused((file) => writeFile(file, 'Field notes, not a sync file.\n'.repeat(20)), 'ERR_NOT_A_SYNC_FILE', /is not a Cairn sync file/);
    });

    it('truncated: ERR_CORRUPT_SYNC_FILE', async () => {
      await refused(async (file) => truncate(file, (await stat(file)).size - 100), 'ERR_CORRUPT_SYNC_FILE', /is damaged/);
    });

    it('damaged in the middle: ERR_CORRUPT_SYNC_FILE', async () => {
      await refused(async (file) => {
        const handle = await openFile(file, 'r+');
        const position = Math.floor((await handle.stat()).size / 2);
        const byte = Buffer.alloc(1);
        await handle.read(byte, 0, 1, position);
        byte[0] = byte[0]! ^ 0xff;
        await handle.write(byte, 0, 1, position);
        await handle.close();
      }, 'ERR_CORRUPT_SYNC_FILE', /is damaged/);
    });

    it('written by a newer format: ERR_PROTOCOL_VERSION, saying to update', async () => {
      await refused(async (file) => {
        const handle = await openFile(file, 'r+');
        const version = Buffer.alloc(4);
        version.writeUInt32BE(2, 0);
        await handle.write(version, 0, 4, 12);
        await handle.close();
      }, 'ERR_PROTOCOL_VERSION', /written by a newer Cairn .*Update Cairn on this device/);
    });
  });

  describe('where the file cannot be written (needs root, for tmpfs mounts)', () => {
    const mounts: string[] = [];
    before(function () {
      expect(process.getuid?.(), 'these tests mount small file systems: run npm test as root').to.equal(0);
    });
    afterEach(() => {
      for (const mount of mounts.splice(0)) execFileSync('umount', [mount]);
    });

    async function tmpfs(size: string): Promise<string> {
      const dir = await temp.make('cairn-tmpfs-');
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
      mounts.push(dir);
      return dir;
    }

    async function unchanged(owner: string, file: string, run: () => Promise<{ code: number | null; stderr: string }>, message: RegExp) {
      const fileBefore = await hashFile(file);
      const storeBefore = await hashTree(owner);
      const result = await run();
      expect(result.code, result.stderr).to.equal(1);
      expect(result.stderr).to.match(/^error \[ERR_IO\]: /);
      expect(result.stderr).to.match(message);
      expect(await hashFile(file)).to.equal(fileBefore);
      expect(await hashTree(owner)).to.deep.equal(storeBefore);
    }

    it('a read-only location leaves the old file and the store as they were', async () => {
      const owner = await temp.make();
      await device(owner, 'owner');
      const usb = await tmpfs('4m');
      const file = join(usb, 'stick.cairnsync');
      await cairnJson(owner, 'sync', 'file', file);
      await cairnJson(owner, 'obs', 'add', '--lat', '1', '--lon', '1');
      execFileSync('mount', ['-o', 'remount,ro', usb]);
      await unchanged(owner, file, () => cairn(owner, ['sync', 'file', file]), /is it read-only\? Nothing was synced/);
    });

    it('a full disk leaves the old file and the store as they were', async () => {
      const owner = await temp.make();
      await device(owner, 'owner');
      const usb = await tmpfs('2m');
      const file = join(usb, 'small.cairnsync');
      await cairnJson(owner, 'sync', 'file', file);
      const photo = join(await temp.make(), 'big.jpg');
      await writeFile(photo, randomBytes(3 * 1024 * 1024));
      await cairnJson(owner, 'obs', 'add', '--lat', '1', '--lon', '1', '--photo', photo);
      await unchanged(owner, file, () => cairn(owner, ['sync', 'file', file]), /Not enough free space/);
    });
  });

  it('splits a file past the part size into parts that travel together (FAT32), and misses none', async () => {
    const a = await temp.make();
    const key = await device(a, 'a');
    const usb = await temp.make('cairn-usb-');
    const photo = join(usb, 'river.jpg');
    await writeFile(photo, randomBytes(400_000));
    await cairnJson(a, 'obs', 'add', '--lat', '1', '--lon', '1', '--photo', photo);
    const file = join(usb, 'parts.cairnsync');
    const env = { CAIRN_SYNC_FILE_PART_BYTES: String(64 * 1024) };
    const written = await cairn(a, ['sync', 'file', file, '--json'], env);
    expect(written.code, written.stderr).to.equal(0);
    const parts = (await readdir(usb)).filter((name) => name.startsWith('parts.cairnsync.part'));
    expect(parts.length).to.be.greaterThan(4);
    for (const name of [...parts, 'parts.cairnsync']) {
      expect(name, 'FAT32-safe name').to.match(/^[A-Za-z0-9._-]+$/);
      expect((await stat(join(usb, name))).size).to.be.at.most(64 * 1024);
    }

    const b = await temp.make();
    await device(b, 'b', key);
    const read = await cairn(b, ['sync', 'file', file, '--json'], env);
    expect(read.code, read.stderr).to.equal(0);
    const [observation] = await cairnJson<Array<{ id: string }>>(b, 'obs', 'list');
    await cairnJson(b, 'obs', 'attachment', observation!.id, 'river.jpg', '--out', join(usb, 'copy.jpg'));
    expect(await hashFile(join(usb, 'copy.jpg'))).to.equal(await hashFile(photo));

    // B's sync wrote its own device into the file: a new generation of parts.
    const current = (await readdir(usb)).filter((name) => name.startsWith('parts.cairnsync.part'));
    expect(current.length).to.be.greaterThan(4);
    const c = await temp.make();
    await device(c, 'c', key);
    await rm(join(usb, current[0]!));
    const missing = await cairn(c, ['sync', 'file', file], env);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/^error \[ERR_CORRUPT_SYNC_FILE\]: .*is missing \(all parts must travel together\)/);
    expect(await exists(file)).to.equal(true);
  });
});
