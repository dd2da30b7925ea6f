import type { ChildProcess } from 'node:child_process';
import { cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import { hostProtocolVersion, hostSocketFor, type HostReply } from '@cairn/core';
import { startCairn, type CairnProcessResult } from '@cairn/core/testing';
import { repoRoot, runCairn, TempDirs } from './helpers.js';

const helloExample = join(repoRoot, 'examples', 'hello-plugin');

interface Served {
  child: ChildProcess;
  url: string;
  done: Promise<CairnProcessResult>;
}

/** `cairn serve --no-open` as a real process, once it has printed its URL (it takes commands from then on). */
async function serve(dataDir: string, cwd: string): Promise<Served> {
  const { child, done } = await startCairn(['--data-dir', dataDir, 'serve', '--no-open'], { cwd });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: string) => {
      output += chunk;
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(output);
      if (match) resolve(match[0]);
    });
    void done.then((result) => reject(new Error(`cairn serve exited (${String(result.code)}) before printing a URL: ${result.stderr}`)));
  });
  return { child, url, done };
}

function geojson(points: Array<[number, number, string]>): string {
  return JSON.stringify({
    type: 'FeatureCollection',
    features: points.map(([lon, lat, notes]) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { notes } })),
  });
}

/** Sends one raw line to the host's socket and collects every reply until it closes. */
function exchange(socketPath: string, line: string): Promise<HostReply[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(text.split('\n').filter(Boolean).map((reply) => JSON.parse(reply) as HostReply)));
    socket.write(line);
  });
}

describe('cairn while the workbench is open', function () {
  this.timeout(120_000);
  const temp = new TempDirs();
  let root: string;
  /** Longer than a Unix socket path may be: the socket is named by a hash, not by the data dir. */
  let dataDir: string;
  /** Where the serve process runs; the commands run from `clientDir`. */
  let hostDir: string;
  let clientDir: string;
  let served: Served;
  /** No serve process to stop (before one started, or once it was stopped or killed). */
  let stopped = true;
  const cairn = (args: string[], cwd = clientDir) => runCairn(['--data-dir', dataDir, ...args], { cwd });
  const cairnJson = async <T>(args: string[], cwd = clientDir): Promise<T> => {
    const result = await cairn([...args, '--json'], cwd);
    if (result.code !== 0) throw new Error(`cairn ${args.join(' ')} exited ${String(result.code)}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  };

  before(async () => {
    root = await temp.make('cairn-running-');
    dataDir = join(root, `${'a-rather-long-folder-name-'.repeat(3)}for-data`, 'data');
    hostDir = join(root, 'host');
    clientDir = join(root, 'client');
    await Promise.all([mkdir(dataDir, { recursive: true }), mkdir(hostDir), mkdir(clientDir)]);
    expect(Buffer.byteLength(dataDir)).to.be.greaterThan(108);
    const created = await runCairn(['--data-dir', dataDir, 'init', '--name', 'Open survey', '--device-name', 'laptop']);
    expect(created.code, created.stderr).to.equal(0);
    served = await serve(dataDir, hostDir);
    stopped = false;
  });
  after(async () => {
    if (!stopped) {
      served.child.kill('SIGINT');
      await served.done;
    }
    await temp.cleanup();
  });

  it('prints the project, for a data dir given relative to the client', async () => {
    const project = await cairnJson<Record<string, unknown>>(['project']);
    expect(project).to.deep.include({ projectName: 'Open survey', deviceName: 'laptop', observations: 0 });
    const fromRoot = await runCairn(['--data-dir', relative(root, dataDir), 'project', '--json'], { cwd: root });
    expect(fromRoot.code, fromRoot.stderr).to.equal(0);
    expect(JSON.parse(fromRoot.stdout)).to.deep.equal(project);
  });

  it('adds an observation with a photo given relative to the client, and lists it', async () => {
    await writeFile(join(clientDir, 'tapir.jpg'), Buffer.alloc(1234, 7));
    const added = await cairnJson<{ id: string }>(['obs', 'add', '--lat', '-3.46', '--lon', '-62.21', '--notes', 'Tapir tracks', '--photo', 'tapir.jpg']);
    const listed = await cairnJson<Array<{ id: string; notes: string; attachments: Array<{ name: string; size: number }> }>>(['obs', 'list']);
    const observation = listed.find((candidate) => candidate.id === added.id);
    expect(observation?.notes).to.equal('Tapir tracks');
    expect(observation?.attachments.map(({ name, size }) => ({ name, size }))).to.deep.equal([{ name: 'tapir.jpg', size: 1234 }]);
  });

  it("imports and exports files relative to the client's folder, not the host's", async () => {
    // The same name in both folders: only the client's is meant.
    await writeFile(join(hostDir, 'survey.geojson'), geojson([[1, 1, 'the host folder']]));
    await mkdir(join(clientDir, 'in'));
    await writeFile(join(clientDir, 'in', 'survey.geojson'), geojson([[2, 2, 'client one'], [3, 3, 'client two'], [4, 4, 'client three']]));
    const imported = await cairnJson<{ imported: number; rejected: unknown[] }>(['import', 'survey.geojson'], join(clientDir, 'in'));
    expect(imported).to.deep.include({ imported: 3, rejected: [] });
    expect(await cairnJson<unknown[]>(['obs', 'list', '--text', 'host'])).to.deep.equal([]);

    const exported = await cairnJson<{ file: string; observations: number }>(['export', '--format', 'csv', '--out', 'all.csv', '--text', 'client']);
    expect(exported.file).to.equal(join(clientDir, 'all.csv'));
    expect(exported.observations).to.equal(3);
    expect(await readFile(join(clientDir, 'all.csv'), 'utf8')).to.contain('client two');
    expect(await stat(join(hostDir, 'all.csv')).catch(() => null)).to.equal(null);

    // A value that is a URL is no path: it reaches the plugin as it was given.
    const tiles = 'https://tiles.example.org/{z}/{x}/{y}.png';
    const basemap = await cairnJson<{ id: string; kind: string }>(['basemap', 'add', tiles, '--name', 'Online']);
    expect(basemap.kind).to.equal('xyz');
    const basemaps = await cairnJson<Array<{ id: string; url?: string; name: string }>>(['basemap', 'list']);
    expect(basemaps.find((entry) => entry.id === basemap.id)?.name).to.equal('Online');
    await cairnJson(['basemap', 'remove', basemap.id]);
  });

  it('enables, disables and installs plugins in the running host', async () => {
    const plugins = () => cairnJson<Array<{ id: string; enabled: boolean; state: string }>>(['plugins', 'list']);
    const disabled = await cairnJson<{ id: string; enabled: boolean }>(['plugins', 'disable', 'observations']);
    expect(disabled).to.deep.include({ id: 'observations', enabled: false });
    expect((await plugins()).find((plugin) => plugin.id === 'observations')).to.deep.include({ enabled: false, state: 'disabled' });
    const refused = await cairn(['import', 'in/survey.geojson']);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/^error \[ERR_PLUGIN_DISABLED\]: .*cairn plugins enable observations/);

    await cairnJson(['plugins', 'enable', 'observations']);
    expect((await plugins()).find((plugin) => plugin.id === 'observations')).to.deep.include({ enabled: true, state: 'active' });
    // The host, which has the store open, imports again: proof that it is the one that was told.
    expect(await cairnJson<{ imported: number }>(['import', 'in/survey.geojson'])).to.deep.include({ imported: 3 });

    await cp(helloExample, join(clientDir, 'hello-plugin'), { recursive: true });
    expect(await cairnJson<{ id: string }>(['plugins', 'install', 'hello-plugin'])).to.deep.include({ id: 'hello' });
    await cairnJson(['plugins', 'enable', 'hello']);
    expect(await cairnJson<{ greeting: string }>(['hello', 'Ada'])).to.deep.include({ greeting: 'Hello, Ada!' });
  });

  it('reports errors with the same code, message and exit code as a command run on its own', async () => {
    const alone = await temp.make('cairn-alone-');
    expect((await runCairn(['--data-dir', alone, 'init', '--name', 'Alone'])).code).to.equal(0);
    // Exit 1 with a code, the same as JSON, and a usage error (exit 2).
    for (const args of [['obs', 'get', 'nope'], ['obs', 'list', '--limit', 'x', '--json'], ['obs', 'frobnicate']]) {
      const here = await runCairn(['--data-dir', alone, ...args], { cwd: clientDir });
      const there = await cairn(args);
      expect(there, args.join(' ')).to.deep.equal(here);
      expect(there.code).to.be.oneOf([1, 2]);
    }
    const notFound = await cairn(['obs', 'get', 'nope', '--json']);
    expect(JSON.parse(notFound.stderr)).to.deep.equal({ error: { code: 'ERR_NOT_FOUND', message: "There is no observation 'nope' (it may have been deleted)." } });
    // Help and the version come from the host too.
    const help = await cairn(['--help']);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.contain('Usage: cairn');
  });

  it('draws progress only when the client is a terminal, cut to its width', async () => {
    const socket = (await hostSocketFor(dataDir))!;
    const request = (argv: string[], stdoutIsTTY: boolean) =>
      `${JSON.stringify({ cairn: 'cli', version: hostProtocolVersion, argv, cwd: clientDir, dataDir, stdoutIsTTY, columns: 30 })}\n`;
    const onTerminal = await exchange(socket.path, request(['import', 'in/survey.geojson'], true));
    const drawn = onTerminal.flatMap((reply) => ('err' in reply ? [reply.err] : []));
    expect(drawn.join('')).to.contain('\r\x1b[2KImporting observations');
    for (const line of drawn) expect(line.replace('\r\x1b[2K', '').length).to.be.at.most(29);
    expect(onTerminal.at(-1)).to.deep.equal({ exit: 0 });
    const piped = await cairn(['import', 'in/survey.geojson']);
    expect(piped.code).to.equal(0);
    expect(piped.stderr).to.equal('');
  });

  it('keeps the socket and its folder closed to other users', async () => {
    const socket = (await hostSocketFor(dataDir))!;
    expect(Buffer.byteLength(socket.path)).to.be.at.most(100);
    const folder = await stat(socket.folder!);
    expect(folder.isDirectory()).to.equal(true);
    expect(folder.uid).to.equal(process.getuid!());
    expect(folder.mode & 0o777).to.equal(0o700);
    const file = await stat(socket.path);
    expect(file.isSocket()).to.equal(true);
    expect(file.mode & 0o077).to.equal(0);
  });

  it('answers malformed requests with an error and carries on, also after a client left mid-command', async () => {
    const socket = (await hostSocketFor(dataDir))!;
    expect(await exchange(socket.path, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')).to.deep.equal([
      { error: { code: 'ERR_INVALID_INPUT', message: 'This socket takes `cairn` command lines only.' } },
    ]);
    const [wrongVersion] = await exchange(socket.path, `${JSON.stringify({ cairn: 'cli', version: 99, argv: [] })}\n`);
    expect(wrongVersion).to.have.nested.property('error.code', 'ERR_PROTOCOL_VERSION');
    const [tooLong] = await exchange(socket.path, 'x'.repeat(1024 * 1024 + 1));
    expect(tooLong).to.have.nested.property('error.code', 'ERR_INVALID_INPUT');
    const [badFields] = await exchange(socket.path, `${JSON.stringify({ cairn: 'cli', version: hostProtocolVersion, argv: 'project' })}\n`);
    expect(badFields).to.have.nested.property('error.code', 'ERR_INVALID_INPUT');
    const [otherDir] = await exchange(
      socket.path,
      `${JSON.stringify({ cairn: 'cli', version: hostProtocolVersion, argv: ['project'], cwd: clientDir, dataDir: clientDir, stdoutIsTTY: false })}\n`,
    );
    expect(otherDir).to.have.nested.property('error.code', 'ERR_INVALID_INPUT');

    // A client that leaves at once, and one stopped with Ctrl+C while its import runs.
    const points = Array.from({ length: 20_000 }, (_, index): [number, number, string] => [index / 1000, 1, `bulk ${index}`]);
    await writeFile(join(clientDir, 'bulk.geojson'), geojson(points));
    await new Promise<void>((resolve, reject) => {
      const leaving = connect(socket.path);
      leaving.on('error', reject);
      leaving.once('data', () => {
        leaving.destroy();
        resolve();
      });
      leaving.write(`${JSON.stringify({ cairn: 'cli', version: hostProtocolVersion, argv: ['import', 'bulk.geojson'], cwd: clientDir, dataDir, stdoutIsTTY: true })}\n`);
    });
    const importing = await startCairn(['--data-dir', dataDir, 'import', 'bulk.geojson'], { cwd: clientDir });
    await new Promise((resolve) => setTimeout(resolve, 300));
    importing.child.kill('SIGINT');
    expect((await importing.done).signal).to.equal('SIGINT');

    expect(await cairnJson<{ observations: number }>(['project'])).to.have.property('observations').that.is.a('number');
    expect(served.child.exitCode).to.equal(null);
  });

  it('refuses a second `cairn serve`, naming the running workbench', async () => {
    const second = await startCairn(['--data-dir', dataDir, 'serve', '--no-open'], { cwd: clientDir });
    const timer = setTimeout(() => second.child.kill('SIGINT'), 10_000);
    const result = await second.done;
    clearTimeout(timer);
    expect(result.code).to.equal(1);
    expect(result.stdout).to.equal('');
    expect(result.stderr).to.match(/^error \[ERR_BUSY\]: The data dir .* is open in the workbench at http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+ \(`cairn serve`, process \d+\); `cairn serve` cannot run beside it\./);
    expect(result.stderr).to.contain(served.url);
  });

  it('runs commands itself once the workbench was killed, and a new one takes the stale socket over', async () => {
    const socket = (await hostSocketFor(dataDir))!;
    served.child.kill('SIGKILL');
    await served.done;
    stopped = true;
    // kill -9 leaves the socket behind; it must neither block nor confuse the next command.
    expect((await stat(socket.path)).isSocket()).to.equal(true);
    const alone = await cairn(['project', '--json']);
    expect(alone.code, alone.stderr).to.equal(0);
    expect(JSON.parse(alone.stdout)).to.deep.include({ projectName: 'Open survey' });

    served = await serve(dataDir, hostDir);
    stopped = false;
    const listed = await cairnJson<unknown[]>(['obs', 'list', '--text', 'Tapir']);
    expect(listed).to.have.length(1);
    served.child.kill('SIGINT');
    expect((await served.done).code).to.equal(0);
    stopped = true;
    // Closed cleanly, it takes its socket with it.
    expect(await stat(socket.path).catch(() => null)).to.equal(null);
  });
});
