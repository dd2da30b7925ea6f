import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { CairnHost } from '@cairn/core';
import { WorkbenchServer } from '@cairn/core/node/server/workbench-server.js';
import { repoRoot, TempDirs } from '../helpers.js';
import { launchBrowser } from './browser.js';

describe('sync with a file, from the workbench (headless Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  const temp = new TempDirs();
  const hosts: CairnHost[] = [];
  const servers: WorkbenchServer[] = [];
  before(async () => (browser = await launchBrowser()));
  after(() => browser?.close());
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
    for (const host of hosts.splice(0)) await host.dispose();
    await temp.cleanup();
  });

  async function device(name: string, join?: string): Promise<CairnHost> {
    const host = new CairnHost({ dataDir: await temp.make(), builtinPluginsDir: join === undefined ? joinPath(repoRoot, 'plugins') : joinPath(repoRoot, 'plugins') });
    hosts.push(host);
    await host.start();
    await host.projects.create(join === undefined ? { name, deviceName: name } : { join, deviceName: name });
    await host.plugins.activateStartup();
    return host;
  }

  it('chooses a file on the host, syncs into it with progress, and another device gets the data', async () => {
    const laptop = await device('laptop');
    await (await laptop.projects.open()).createObservations([{ lat: 1, lon: 2, notes: 'from the laptop' }]);
    const server = new WorkbenchServer(laptop);
    servers.push(server);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(await server.listen());
    await page.waitForSelector('body[data-ready="true"]');

    const sync = page.getByRole('region', { name: 'Sync' });
    const section = sync.getByRole('region', { name: 'Sync with a file' });
    await section.getByRole('button', { name: 'Sync with a file…' }).click();
    const chooser = page.getByRole('dialog', { name: 'Sync with a file' });
    const folder = await temp.make('cairn-usb-');
    await chooser.getByRole('textbox', { name: 'Folder', exact: true }).fill(folder);
    await chooser.getByRole('textbox', { name: 'Folder', exact: true }).press('Enter');
    await chooser.getByRole('listbox', { name: 'Files and folders' }).getByText('Empty folder').waitFor();
    await chooser.getByRole('textbox', { name: 'File name' }).fill('field-data');
    await chooser.getByRole('button', { name: 'Choose' }).click();
    await section.getByRole('status').getByText('Created field-data.cairnsync: received 0 observations and 0 attachments, sent 1 and 0.').waitFor();
    expect(existsSync(join(folder, 'field-data.cairnsync'))).to.equal(true);

    // The other device, on the command line's path through the same plugin.
    const tablet = await device('tablet', (await laptop.projects.open()).info().projectKey);
    const result = await tablet.commands.execute<{ received: { observations: number } }>('sync-file.sync', [join(folder, 'field-data.cairnsync')]);
    expect(result.received.observations).to.equal(1);
    expect((await tablet.projects.open()).queryObservations().map((o) => o.notes)).to.deep.equal(['from the laptop']);
    await (await tablet.projects.open()).createObservations([{ lat: 3, lon: 4, notes: 'from the tablet' }]);
    await tablet.commands.execute('sync-file.sync', [join(folder, 'field-data.cairnsync')]);

    // Back on the laptop: the file is in the list now; pick it.
    await section.getByRole('button', { name: 'Sync with a file…' }).click();
    await chooser.getByRole('option', { name: 'field-data.cairnsync' }).click();
    await chooser.getByRole('button', { name: 'Choose' }).click();
    await section.getByRole('status').getByText('Synced with field-data.cairnsync: received 1 observations').waitFor();
    await page.getByRole('status', { name: 'Status Bar' }).getByText('2 observations').waitFor();
  });

  it('says why a file cannot be used, and changes nothing', async () => {
    const laptop = await device('laptop');
    const other = await device('elsewhere');
    const folder = await temp.make('cairn-usb-');
    await other.commands.execute('sync-file.sync', [join(folder, 'theirs.cairnsync')]);
    const server = new WorkbenchServer(laptop);
    servers.push(server);
    const page = await browser.newPage();
    await page.goto(await server.listen());
    await page.waitForSelector('body[data-ready="true"]');
    const section = page.getByRole('region', { name: 'Sync with a file' });
    await section.getByRole('button', { name: 'Sync with a file…' }).click();
    const chooser = page.getByRole('dialog', { name: 'Sync with a file' });
    await chooser.getByRole('textbox', { name: 'Folder', exact: true }).fill(folder);
    await chooser.getByRole('textbox', { name: 'Folder', exact: true }).press('Enter');
    await chooser.getByRole('option', { name: 'theirs.cairnsync' }).click();
    await chooser.getByRole('button', { name: 'Choose' }).click();
    await section.getByRole('status').getByText(/belongs to another project; nothing was read or written/).waitFor();
  });
});

function joinPath(...parts: string[]): string {
  return join(...parts);
}
