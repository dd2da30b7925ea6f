import type { BrowserWindowConstructorOptions } from 'electron';

/** The only IPC channel between the window and the main process: the workbench RPC. */
export const ipcChannels = ['cairn:rpc'] as const;

/** The app's own scheme: the window loads nothing from anywhere else. */
export const appScheme = 'cairn';
const appOrigin = `${appScheme}://app`;

/**
 * The window: isolated, sandboxed, no Node in the page, no remote content. The preload bridge is
 * the page's only way out, and it speaks on `ipcChannels` only.
 */
export function windowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    title: 'Cairn',
    show: false,
    backgroundColor: '#1e1e1e',
    webPreferences: {
      preload,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      webviewTag: false,
    },
  };
}

/** The same policy as browser mode, for the app scheme: scripts from the app only, no network. */
export function appContentSecurityPolicy(nonce: string): string {
  return [
    `default-src ${appOrigin}`,
    `script-src ${appOrigin} 'nonce-${nonce}'`,
    `style-src ${appOrigin} 'unsafe-inline'`,
    `img-src ${appOrigin} data: blob:`,
    `font-src ${appOrigin} data:`,
    `connect-src ${appOrigin}`,
    `worker-src ${appOrigin} blob:`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Navigation and new windows stay inside the app; everything else is refused. */
export function isAppUrl(url: string): boolean {
  try {
    // A custom scheme has no URL origin ('null'): compare its parts.
    const parsed = new URL(url);
    return parsed.protocol === `${appScheme}:` && parsed.host === 'app';
  } catch {
    return false;
  }
}
