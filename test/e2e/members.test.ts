import { expect } from 'chai';
import { duplexPair } from '@cairn/sdk';
import type { CairnHost } from '@cairn/core';
import { showView, useWorkbenches } from './browser.js';

/** Syncs two hosts over an in-process pipe, as any transport would. */
async function syncHosts(a: CairnHost, b: CairnHost): Promise<void> {
  const [left, right] = duplexPair();
  await Promise.all([a.projects.replicate(left, { initiator: true }).done, b.projects.replicate(right, { initiator: false }).done]);
}

describe('members, from the workbench (headless Chromium)', function () {
  this.timeout(120_000);
  const workbenches = useWorkbenches();
  /** A coordinator's laptop and a participant's tablet that have synced once. */
  const twoMembers = async (): Promise<[CairnHost, CairnHost]> => {
    const laptop = await workbenches.device('laptop');
    const tablet = await workbenches.device('tablet', (await laptop.projects.open()).info().projectKey);
    await syncHosts(laptop, tablet);
    return [laptop, tablet];
  };

  it('lists the devices with their roles, and lets a coordinator promote and remove one', async () => {
    const [laptop] = await twoMembers();
    const page = await workbenches.open(laptop);
    await showView(page, 'Members');

    const list = page.getByRole('region', { name: 'Members' }).getByRole('list', { name: 'Members of the project' });
    const self = list.getByRole('listitem').filter({ hasText: 'laptop (this device)' });
    const other = list.getByRole('listitem').filter({ hasText: 'tablet' });
    await self.getByText('coordinator').waitFor();
    await other.getByText('participant', { exact: true }).waitFor();

    // Invites are the transports': the button leads to the Sync view, where they are.
    await page.getByRole('region', { name: 'Members' }).getByRole('button', { name: 'Invite a device…' }).click();
    await page.getByRole('region', { name: 'Sync' }).getByRole('button', { name: 'Invite a device…' }).waitFor();
    await showView(page, 'Members');
    await other.getByRole('button', { name: 'Make tablet coordinator' }).click();
    await other.getByText('coordinator', { exact: true }).waitFor();
    expect((await (await laptop.projects.open()).members.list()).find((member) => member.deviceName === 'tablet')).to.deep.include({ role: 'coordinator' });

    await other.getByRole('button', { name: 'Remove tablet' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Remove tablet?' });
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await other.getByText(/^removed/).waitFor();
    expect(await other.getByRole('button').count()).to.equal(0);
    const removed = (await (await laptop.projects.open()).members.list()).find((member) => member.deviceName === 'tablet');
    expect(removed).to.deep.include({ status: 'removed' });
  });

  it('shows a participant the list without the coordinators’ actions, and says why it cannot leave as the last coordinator', async () => {
    const [laptop, tablet] = await twoMembers();
    const onTablet = await workbenches.open(tablet);
    await showView(onTablet, 'Members');
    const tabletList = onTablet.getByRole('list', { name: 'Members of the project' });
    await tabletList.getByRole('listitem').filter({ hasText: 'laptop' }).getByText('coordinator').waitFor();
    expect(await onTablet.getByRole('button', { name: /^Make |^Remove / }).count()).to.equal(0);

    const onLaptop = await workbenches.open(laptop);
    await showView(onLaptop, 'Members');
    await onLaptop.getByRole('button', { name: 'Leave the project' }).click();
    await onLaptop.getByRole('alertdialog', { name: 'Leave the project?' }).getByRole('button', { name: 'Leave' }).click();
    await onLaptop.getByRole('region', { name: 'Notifications' }).getByText(/last coordinator/).waitFor();
    expect((await (await laptop.projects.open()).members.list()).find((member) => member.self)).to.deep.include({ status: 'active', role: 'coordinator' });
  });
});
