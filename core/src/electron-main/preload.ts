// Runs in the sandboxed renderer before the page: exposes the RPC bridge, and nothing else.
// Bundled (scripts/bundle.mjs) into one CommonJS file, as sandboxed preloads must be.
import { contextBridge, ipcRenderer } from 'electron';
import { createIpcBridge } from './ipc-bridge.js';

contextBridge.exposeInMainWorld('cairnIpc', createIpcBridge(ipcRenderer));
