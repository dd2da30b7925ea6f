import { createRequire } from 'node:module';
import { expect } from 'chai';
import { showView, useEnv, useWorkbenches } from './browser.js';

type Testnet = { bootstrap: Array<{ host: string; port: number }>; destroy(): Promise<void> };
const createTestnet = createRequire(import.meta.url)('hyperdht/testnet') as (size: number, options: { host: string }) => Promise<Testnet>;

describe('sync over the internet, from the workbench (headless Chromium, loopback DHT)', function () {
  this.timeout(120_000);
  const workbenches = useWorkbenches();
  let testnet: Testnet;
  // A DHT of three nodes on 127.0.0.1 stands in for the public one: the devices of this test are
  // told only its nodes and bind to loopback, so no packet leaves this computer.
  before(async () => (testnet = await createTestnet(3, { host: '127.0.0.1' })));
  useEnv(() => ({ CAIRN_INTERNET_BOOTSTRAP: testnet.bootstrap.map(({ host, port }) => `${host}:${port}`).join(','), CAIRN_INTERNET_HOST: '127.0.0.1' }));
  after(() => testnet?.destroy());

  it('says what it shows before anything runs, then meets a device on the DHT and shows what moved', async () => {
    const laptop = await workbenches.device('laptop', undefined, 'Spread survey');
    const key = (await laptop.projects.open()).info().projectKey;
    const tablet = await workbenches.device('tablet', key);
    await (await tablet.projects.open()).createObservations([{ lat: 3, lon: 4, notes: 'from the tablet' }]);
    const page = await workbenches.open(laptop);
    await showView(page, 'Sync');

    const section = page.getByRole('region', { name: 'Sync' }).getByRole('region', { name: 'Sync over the internet' });
    await section.getByText(/IP address is visible to the DHT/).waitFor();
    const onTablet = tablet.commands.execute('sync-internet.sync', [{ timeout: 60 }]);
    await section.getByRole('button', { name: 'Sync over the internet' }).click();
    await section.getByRole('status').getByText(/^tablet: received 1 observation/).waitFor({ timeout: 60_000 });
    expect(((await onTablet) as { peers: Array<{ deviceName: string }> }).peers.map((peer) => peer.deviceName)).to.deep.equal(['laptop']);
    expect((await laptop.projects.open()).countObservations()).to.equal(1);
  });
});
