import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createIpcBridge } from '@cairn/core/electron-main/ipc-bridge.js';
import { appContentSecurityPolicy, ipcChannels, isAppUrl, windowOptions } from '@cairn/core/electron-main/security.js';
import { chooseLaunchMode, findElectronBinary } from '@cairn/core/node/launch-mode.js';

describe('desktop mode (what runs without the Electron binary)', () => {
  it('opens the window isolated and sandboxed, with no Node in the page', () => {
    const options = windowOptions('/app/preload.cjs');
    expect(options.webPreferences).to.deep.include({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('has a strict content security policy: the app only, no eval, no remote content', () => {
    const policy = appContentSecurityPolicy('abc');
    expect(policy).to.contain("default-src cairn://app");
    expect(policy).to.contain("script-src cairn://app 'nonce-abc'");
    expect(policy).to.contain("connect-src cairn://app;");
    expect(policy).to.contain("object-src 'none'");
    expect(policy).not.to.match(/unsafe-eval|https?:|\*/);
    expect(isAppUrl('cairn://app/static/shell.js')).to.equal(true);
    expect(isAppUrl('https://example.org/')).to.equal(false);
    expect(isAppUrl('file:///etc/passwd')).to.equal(false);
    expect(isAppUrl('not a url')).to.equal(false);
  });

  it('lets the page use only the whitelisted IPC channel, with text only', () => {
    const sent: unknown[][] = [];
    const listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
    const bridge = createIpcBridge({
      send: (channel, ...args) => void sent.push([channel, ...args]),
      on: (channel, listener) => listeners.set(channel, listener),
    });
    expect(ipcChannels).to.deep.equal(['cairn:rpc']);
    bridge.send('cairn:rpc', '{"jsonrpc":"2.0"}');
    expect(sent).to.deep.equal([['cairn:rpc', '{"jsonrpc":"2.0"}']]);
    expect(() => bridge.send('shell:openExternal', 'x')).to.throw("IPC channel 'shell:openExternal' is not allowed");
    expect(() => bridge.send('cairn:rpc', { not: 'text' } as never)).to.throw('IPC messages are text');
    expect(() => bridge.on('ipc:anything', () => undefined)).to.throw('is not allowed');
    const received: string[] = [];
    bridge.on('cairn:rpc', (text) => received.push(text));
    listeners.get('cairn:rpc')!({ sender: 'event objects stay out of the page' }, 'hello');
    listeners.get('cairn:rpc')!({}, { notText: true });
    expect(received).to.deep.equal(['hello']);
    expect(Object.isFrozen(bridge)).to.equal(true);
  });

  it('chooses Electron only when its binary and a display are there', () => {
    expect(chooseLaunchMode({ binary: null, platform: 'linux', env: { DISPLAY: ':0' }, nodeVersion: '22.12.0' })).to.deep.equal({
      mode: 'browser',
      reason: 'the Electron binary is not installed (it downloads on first launch when online: `npx electron --version`)',
    });
    // On Node 20 the desktop app cannot be had even online: the line says what it needs.
    expect(chooseLaunchMode({ binary: null, platform: 'linux', env: { DISPLAY: ':0' }, nodeVersion: '20.20.2' })).to.deep.equal({
      mode: 'browser',
      reason: 'the Electron binary is not installed (it downloads on first launch when online; that needs Node.js 22.12 or later, and this is 20.20.2: `npx electron --version`)',
    });
    expect(chooseLaunchMode({ binary: '/e/electron', platform: 'linux', env: {} })).to.deep.equal({
      mode: 'browser',
      reason: 'there is no display to open a window on',
    });
    expect(chooseLaunchMode({ binary: '/e/electron', platform: 'linux', env: { WAYLAND_DISPLAY: 'wayland-0' } })).to.deep.equal({ mode: 'electron', binary: '/e/electron' });
    expect(chooseLaunchMode({ binary: '/e/Electron.app', platform: 'darwin', env: {} })).to.deep.equal({ mode: 'electron', binary: '/e/Electron.app' });
    expect(chooseLaunchMode({ binary: '/e/electron', platform: 'linux', env: { DISPLAY: ':0', CAIRN_BROWSER: '1' } }).mode).to.equal('browser');
  });

  it('finds the Electron binary without downloading it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-electron-'));
    try {
      expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dir }), 'nothing there yet').to.equal(null);
      await writeFile(join(dir, 'electron'), '');
      expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dir })).to.equal(join(dir, 'electron'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
