import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { showView, useWorkbenches } from './browser.js';

describe('sync with a file, from the workbench (headless Chromium)', function () {
  this.timeout(120_000);
  const workbenches = useWorkbenches();
  const temp = workbenches.temp;
  const device = (name: string, joinKey?: string) => workbenches.device(name, joinKey);

  it('chooses a file on the host, syncs into it with progress, and another device gets the data', async () => {
    const laptop = await device('laptop');
    await (await laptop.projects.open()).createObservations([{ lat: 1, lon: 2, notes: 'from the laptop' }]);
    const page = await workbenches.open(laptop);
    await showView(page, 'Sync');

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
    await section.getByRole('status').getByText('Created field-data.cairnsync: received nothing new, sent 1 observation.').waitFor();
    // One notification for the sync (the workbench's), not one more from the section.
    const notifications = page.getByRole('region', { name: 'Notifications' }).getByText(/^Synced with|^Created/);
    await notifications.first().waitFor();
    await page.waitForTimeout(300);
    expect(await notifications.allTextContents()).to.deep.equal(['Synced with Sync file: received nothing new, sent 1 observation.']);
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
    await section.getByRole('status').getByText('Synced with field-data.cairnsync: received 1 observation').waitFor();
    await page.getByRole('status', { name: 'Status Bar' }).getByText('2 observations').waitFor();
  });

  it('says why a file cannot be used, and changes nothing', async () => {
    const laptop = await device('laptop');
    const other = await device('elsewhere');
    const folder = await temp.make('cairn-usb-');
    await other.commands.execute('sync-file.sync', [join(folder, 'theirs.cairnsync')]);
    const page = await workbenches.open(laptop);
    await showView(page, 'Sync');
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
