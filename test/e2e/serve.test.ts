import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { cairnBin, repoRoot, runCairn, TempDirs } from '../helpers.js';
import { launchBrowser } from './browser.js';

/** Starts a process and resolves once its stdout shows a workbench URL. */
function startUntilUrl(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(output);
      if (match) resolve({ child, url: match[0], output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code} before printing a URL:\n${output}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('cairn serve and npm start', function () {
  this.timeout(180_000);
  let browser: Browser;
  const temp = new TempDirs();
  before(async () => (browser = await launchBrowser()));
  after(() => browser?.close());
  afterEach(() => temp.cleanup());

  it('serves the workbench until SIGINT, then closes the store and exits 0', async () => {
    const dataDir = await temp.make();
    await runCairn(['--data-dir', dataDir, 'init', '--name', 'Served']);
    const { child, url } = await startUntilUrl([cairnBin, '--data-dir', dataDir, 'serve', '--no-open']);
    try {
      const page = await browser.newPage();
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]');
      expect(await page.getByRole('status', { name: 'Status Bar' }).textContent()).to.contain('Served');
      await page.close();
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited(child)).to.equal(0);
    // The store was closed: another process can open it at once.
    const after = await runCairn(['--data-dir', dataDir, 'project', '--json']);
    expect(after.code, after.stderr).to.equal(0);
  });

  it('refuses to serve on a non-loopback address', async () => {
    const result = await runCairn(['--data-dir', await temp.make(), 'serve', '--host', '0.0.0.0', '--no-open']);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('--host must be a loopback address');
  });

  it('npm start says in one line why there is no desktop window, and starts browser mode', async () => {
    const dataDir = await temp.make();
    const { child, output } = await startUntilUrl([join(repoRoot, 'scripts', 'start.mjs'), '--data-dir', dataDir, '--no-open'], { DISPLAY: '' });
    child.kill('SIGINT');
    // It passes the signal on to the server it started, and exits with it.
    expect(await exited(child)).to.equal(0);
    // Where the data is, in one line, before it starts.
    expect(output().split('\n').filter((line) => line.startsWith('Cairn data dir: '))).to.deep.equal([`Cairn data dir: ${dataDir}`]);
    const lines = output().split('\n').filter((line) => line.startsWith('Starting in browser mode'));
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^Starting in browser mode: (the Electron binary is not installed|there is no display)/);
  });
});
