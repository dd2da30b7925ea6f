import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type LaunchMode =
  | { mode: 'electron'; binary: string }
  | { mode: 'browser'; reason: string };

/**
 * Where the Electron binary is, without triggering its download (requiring the `electron`
 * package would try to fetch it, and this machine may be offline): null when it is not there.
 */
export function findElectronBinary(env: NodeJS.ProcessEnv = process.env): string | null {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = join(packageDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const binary = join(env.ELECTRON_OVERRIDE_DIST_PATH, executable ?? 'electron');
    return existsSync(binary) ? binary : null;
  }
  if (executable === null) return null;
  const binary = join(packageDir, 'dist', executable);
  return existsSync(binary) ? binary : null;
}

/**
 * Desktop app or browser mode: the desktop app when its binary is here and there is a screen to
 * show it on (or `CAIRN_BROWSER=1` asks for the browser); otherwise browser mode, with the reason.
 */
export function chooseLaunchMode(options: { binary: string | null; platform: NodeJS.Platform; env: NodeJS.ProcessEnv; nodeVersion?: string }): LaunchMode {
  const { binary, platform, env, nodeVersion = process.versions.node } = options;
  if (env.CAIRN_BROWSER === '1') return { mode: 'browser', reason: 'CAIRN_BROWSER=1 asks for browser mode' };
  if (binary === null) {
    // The `electron` package that fetches its binary wants Node.js 22.12 or later; the rest of Cairn runs on 20.19.
    const needs = atLeast(nodeVersion, [22, 12]) ? '' : `; that needs Node.js 22.12 or later, and this is ${nodeVersion}`;
    return {
      mode: 'browser',
      reason: `the Electron binary is not installed (it downloads on first launch when online${needs}: \`npx electron --version\`)`,
    };
  }
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { mode: 'browser', reason: 'there is no display to open a window on' };
  }
  return { mode: 'electron', binary };
}

function atLeast(version: string, [major, minor]: [number, number]): boolean {
  const [have = 0, haveMinor = 0] = version.split('.').map(Number);
  return have > major || (have === major && haveMinor >= minor);
}
