import { ipcChannels } from './security.js';

/** The part of Electron's `ipcRenderer` the bridge uses. */
export interface IpcRendererLike {
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface IpcBridge {
  send(channel: string, text: string): void;
  on(channel: string, listener: (text: string) => void): void;
}

/**
 * What the preload exposes to the page as `window.cairnIpc`: text messages on whitelisted
 * channels, nothing else — no `ipcRenderer`, no event objects, no other channel.
 */
export function createIpcBridge(ipcRenderer: IpcRendererLike, allowed: readonly string[] = ipcChannels): IpcBridge {
  const check = (channel: unknown) => {
    if (typeof channel !== 'string' || !allowed.includes(channel)) throw new Error(`IPC channel '${String(channel)}' is not allowed`);
  };
  return Object.freeze({
    send(channel: string, text: string): void {
      check(channel);
      if (typeof text !== 'string') throw new Error('IPC messages are text');
      ipcRenderer.send(channel, text);
    },
    on(channel: string, listener: (text: string) => void): void {
      check(channel);
      if (typeof listener !== 'function') throw new Error('An IPC listener must be a function');
      ipcRenderer.on(channel, (_event, text) => {
        if (typeof text === 'string') listener(text);
      });
    },
  });
}
