import { expect } from 'chai';
import { duplexPair } from '@cairn/sdk';
import type { CairnHost } from '@cairn/core';
import jsQRModule from 'jsqr';
import { pngPixels, showView, useEnv, useWorkbenches } from './browser.js';

// jsqr is CommonJS: its default export is the module itself.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

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

  describe('invite codes', () => {
    // Loopback only: the devices of this test never send a packet to a real network.
    useEnv(() => ({ CAIRN_WIFI_HOST: '127.0.0.1' }));

    it('a coordinator makes a code, shown as text and as a QR code that reads as it; a newcomer joins with it from the welcome page, once', async () => {
      const laptop = await workbenches.device('laptop', undefined, 'Code survey');
      const page = await workbenches.open(laptop);
      await showView(page, 'Members');
      const members = page.getByRole('region', { name: 'Members' });
      await members.getByRole('button', { name: 'Invite by code…' }).click();
      const form = members.getByRole('form', { name: 'Invite by code' });
      await form.getByRole('combobox', { name: 'Role of the device that joins' }).selectOption('coordinator');
      await form.getByRole('button', { name: 'Make code' }).click();
      const codeText = members.getByLabel('Invite code', { exact: true });
      await codeText.waitFor();
      const code = (await codeText.textContent()) ?? '';
      expect(code).to.match(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
      await members.getByText(/For one device, as coordinator, until/).waitFor();
      // What a phone's camera reads off the screen is the code.
      const qr = members.getByRole('img', { name: `QR code of the invite code ${code}` });
      const shot = pngPixels(await qr.screenshot());
      const rgba = new Uint8ClampedArray(shot.width * shot.height * 4);
      for (let y = 0; y < shot.height; y++) {
        for (let x = 0; x < shot.width; x++) rgba.set([...shot.at(x, y), 255], (y * shot.width + x) * 4);
      }
      expect(jsQR(rgba, shot.width, shot.height)?.data).to.equal(code);

      // The laptop answers codes while it finds devices.
      await showView(page, 'Sync');
      const wifi = page.getByRole('region', { name: 'Sync' }).getByRole('region', { name: 'Sync over Wi-Fi' });
      await wifi.getByRole('switch', { name: 'Find devices on this network' }).click();
      const desk = wifi.getByText(/Invite codes are answered at 127\.0\.0\.1:\d+/);
      await desk.waitFor();
      const address = /answered at (127\.0\.0\.1:\d+)/.exec((await desk.textContent()) ?? '')![1]!;

      const joinWith = async (deviceName: string) => {
        const welcome = await workbenches.open(await workbenches.empty());
        const card = welcome.getByRole('form', { name: 'Join by invite' });
        // Typed as people type it: in lower case, without the dashes.
        await card.getByLabel('Invite code').fill(code.toLowerCase().replaceAll('-', ''));
        await card.getByLabel('Device name').fill(deviceName);
        await card.getByLabel(/Coordinator's address/).fill(address);
        await card.getByRole('button', { name: 'Join' }).click();
        return { welcome, card };
      };
      const { welcome } = await joinWith('field phone');
      await welcome.getByRole('region', { name: 'Notifications' }).getByText('You joined Code survey as coordinator, invited by laptop.', { exact: false }).waitFor();
      await welcome.getByText('field phone', { exact: true }).waitFor(); // the home page, of this device
      const joined = (await (await laptop.projects.open()).members.list()).find((member) => member.deviceName === 'field phone');
      expect(joined).to.deep.include({ role: 'coordinator', status: 'active' });

      const { card } = await joinWith('second phone');
      await card.getByRole('alert').getByText(/used already/).waitFor();
      expect((await (await laptop.projects.open()).members.list()).map((member) => member.deviceName).sort()).to.deep.equal(['field phone', 'laptop']);
    });
  });
});
