import { expect } from 'chai';
import type { CairnHost } from '@cairn/core';
import { showView, useWorkbenches } from './browser.js';

// Two Cairn devices, each a real CoMapeo member (the plugin embeds @comapeo/core): the laptop is
// driven from its workbench's Sync view, the other from its commands. Loopback only.
describe('CoMapeo phones, from the workbench (headless Chromium, loopback)', function () {
  this.timeout(180_000);
  const workbenches = useWorkbenches();
  const previousHost = process.env.CAIRN_COMAPEO_HOST;
  before(() => {
    // mDNS on loopback only: no packet of this test reaches a real network.
    process.env.CAIRN_COMAPEO_HOST = '127.0.0.1';
  });
  after(() => {
    if (previousHost === undefined) delete process.env.CAIRN_COMAPEO_HOST;
    else process.env.CAIRN_COMAPEO_HOST = previousHost;
  });

  it('makes the device visible, accepts an invite, syncs with the coordinator and shows what came', async () => {
    const laptop = await workbenches.device('laptop');
    const coordinator: CairnHost = await workbenches.device('coordinator', undefined, 'River watch');
    await coordinator.commands.execute('comapeo.create', [{}]);
    await (await coordinator.projects.open()).createObservations([{ lat: 1, lon: 2, notes: 'from the coordinator' }]);

    const page = await workbenches.open(laptop);
    await showView(page, 'Sync');
    const section = page.getByRole('region', { name: 'Sync' }).getByRole('region', { name: 'CoMapeo phones' });
    await section.getByText(/is in no CoMapeo project/).waitFor();
    const visible = section.getByRole('switch', { name: 'Visible to CoMapeo devices' });
    expect(await visible.getAttribute('aria-checked')).to.equal('false');
    await visible.click();
    const reachable = section.getByText(/Reachable at 127\.0\.0\.1:\d+/);
    await reachable.waitFor();
    const address = /127\.0\.0\.1:\d+/.exec((await reachable.textContent()) ?? '')![0];

    // The coordinator invites the laptop by its address; the laptop's user accepts on screen.
    const invited = coordinator.commands.execute<{ decision: string }>('comapeo.invite', [{ connect: [address], device: 'laptop', timeout: 60 }]);
    const invite = section.getByRole('list', { name: 'Invites' }).getByRole('listitem', { name: 'Invite to River watch' });
    // As long as the invite itself may take: the coordinator's CoMapeo process starts first.
    await invite.getByText('from coordinator').waitFor({ timeout: 60_000 });
    await invite.getByRole('button', { name: 'Accept the invite to River watch' }).click();
    await section.getByRole('status').getByText('Joined River watch.').waitFor();
    expect((await invited).decision).to.equal('accept');
    await section.getByText(/River watch: this device \(laptop\) is a participant; 2 members/).waitFor();
    const members = section.getByRole('list', { name: 'Members' });
    await members.getByRole('listitem', { name: 'coordinator' }).getByText('desktop · coordinator').waitFor();
    await members.getByRole('listitem', { name: 'laptop' }).getByText('desktop · participant · this device').waitFor();

    // Both sync (CoMapeo moves data only while both sides do): the laptop from its section.
    const coordinatorItem = section.getByRole('list', { name: 'CoMapeo devices' }).getByRole('listitem', { name: 'coordinator' });
    await coordinatorItem.getByText('desktop · in reach · coordinator · never synced').waitFor();
    // Connected since the invite: as a coordinator at their screen, it syncs with who is in reach.
    const theirs = coordinator.commands.execute('comapeo.sync', [{ timeout: 60 }]);
    await coordinatorItem.getByRole('button', { name: 'Sync with coordinator' }).click();
    await section.getByRole('status').getByText(/^Synced with coordinator: received 1 observation/).waitFor({ timeout: 60_000 });
    await theirs;
    await coordinatorItem.getByText(/last synced/).waitFor();
    expect((await laptop.projects.open()).queryObservations().map((observation) => observation.notes)).to.deep.equal(['from the coordinator']);

    // Off again: the CoMapeo side stops, and the devices are no longer listed.
    await visible.click();
    await section.getByRole('list', { name: 'CoMapeo devices' }).waitFor({ state: 'hidden' });
    expect(await visible.getAttribute('aria-checked')).to.equal('false');
  });

  it('creates a CoMapeo project, invites a device in reach with a role, and syncs with all', async () => {
    const laptop = await workbenches.device('laptop', undefined, 'Lakeside');
    const tablet: CairnHost = await workbenches.device('tablet');
    await (await laptop.projects.open()).createObservations([{ lat: 3, lon: 4, notes: 'from the laptop' }]);

    const page = await workbenches.open(laptop);
    await showView(page, 'Sync');
    const section = page.getByRole('region', { name: 'Sync' }).getByRole('region', { name: 'CoMapeo phones' });
    await section.getByRole('button', { name: 'Create a CoMapeo project' }).click();
    await section.getByRole('status').getByText('Created a CoMapeo project for this project: invite the phones of your team.').waitFor();
    await section.getByRole('switch', { name: 'Visible to CoMapeo devices' }).click();
    const reachable = section.getByText(/Reachable at 127\.0\.0\.1:\d+/);
    await reachable.waitFor();
    await section.getByText(/Lakeside: this device \(laptop\) is a coordinator; 1 member/).waitFor();
    const address = /127\.0\.0\.1:\d+/.exec((await reachable.textContent()) ?? '')![0];

    // The tablet waits for an invite; the laptop's coordinator sees it in reach and invites it.
    const joined = tablet.commands.execute<{ role: string; projectName: string }>('comapeo.join', [{ connect: [address], timeout: 60 }]);
    const tabletItem = section.getByRole('list', { name: 'CoMapeo devices' }).getByRole('listitem', { name: 'tablet' });
    await tabletItem.getByText(/not a member/).waitFor();
    await tabletItem.getByRole('combobox', { name: 'Role for tablet' }).selectOption('coordinator');
    await tabletItem.getByRole('button', { name: 'Invite tablet' }).click();
    await section.getByRole('status').getByText('tablet joined as coordinator.').waitFor({ timeout: 60_000 });
    expect(await joined).to.deep.include({ role: 'coordinator', projectName: 'Lakeside' });
    await section.getByRole('list', { name: 'Members' }).getByRole('listitem', { name: 'tablet' }).getByText('desktop · coordinator').waitFor();

    const theirs = tablet.commands.execute('comapeo.sync', [{ timeout: 60 }]);
    await section.getByRole('button', { name: 'Sync all' }).click();
    await section.getByRole('status').getByText(/^Synced with tablet: received 0 observations, .*; sent 1 observation/).waitFor({ timeout: 60_000 });
    await theirs;
    // What the laptop bridged reached the tablet's CoMapeo side after the tablet had bridged: its
    // next sync brings it into its Cairn project (with no one to wait for, it bridges what is there).
    await tablet.commands.execute('comapeo.sync', [{ waitPeers: 0, timeout: 60 }]);
    expect((await tablet.projects.open()).queryObservations().map((observation) => observation.notes)).to.deep.equal(['from the laptop']);
  });
});
