import { expect } from 'chai';
import c from 'compact-encoding';
import Hypercore from 'hypercore';
import HyperDHT from 'hyperdht';
import Hyperswarm from 'hyperswarm';
import type Protomux from 'protomux';
import type { CairnHost } from '@cairn/core';
import { showView, useEnv, useWorkbenches } from './browser.js';

describe('sync over Wi-Fi, from the workbench (headless Chromium, loopback)', function () {
  this.timeout(120_000);
  const workbenches = useWorkbenches();
  // Loopback only: the devices of this test never send a packet to a real network.
  useEnv(() => ({ CAIRN_WIFI_HOST: '127.0.0.1' }));
  const device = (name: string, projectKey?: string) => workbenches.device(name, projectKey, 'Wi-Fi survey');
  const workbench = async (host: CairnHost) => {
    const page = await workbenches.open(host);
    await showView(page, 'Sync');
    return page;
  };

  it('finds a device, lists it, syncs with it (and again), and shows what moved', async () => {
    const laptop = await device('laptop');
    const key = (await laptop.projects.open()).info().projectKey;
    await (await laptop.projects.open()).createObservations([{ lat: 1, lon: 2, notes: 'from the laptop' }]);
    const tablet = await device('tablet', key);
    await (await tablet.projects.open()).createObservations([{ lat: 3, lon: 4, notes: 'from the tablet' }]);
    const page = await workbench(laptop);

    const section = page.getByRole('region', { name: 'Sync' }).getByRole('region', { name: 'Sync over Wi-Fi' });
    const statusBar = page.getByRole('status', { name: 'Status Bar' });
    await section.getByText('Not looking for devices').waitFor();
    expect(await statusBar.getByText(/^Wi-Fi:/).isVisible()).to.equal(false);
    const discover = section.getByRole('switch', { name: 'Find devices on this network' });
    await discover.click();
    const reachable = section.getByText(/This device is reachable at 127\.0\.0\.1:\d+/);
    await reachable.waitFor();
    expect(await discover.getAttribute('aria-checked')).to.equal('true');
    await statusBar.getByText('Wi-Fi: 0 devices').waitFor();
    const address = /127\.0\.0\.1:\d+/.exec((await reachable.textContent()) ?? '')![0];

    // The tablet reaches the laptop by address (multicast does not run on loopback).
    await tablet.commands.execute('sync-wifi.connect', [address]);
    const devices = section.getByRole('list', { name: 'Devices' });
    const tabletItem = devices.getByRole('listitem', { name: 'tablet' });
    await tabletItem.getByText(/Connected/).waitFor();
    await statusBar.getByText('Wi-Fi: 1 device').waitFor();
    expect((await laptop.projects.open()).countObservations(), 'nothing moves before a sync is asked for').to.equal(1);

    await tabletItem.getByRole('button', { name: 'Sync with tablet' }).click();
    await section.getByRole('status').getByText('tablet: received 1 observation, sent 1 observation.').waitFor();
    await statusBar.getByText('2 observations').waitFor();
    await tabletItem.getByText(/last synced/).waitFor();
    expect((await tablet.projects.open()).queryObservations().map((o) => o.notes).sort()).to.deep.equal(['from the laptop', 'from the tablet']);

    // Later, something new on the tablet: "Sync all" runs a new session with every device in reach.
    await (await tablet.projects.open()).createObservations([{ lat: 5, lon: 6, notes: 'later' }]);
    await tabletItem.getByText(/Connected/).waitFor();
    await section.getByRole('button', { name: 'Sync all' }).click();
    await section.getByRole('status').getByText('tablet: received 1 observation, sent nothing new.').waitFor();
    await statusBar.getByText('3 observations').waitFor();

    // This device's name, as others will see it.
    const name = section.getByRole('textbox', { name: "This device's name" });
    expect(await name.inputValue()).to.equal('laptop');
    await name.fill('field laptop');
    await name.press('Enter');
    await section.getByRole('status').getByText('This device is now called field laptop.').waitFor();
    expect((await laptop.projects.open()).info().deviceName).to.equal('field laptop');

    // Discovery stops when asked, and the status bar says nothing of Wi-Fi any more.
    await discover.click();
    await section.getByText('Not looking for devices').waitFor();
    await statusBar.getByText('Wi-Fi:').waitFor({ state: 'hidden' });
    await tabletItem.getByText(/Disconnected/).waitFor();
  });

  it('shows the progress of a long sync on the device it is with', async () => {
    const laptop = await device('laptop');
    const tablet = await device('tablet', (await laptop.projects.open()).info().projectKey);
    await tablet.projects.loadSampleData(40_000);
    const page = await workbench(laptop);
    const section = page.getByRole('region', { name: 'Sync over Wi-Fi' });
    await section.getByRole('switch', { name: 'Find devices on this network' }).click();
    const reachable = section.getByText(/This device is reachable at 127\.0\.0\.1:\d+/);
    await reachable.waitFor();
    await tablet.commands.execute('sync-wifi.connect', [/127\.0\.0\.1:\d+/.exec((await reachable.textContent()) ?? '')![0]]);
    const tabletItem = section.getByRole('list', { name: 'Devices' }).getByRole('listitem', { name: 'tablet' });
    await tabletItem.getByRole('button', { name: 'Sync with tablet' }).click();
    await tabletItem.getByRole('progressbar', { name: 'Syncing with tablet' }).waitFor();
    await section.getByRole('status').getByText('tablet: received 40,000 observations, sent nothing new.').waitFor({ timeout: 60_000 });
    await tabletItem.getByRole('progressbar').waitFor({ state: 'detached' });
  });

  it('lists a device whose Cairn is too old to sync with, saying who must update', async () => {
    const laptop = await device('laptop');
    const page = await workbench(laptop);
    const section = page.getByRole('region', { name: 'Sync over Wi-Fi' });
    await section.getByRole('switch', { name: 'Find devices on this network' }).click();
    const reachable = section.getByText(/This device is reachable at 127\.0\.0\.1:\d+/);
    await reachable.waitFor();
    const [host, port] = /127\.0\.0\.1:(\d+)/.exec((await reachable.textContent()) ?? '')![0].split(':');

    // An old device: on the project's topic, it speaks sync protocol 0.
    const discoveryKey = Buffer.from(await (await laptop.projects.open()).store.keys.discoveryKey);
    const swarm = new Hyperswarm({ dht: new HyperDHT({ bootstrap: [{ host: host!, port: Number(port) }], host: '127.0.0.1', firewalled: false }) });
    swarm.on('connection', (connection) => {
      connection.on('error', () => undefined);
      Hypercore.createProtocolStream(connection);
      const mux = (connection as unknown as { userData: Protomux }).userData;
      const channel = mux.createChannel({ protocol: 'cairn/sync', handshake: c.json })!;
      for (let index = 0; index < 3; index += 1) channel.addMessage({ encoding: c.json, onmessage: () => undefined });
      channel.open({
        protocol: 'cairn-sync',
        version: 0,
        minVersion: 0,
        discoveryKey: discoveryKey.toString('hex'),
        proof: '00'.repeat(32),
        device: { deviceId: 'ab'.repeat(32), name: 'old tablet', deviceType: 'mobile' },
      });
    });
    try {
      swarm.join(discoveryKey, { server: true, client: true });
      const listed = section.getByRole('list', { name: 'Devices' }).getByRole('listitem', { name: 'Device at 127.0.0.1' });
      await listed.getByText(/Incompatible version/).waitFor();
      await listed.getByText(/update Cairn on the peer 'old tablet'/).waitFor();
      expect(await listed.getByRole('button').count(), 'it cannot be synced with').to.equal(0);
    } finally {
      await swarm.destroy();
    }
  });

  it('connects to a device by its address, and says why an address cannot be reached', async () => {
    const laptop = await device('laptop');
    const tablet = await device('tablet', (await laptop.projects.open()).info().projectKey);
    // The tablet is looking for devices too; its Sync view would show this address.
    await tablet.plugins.activate('sync-wifi');
    const invocation = { signal: new AbortController().signal, progress: () => undefined };
    const { address } = (await tablet.services.invoke('sync-wifi', 'setDiscovering', [true], invocation)) as { address: string };
    const page = await workbench(laptop);
    const section = page.getByRole('region', { name: 'Sync over Wi-Fi' });
    await section.getByRole('button', { name: 'Connect to address…' }).click();
    const field = section.getByRole('textbox', { name: 'Address of the other device' });
    await field.fill('somewhere');
    await field.press('Enter');
    await section.getByRole('status').getByText(/is not an address like 192\.168\.1\.20:49737/).waitFor();
    await field.fill('127.0.0.1:9');
    await field.press('Enter');
    await section.getByRole('status').getByText(/Nothing answers at 127\.0\.0\.1:9\./).waitFor();
    await field.fill(address);
    await field.press('Enter');
    await section.getByRole('status').getByText(`Reached ${address}; its device appears in the list once it has proven it is of this project.`).waitFor();
    await section.getByRole('list', { name: 'Devices' }).getByRole('listitem', { name: 'tablet' }).getByText(/desktop · Connected/).waitFor();
  });

  it('leaves the Sync view with its plugin, and comes back with it', async () => {
    const laptop = await device('laptop');
    const page = await workbench(laptop);
    const sync = page.getByRole('region', { name: 'Sync' });
    await sync.getByRole('region', { name: 'Sync over Wi-Fi' }).waitFor();
    await laptop.plugins.disable('sync-wifi');
    await sync.getByRole('region', { name: 'Sync over Wi-Fi' }).waitFor({ state: 'detached' });
    expect(laptop.syncTransports.list().map((transport) => transport.id)).not.to.include('wifi');
    await sync.getByRole('region', { name: 'Sync with a file' }).waitFor();
    await laptop.plugins.enable('sync-wifi');
    await sync.getByRole('region', { name: 'Sync over Wi-Fi' }).waitFor();
    expect(laptop.syncTransports.list().map((transport) => transport.id)).to.include('wifi');
  });

  it('invites a device waiting to join from the section, with a role, and it becomes a member', async () => {
    const laptop = await device('laptop');
    await (await laptop.projects.open()).createObservations([{ lat: 1, lon: 2, notes: 'for members' }]);
    // A device with no project yet, waiting for an invite (as `cairn join` does) at a known port.
    const { CairnHost: Host } = await import('@cairn/core');
    const { join } = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const tablet = new Host({ dataDir: await workbenches.temp.make(), builtinPluginsDir: join(fileURLToPath(new URL('../../..', import.meta.url)), 'plugins') });
    const previousPort = process.env.CAIRN_INVITE_PORT;
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    process.env.CAIRN_INVITE_PORT = String(port);
    try {
      await tablet.start();
      const joined = tablet.commands.execute<{ projectName: string; role: string; invitedBy: string }>('sync-wifi.join', [{ deviceName: 'tablet', timeout: 60 }]);
      const page = await workbench(laptop);
      const section = page.getByRole('region', { name: 'Sync' }).getByRole('region', { name: 'Sync over Wi-Fi' });
      await section.getByRole('button', { name: 'Invite a device…' }).click();
      const form = section.getByRole('form', { name: 'Invite a device' });
      await form.getByRole('textbox', { name: 'Its address, where multicast is blocked' }).fill(`127.0.0.1:${port}`);
      await form.getByRole('combobox', { name: 'Role' }).selectOption('coordinator');
      await form.getByRole('button', { name: 'Invite' }).click();
      await section.getByRole('status').getByText('tablet joined the project as coordinator.').waitFor();
      expect(await joined).to.deep.equal({ projectName: 'Wi-Fi survey', role: 'coordinator', invitedBy: 'laptop' });
      const members = await (await laptop.projects.open()).members.list();
      expect(members.find((member) => member.deviceName === 'tablet')).to.deep.include({ role: 'coordinator', status: 'active' });
    } finally {
      if (previousPort === undefined) delete process.env.CAIRN_INVITE_PORT;
      else process.env.CAIRN_INVITE_PORT = previousPort;
      await tablet.dispose();
    }
  });
});
