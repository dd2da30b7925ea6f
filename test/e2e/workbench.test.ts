import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { CairnHost } from '@cairn/core';
import type { WorkbenchServer } from '@cairn/core/node/server/workbench-server.js';
import { pluginSet, repoRoot, TempDirs } from '../helpers.js';
import { launchBrowser, pngHasContent, showView, workbenchServer } from './browser.js';

const artifacts = join(repoRoot, 'test', 'artifacts');

interface Served {
  host: CairnHost;
  server: WorkbenchServer;
  url: string;
}

/** GET with raw headers (fetch would not let a test forge Host). */
function get(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Two ends of a loopback TCP connection. */
async function socketPair(): Promise<[Socket, Socket]> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const socket = await accepted;
  server.close();
  return [client, socket];
}

function socketStatus(url: string, headers: Record<string, string> = {}): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    socket.on('open', () => {
      socket.close();
      resolve('open');
    });
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.on('error', () => undefined);
  });
}

describe('workbench (headless Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  const temp = new TempDirs();
  const running: Served[] = [];

  before(async () => {
    browser = await launchBrowser();
    await mkdir(artifacts, { recursive: true });
  });
  after(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const served of running.splice(0)) {
      await served.server.close();
      await served.host.dispose();
    }
    await temp.cleanup();
  });

  async function serve(options: { project?: boolean; plugins?: string } = {}): Promise<Served> {
    const host = new CairnHost({ dataDir: await temp.make(), builtinPluginsDir: pluginSet(options.plugins ?? 'workbench') });
    await host.start();
    if (options.project) await host.projects.create({ name: 'River survey', deviceName: 'field laptop' });
    await host.plugins.activateStartup();
    const server = await workbenchServer(host);
    const url = await server.listen();
    const served = { host, server, url };
    running.push(served);
    return served;
  }

  async function open(served: Served, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: options.colorScheme ?? 'light' });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(served.url);
    await page.waitForSelector('body[data-ready="true"]');
    expect(problems, 'no script errors').to.deep.equal([]);
    return page;
  }


  async function screenshot(page: Page, name: string): Promise<void> {
    const png = await page.screenshot();
    await writeFile(join(artifacts, `${name}.png`), png);
    const { width, height, distinct } = pngHasContent(png);
    expect([width, height]).to.deep.equal([1280, 800]);
    expect(distinct, `${name}.png is not blank`).to.be.greaterThan(5);
  }

  it('refuses every request without the token, from a foreign origin or for a foreign host', async () => {
    const served = await serve();
    const origin = served.server.origin();
    const port = new URL(origin).port;
    expect(await get(`${origin}/`)).to.equal(403);
    expect(await get(`${origin}/static/shell.js`)).to.equal(403);
    expect(await get(`${origin}/?token=wrong`)).to.equal(403);
    expect(await get(served.url)).to.equal(200);
    expect(await get(`${origin}/static/shell.js?token=${served.server.token}`)).to.equal(200);
    expect(await get(served.url, { Host: `evil.example:${port}` }), 'DNS rebinding').to.equal(403);
    expect(await get(served.url, { Origin: 'http://evil.example' })).to.equal(403);
    const ws = origin.replace('http', 'ws');
    expect(await socketStatus(`${ws}/rpc`)).to.equal(403);
    expect(await socketStatus(`${ws}/rpc?token=${served.server.token}`, { Origin: 'http://evil.example' })).to.equal(403);
    expect(await socketStatus(`${ws}/rpc?token=${served.server.token}`, { Origin: origin })).to.equal('open');
    expect(await socketStatus(`${ws}/rpc`, { Cookie: `cairn_token_${port}=${served.server.token}`, Origin: origin })).to.equal('open');
    // The cookie of another server (another port) lets nothing in.
    expect(await socketStatus(`${ws}/rpc`, { Cookie: `cairn_token=${served.server.token}`, Origin: origin })).to.equal(403);
    expect(await get(`${origin}/session`, { Cookie: `cairn_token_${port}=${served.server.token}` })).to.equal(204);
    expect(await get(`${origin}/session`)).to.equal(403);
  });

  it('welcomes a newcomer: create a project, join one, or load sample data', async () => {
    const served = await serve();
    const page = await open(served);
    expect(await page.getByRole('heading', { name: 'Welcome to Cairn' }).isVisible()).to.equal(true);
    await screenshot(page, 'welcome');

    const join = page.getByRole('form', { name: 'Join a project' });
    await join.getByLabel('Project key').fill('f'.repeat(64).slice(0, 60) + 'zzzz');
    await join.getByRole('button', { name: 'Join project' }).click();
    expect(await join.getByRole('alert').textContent()).to.contain('64 hexadecimal characters');

    const create = page.getByRole('form', { name: 'Create a project' });
    await create.getByLabel('Project name').fill('River survey');
    await create.getByLabel('Device name').fill('field laptop');
    await create.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'River survey' }).waitFor();
    const status = page.getByRole('status', { name: 'Status Bar' });
    expect(await status.textContent()).to.contain('River survey');
    expect(await status.textContent()).to.contain('0 observations');
  });

  it('loads sample data with progress, and the status bar follows the count', async () => {
    const served = await serve();
    const page = await open(served);
    await page.getByRole('button', { name: 'Load sample data' }).click();
    await page.getByRole('progressbar', { name: 'Loading sample data' }).waitFor();
    await page.getByRole('heading', { name: 'Sample project' }).waitFor({ timeout: 60_000 });
    const status = page.getByRole('status', { name: 'Status Bar' });
    await page.waitForFunction(() => document.querySelector('[aria-label="Status Bar"]')?.textContent?.includes('2,000 observations'));
    expect(await status.textContent()).to.contain('Sample project');
    expect(await served.host.projects.open().then((project) => project.countObservations())).to.equal(2000);
  });

  it('lays out the shell with the ARIA contract', async () => {
    const served = await serve({ project: true });
    const page = await open(served);
    const activity = page.getByRole('tablist', { name: 'Activity Bar' });
    expect(await activity.getByRole('tab').evaluateAll((tabs) => tabs.map((tab) => tab.getAttribute('aria-label')))).to.deep.equal([
      'Notes',
      'Sync',
      'Members',
      'Plugins',
    ]);
    expect(await page.getByRole('status', { name: 'Status Bar' }).textContent()).to.contain('River survey');
    expect(await page.getByRole('main', { name: 'Editor Area' }).count()).to.equal(1);
    await page.keyboard.press('F1');
    const palette = page.getByRole('dialog', { name: 'Command Palette' });
    await palette.waitFor();
    expect(await palette.getByRole('combobox').count()).to.equal(1);
    expect(await palette.getByRole('option').count()).to.be.greaterThan(5);
    await page.keyboard.press('Escape');
    await palette.waitFor({ state: 'hidden' });
    await showView(page, 'Notes');
    await page.getByRole('region', { name: 'Notes' }).waitFor();
    await page.keyboard.press('Control+j');
    await page.getByRole('log', { name: 'Output' }).waitFor();
    await screenshot(page, 'workbench');
  });

  it('searches and runs commands from the palette, with their keybindings', async () => {
    const served = await serve({ project: true });
    const page = await open(served);
    await page.keyboard.press('Control+Shift+P');
    const palette = page.getByRole('dialog', { name: 'Command Palette' });
    await palette.getByRole('combobox').fill('notes hello');
    const options = palette.getByRole('option');
    expect(await options.count()).to.equal(1);
    expect(await options.first().textContent()).to.equal('Notes: Say helloCtrl+Alt+H');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Hello from the notes plugin' }).waitFor();
    expect(await page.getByRole('status', { name: 'Status Bar' }).textContent()).to.contain('Notes said hello');

    // A host command, through the same palette.
    await page.keyboard.press('F1');
    await palette.getByRole('combobox').fill('count observations');
    await page.keyboard.press('Enter');
    // And a keybinding straight from the keyboard.
    await page.keyboard.press('Control+Alt+H');
    await page.getByRole('status').filter({ hasText: 'Hello from the notes plugin' }).first().waitFor();
  });

  it('shows a plugin view, follows live data, and withdraws it on disable without a reload', async () => {
    const served = await serve({ project: true });
    const page = await open(served);
    await showView(page, 'Notes');
    const notes = page.getByRole('region', { name: 'Notes' });
    await notes.getByText('0 observations').waitFor();
    const project = await served.host.projects.open();
    await project.createObservations([{ lat: 1, lon: 2, notes: 'seen from the CLI' }]);
    await notes.getByText('1 observations').waitFor();

    await page.getByRole('tab', { name: 'Plugins' }).click();
    await page.getByRole('button', { name: 'Disable Notes view' }).click();
    await page.getByRole('tab', { name: 'Notes' }).waitFor({ state: 'detached' });
    expect(await page.getByRole('status', { name: 'Status Bar' }).textContent()).not.to.contain('Notes ready');
    await page.getByRole('button', { name: 'Enable Notes view' }).click();
    await page.getByRole('tab', { name: 'Notes' }).click();
    await page.getByRole('region', { name: 'Notes' }).getByText('1 observations').waitFor();
  });

  it('shows a failing plugin with its error while the rest works', async () => {
    const served = await serve({ project: true });
    const page = await open(served);
    await page.getByRole('alert').filter({ hasText: "Plugin 'Broken plugin' failed: the survey database is unreachable" }).waitFor();
    await showView(page, 'Plugins');
    const broken = page.locator('[data-plugin="broken-ui"]');
    expect(await broken.locator('.plugin-state').textContent()).to.equal('failed');
    expect(await broken.getByRole('note').textContent()).to.equal('the survey database is unreachable');
    await page.getByRole('tab', { name: 'Notes' }).click();
    await page.getByRole('region', { name: 'Notes' }).waitFor();
    await screenshot(page, 'failed-plugin');
  });

  it('can be driven from the keyboard: activity bar arrows, Enter, F6', async () => {
    const served = await serve({ project: true });
    const page = await open(served);
    const plugins = page.getByRole('tab', { name: 'Plugins' });
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.id);
    await plugins.focus();
    await page.keyboard.press('ArrowDown');
    expect(await focused(), 'wraps around').to.equal('Notes');
    await page.keyboard.press('End');
    expect(await focused()).to.equal('Plugins');
    await page.keyboard.press('Home');
    expect(await focused()).to.equal('Notes');
    await page.keyboard.press('ArrowUp');
    expect(await focused(), 'wraps around').to.equal('Plugins');
    await page.keyboard.press('ArrowUp');
    expect(await focused()).to.equal('Members');
    await page.keyboard.press('ArrowUp');
    expect(await focused()).to.equal('Sync');
    await page.keyboard.press('Enter');
    expect(await page.getByRole('tab', { name: 'Sync' }).getAttribute('aria-selected')).to.equal('true');
    expect(await focused(), 'the chosen view takes the focus').to.equal('side-bar');
    await page.getByRole('region', { name: 'Sync' }).waitFor();
    await page.keyboard.press('F6');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).to.equal('Editor');
    await page.keyboard.press('Shift+F6');
    await page.keyboard.press('Shift+F6');
    expect(await focused(), 'F6 cycles back to the activity bar').to.equal('Sync');
  });

  it('remembers the layout, follows the OS theme, and can be switched', async () => {
    const served = await serve({ project: true });
    const dark = await open(served, { colorScheme: 'dark' });
    expect(await dark.evaluate(() => document.documentElement.dataset.theme)).to.equal('dark');
    await screenshot(dark, 'dark');
    await showView(dark, 'Notes');
    await dark.keyboard.press('Control+b');
    await dark.keyboard.press('Control+j');
    await dark.keyboard.press('F1');
    await dark.getByRole('combobox').fill('toggle light');
    await dark.keyboard.press('Enter');
    expect(await dark.evaluate(() => document.documentElement.dataset.theme)).to.equal('light');
    await new Promise((resolve) => setTimeout(resolve, 600)); // the layout is saved after a short pause
    const again = await open(served, { colorScheme: 'dark' });
    expect(await again.evaluate(() => document.documentElement.dataset.theme)).to.equal('light');
    expect(await again.locator('#side-bar').isHidden()).to.equal(true);
    expect(await again.getByRole('log', { name: 'Output' }).isVisible()).to.equal(true);
    expect(await again.getByRole('tab', { name: 'Notes' }).getAttribute('aria-selected')).to.equal('false');
    await again.keyboard.press('Control+b');
    expect(await again.getByRole('tab', { name: 'Notes' }).getAttribute('aria-selected')).to.equal('true');
  });

  it('shows progress of a long host task called through a service proxy', async () => {
    const served = await serve({ project: true });
    const page = await open(served);
    await page.keyboard.press('F1');
    await page.getByRole('combobox').fill('count slowly');
    await page.keyboard.press('Enter');
    const bar = page.getByRole('progressbar', { name: 'Counting slowly' });
    await bar.waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')) >= 50);
    await page.getByRole('status', { name: 'Status Bar' }).getByText('Counted 0').waitFor();
    await bar.waitFor({ state: 'detached' });
  });

  it('opens editors in tabs from a view title action, and closes them', async () => {
    const served = await serve({ project: true });
    const page = await open(served);
    await showView(page, 'Notes');
    const action = page.getByRole('toolbar', { name: 'View actions' }).getByRole('button', { name: 'Open a note' });
    await action.click();
    await action.click();
    const tabs = page.getByRole('tablist', { name: 'Editor Tabs' }).getByRole('tab');
    expect(await tabs.allTextContents()).to.deep.equal(['Note 1×', 'Note 2×']);
    expect(await tabs.nth(1).getAttribute('aria-selected')).to.equal('true');
    await page.getByText('This is note 2').waitFor();
    await page.getByRole('button', { name: 'Close Note 2' }).click();
    expect(await tabs.first().getAttribute('aria-selected')).to.equal('true');
    await page.getByText('This is note 1').waitFor();
    await page.getByRole('button', { name: 'Close Note 1' }).click();
    await page.getByRole('heading', { name: 'River survey' }).waitFor();
    // The Plugins view has no such action, nor does the key meant for the Notes view work there.
    await showView(page, 'Plugins');
    expect(await page.getByRole('toolbar', { name: 'View actions' }).getByRole('button').count()).to.equal(0);
    await page.keyboard.press('Control+Alt+O');
    await showView(page, 'Notes');
    expect(await tabs.count()).to.equal(0);
    await page.keyboard.press('Control+Alt+O');
    await page.getByText('This is note 3').waitFor();
    expect(await tabs.allTextContents()).to.deep.equal(['Note 3×']);
  });

  it('cancels a long host task from its progress notification', async () => {
    const served = await serve({ project: true });
    const page = await open(served);
    await page.keyboard.press('F1');
    await page.getByRole('combobox').fill('count slowly');
    await page.keyboard.press('Enter');
    await page.getByRole('progressbar', { name: 'Counting slowly' }).waitFor();
    await page.getByRole('button', { name: 'Cancel Counting slowly' }).click();
    await page.getByRole('status').filter({ hasText: 'Counting slowly: cancelled.' }).waitFor();
    await page.getByRole('progressbar', { name: 'Counting slowly' }).waitFor({ state: 'detached' });
    expect(await page.getByRole('status', { name: 'Status Bar' }).textContent()).not.to.contain('Counted');
    // The host's service saw the cancellation and stopped; its log line reaches the Output panel.
    const output = page.getByRole('log', { name: 'Output', includeHidden: true });
    await output.getByText(/slowCount stopped at step \d: the caller cancelled/).waitFor({ state: 'attached' });
    expect(await page.getByRole('alert').filter({ hasText: /cancel/i }).count(), 'no error for a cancellation').to.equal(0);
  });

  it('follows every sync of the host, and shows what it brought', async () => {
    const served = await serve({ project: true });
    const page = await open(served);
    const { Project } = await import('@cairn/core/node/project/project.js');
    const log = { debug() {}, info() {}, warn() {}, error() {} };
    const other = await Project.create(await temp.make(), { join: (await served.host.projects.open()).info().projectKey, deviceName: 'tablet' }, log);
    try {
      const { generateObservations } = await import('@cairn/core/common/sample-data.js');
      await other.createObservations(generateObservations(300, 7));
      const [left, right] = await socketPair();
      const served$ = served.host.projects.replicate(left, { initiator: true, peer: { address: 'loopback' } });
      const theirs = other.replicate(right, { initiator: false });
      await Promise.all([served$.done, theirs.done]);
      left.destroy();
      right.destroy();
      const done = page.getByRole('status').filter({ hasText: 'Synced with tablet: received 300 observations, sent nothing new.' });
      await done.waitFor();
      await page.getByRole('status', { name: 'Status Bar' }).getByText('300 observations').waitFor();
      // A success fades by itself; an error stays, and is announced as one.
      await done.waitFor({ state: 'detached', timeout: 15_000 });
      const [near, far] = await socketPair();
      const failed = served.host.projects.replicate(near, { initiator: true, peer: { address: 'loopback' } });
      far.destroy();
      await failed.done.catch(() => undefined);
      near.destroy();
      await page.getByRole('alert').filter({ hasText: 'Sync with loopback failed' }).waitFor();
      await page.waitForTimeout(7000);
      expect(await page.getByRole('alert').filter({ hasText: 'Sync with loopback failed' }).count()).to.equal(1);
    } finally {
      await other.close();
    }
  });
});
