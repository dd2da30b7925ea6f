// The desktop app: the host runs in Electron's main process; the workbench in a sandboxed window
// that reaches it only through the preload's IPC bridge. Started by `npm start` when the Electron
// binary is available (see scripts/start.mjs).
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, protocol, session, type IpcMainEvent, type WebContents } from 'electron';
import { errorMessage, type Disposable } from '@cairn/sdk';
import { connectionOver } from '../common/rpc-transport.js';
import { CairnHost } from '../node/host.js';
import { dataDirFromArgs } from '../node/paths.js';
import { listenForCli, type HostListener } from '../node/cli/host-listener.js';
import { ResourceRegistry } from '../node/services/resource-registry.js';
import { contentTypeOf, WorkbenchAssets, workbenchIndex } from '../node/server/workbench-assets.js';
import { WorkbenchBinding, workbenchWindowModule } from '../node/server/workbench-binding.js';
import { appContentSecurityPolicy, appScheme, ipcChannels, isAppUrl, windowOptions } from './security.js';

const preload = join(fileURLToPath(new URL('.', import.meta.url)), 'preload.cjs');
const [rpcChannel] = ipcChannels;

protocol.registerSchemesAsPrivileged([{ scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  // The window's side of the host (its files, plugins' resources, the RPC binding) comes from the
  // host's container: this is the desktop app's composition root, as CairnHost is the host's.
  const host = new CairnHost({ dataDir: dataDirFromArgs(process.argv), modules: [workbenchWindowModule] });
  const resources = host.container.get(ResourceRegistry);
  const assets = host.container.get(WorkbenchAssets);
  const workbench = host.container.get(WorkbenchBinding);
  await host.start();
  await host.plugins.activateStartup();
  // `cairn` commands for this data dir run in this process while the app is open.
  let cliListener: HostListener | null;
  try {
    cliListener = await listenForCli(host, `the Cairn desktop app (process ${process.pid})`);
  } catch (error) {
    dialog.showErrorBox('Cairn', errorMessage(error));
    await host.dispose();
    app.exit(1);
    return;
  }

  // No permission (camera, location, notifications…) is granted to the page without a reason.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  protocol.handle(appScheme, async (request) => {
    const url = new URL(request.url);
    if (url.pathname === '/' || url.pathname === '/index.html') {
      const nonce = randomBytes(16).toString('base64');
      return new Response(await workbenchIndex(nonce), {
        headers: { 'Content-Type': contentTypeOf('index.html'), 'Content-Security-Policy': appContentSecurityPolicy(nonce) },
      });
    }
    const resource = await resources.serve(url);
    if (resource !== null) return new Response(resource.body, { status: resource.status, headers: { 'Content-Type': resource.contentType } });
    const file = await assets.file(url.pathname);
    if (file === null) return new Response('Not found', { status: 404 });
    return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream, { headers: { 'Content-Type': contentTypeOf(file) } });
  });

  // One RPC connection per window, over the whitelisted channel.
  const connections = new Map<number, { deliver: (text: string) => void; binding: Disposable }>();
  const connect = (contents: WebContents) => {
    const listeners: Array<(text: string) => void> = [];
    const closers: Array<() => void> = [];
    const connection = connectionOver({
      send: (text) => {
        if (!contents.isDestroyed()) contents.send(rpcChannel, text);
      },
      onMessage: (listener) => void listeners.push(listener),
      onClose: (listener) => void closers.push(listener),
      close: () => undefined,
    });
    const owner = BrowserWindow.fromWebContents(contents);
    const binding = workbench.connect(connection, {
      chooseFile: async ({ title, mode, extensions, defaultName, folders, folder }) => {
        const filters = extensions?.length ? [{ name: title, extensions }] : [];
        const start = folder !== undefined ? join(folder, defaultName ?? '') : defaultName;
        if (mode === 'save') {
          const options = { title, filters, ...(start && { defaultPath: start }) };
          const result = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
          return result.canceled || !result.filePath ? null : result.filePath;
        }
        // macOS opens files and folders in one dialog; elsewhere a dialog opens one or the other, so ask which first.
        let properties: Array<'openFile' | 'openDirectory'> = ['openFile'];
        if (folders && process.platform === 'darwin') properties = ['openFile', 'openDirectory'];
        else if (folders) {
          const which = { message: title, buttons: ['A file…', 'A folder…', 'Cancel'], cancelId: 2, defaultId: 0 };
          const answer = owner ? await dialog.showMessageBox(owner, which) : await dialog.showMessageBox(which);
          if (answer.response === 2) return null;
          if (answer.response === 1) properties = ['openDirectory'];
        }
        const options = { title, filters: properties.includes('openFile') ? filters : [], properties, ...(folder !== undefined && { defaultPath: folder }) };
        const result = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
    });
    const entry = { deliver: (text: string) => listeners.forEach((listener) => listener(text)), binding };
    connections.set(contents.id, entry);
    contents.once('destroyed', () => {
      connections.delete(contents.id);
      closers.forEach((close) => close());
      void entry.binding.dispose();
      connection.dispose();
    });
  };
  ipcMain.on(rpcChannel, (event: IpcMainEvent, text: unknown) => {
    if (typeof text !== 'string' || !isAppUrl(event.senderFrame?.url ?? '')) return;
    if (!connections.has(event.sender.id)) connect(event.sender);
    connections.get(event.sender.id)!.deliver(text);
  });

  const window = new BrowserWindow(windowOptions(preload));
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  window.once('ready-to-show', () => window.show());
  await window.loadURL(`${appScheme}://app/`);

  // Closing: the store is closed (and plugins deactivated) before the process exits.
  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    void (cliListener?.close() ?? Promise.resolve())
      .then(() => host.dispose())
      .catch((error: unknown) => console.error(`Cairn could not close cleanly: ${errorMessage(error)}`))
      .finally(() => app.exit(0));
  });
  app.on('window-all-closed', () => app.quit());
}

main().catch((error: unknown) => {
  console.error(`Cairn could not start: ${errorMessage(error)}`);
  app.exit(1);
});
