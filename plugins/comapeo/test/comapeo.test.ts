import './loopback.js';
import { execFileSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startTestHost, type TestHost } from '@cairn/core/testing';
import { TempDirs } from '@cairn/sdk/testing';
import type { ComapeoProjectStatus, ComapeoStatus } from '@cairn/plugin-comapeo/common/protocol.js';
import { ComapeoProcess } from '@cairn/plugin-comapeo/node/comapeo-process.js';

const pluginDir = fileURLToPath(new URL('..', import.meta.url));

// The CoMapeo process is the real @comapeo/core (7.1.0), started by the plugin in a process of its own.
describe('comapeo: identity and a project of its own', function () {
  this.timeout(120_000);
  const dirs = new TempDirs();
  let host: TestHost | null = null;
  afterEach(async () => {
    await host?.dispose();
    host = null;
    await dirs.cleanup();
  });


  it('keeps one CoMapeo identity per data dir, never printed, with the device name and type desktop', async () => {
    const dataDir = await dirs.make('cairn-comapeo-');
    host = await startTestHost({ plugins: [pluginDir], dataDir, project: 'River watch' });
    const first = await host!.cliJson<ComapeoStatus>('comapeo', 'status');
    expect(first.deviceId).to.match(/^[0-9a-f]{64}$/);
    expect(first.project).to.equal(null);
    const project = await host!.cliJson<{ deviceName: string }>('project');
    expect(first.deviceName, 'the Cairn device\'s name').to.equal(project.deviceName);

    const identity = join(dataDir, 'plugin-data', 'comapeo', 'identity.json');
    const { rootKey } = JSON.parse(await readFile(identity, 'utf8')) as { rootKey: string };
    expect(rootKey).to.match(/^[0-9a-f]{32}$/);
    expect((await stat(identity)).mode & 0o777, 'only its owner reads the root key').to.equal(0o600);
    expect(JSON.stringify(first)).to.not.contain(rootKey);

    await host.dispose();
    host = await startTestHost({ plugins: [pluginDir], dataDir });
    const again = await host!.cliJson<ComapeoStatus>('comapeo', 'status');
    expect(again.deviceId, 'the same identity after a restart').to.equal(first.deviceId);
  });

  it('creates a CoMapeo project for the Cairn project, this device its coordinator', async () => {
    host = await startTestHost({ plugins: [pluginDir], project: 'River watch' });
    const created = await host!.cliJson<ComapeoProjectStatus>('comapeo', 'create');
    expect(created.projectName).to.equal('River watch');
    expect(created.projectId).to.be.a('string').and.have.length.greaterThan(20);
    expect(created.role).to.equal('coordinator');

    const status = await host!.cliJson<ComapeoStatus>('comapeo', 'status');
    expect(status.project).to.deep.equal(created);
    expect(status.project!.members).to.deep.equal([{ deviceId: status.deviceId, name: status.deviceName, role: 'coordinator', deviceType: 'desktop' }]);

    const twice = await host.cli('comapeo', 'create');
    expect(twice.exitCode).to.equal(1);
    expect(twice.stderr).to.contain('ERR_INVALID_INPUT').and.contain('already linked');

    const named = await startTestHost({ plugins: [pluginDir], project: 'Other' });
    try {
      const result = await named.cli('comapeo', 'create', '--name', 'Forest patrol', '--json');
      expect(result.exitCode, result.stderr).to.equal(0);
      expect((JSON.parse(result.stdout) as ComapeoProjectStatus).projectName).to.equal('Forest patrol');
    } finally {
      await named.dispose();
    }
  });

  it('survives its CoMapeo process dying: the waiting command fails with a message, the next one starts a new process', async () => {
    // Processes of other suites' hosts still closing are not this host's.
    const others = new Set(await comapeoProcesses());
    const ours = async () => (await comapeoProcesses()).filter((pid) => !others.has(pid));
    host = await startTestHost({ plugins: [pluginDir], project: 'River watch' });
    const before = await host!.cliJson<ComapeoStatus>('comapeo', 'status');
    const waiting = host.cli('comapeo', 'join', '--timeout', '60');
    // Killed while the join waits for an invite (it is waiting within milliseconds; a second is ample).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const [pid] = await ours();
    expect(pid, 'a CoMapeo process of this host').to.be.a('number');
    process.kill(pid!, 'SIGKILL');
    const failed = await waiting;
    expect(failed.exitCode).to.equal(1);
    expect(failed.stderr).to.contain('The CoMapeo process stopped (SIGKILL)').and.contain('run the command again');
    expect(failed.stderr).to.not.contain('    at ');

    const after = await host!.cliJson<ComapeoStatus>('comapeo', 'status');
    expect(after.deviceId, 'the same identity in the new process').to.equal(before.deviceId);
    expect(await ours()).to.have.length(1).and.not.include(pid);
  });

  it('starts no CoMapeo process for a call that comes after its process was closed (it would outlive the host)', async () => {
    const others = new Set(await comapeoProcesses());
    const storagePath = await dirs.make('cairn-comapeo-closed-');
    const comapeo = new ComapeoProcess({ rootKey: '00'.repeat(16), storageDir: join(storagePath, 'comapeo'), deviceName: 'closed', log: { debug() {}, info() {}, warn() {}, error() {} } });
    await comapeo.close();
    const late = await comapeo.call('reach', {}).then(
      () => null,
      (error: { code?: string }) => error.code,
    );
    expect(late).to.equal('ERR_CANCELLED');
    expect((await comapeoProcesses()).filter((pid) => !others.has(pid))).to.deep.equal([]);
  });

  it('says what to do when there is no Cairn project to link', async () => {
    host = await startTestHost({ plugins: [pluginDir] });
    const result = await host.cli('comapeo', 'create');
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.contain('ERR_NO_PROJECT');
    expect(result.stderr).to.not.contain('    at ');
  });
});

/** The CoMapeo processes this test process started (through its test hosts). */
async function comapeoProcesses(): Promise<number[]> {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'manager-process.js'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when none match
  }
}
