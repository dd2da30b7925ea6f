import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject, injectable } from '@cairn/sdk/inversify';
import { PluginHost } from '../plugins/plugin-host.js';

/**
 * The files of the workbench, shared by browser mode's server and the Electron window's app
 * scheme: the bundled shell (`/static/…`) and the files of plugins that may run (`/plugins/<id>/…`).
 */

/** The bundled workbench (esbuild output of `src/browser` and the SDK's browser side). */
const workbenchAssetsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'workbench');

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.pbf': 'application/x-protobuf',
};

export function contentTypeOf(file: string): string {
  return contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The page, with the nonce that lets its import map run under the content security policy. */
export async function workbenchIndex(nonce: string): Promise<string> {
  const template = await readFile(join(workbenchAssetsDir, 'index.html'), 'utf8');
  return template.replaceAll('{{nonce}}', nonce);
}

/**
 * The files a workbench window may load: inside the workbench's assets, or inside the folder of a
 * plugin that is enabled and not failed.
 */
@injectable()
export class WorkbenchAssets {
  constructor(@inject(PluginHost) private readonly plugins: PluginHost) {}

  /** The file a URL path names, if it may be served; null for anything else (and for `..` escapes). */
  async file(pathname: string): Promise<string | null> {
    let root: string;
    let relative: string;
    if (pathname.startsWith('/static/')) {
      root = workbenchAssetsDir;
      relative = pathname.slice('/static/'.length);
    } else {
      const plugin = /^\/plugins\/([^/]+)\/(.+)$/.exec(pathname);
      if (plugin === null) return null;
      const id = decodeURIComponent(plugin[1]!);
      const known = this.plugins.known().find((candidate) => candidate.id === id);
      if (known === undefined || !known.usable) return null;
      root = known.info.path;
      relative = plugin[2]!;
    }
    const base = resolve(root);
    const file = resolve(base, decodeURIComponent(relative));
    if (file !== base && !file.startsWith(`${base}${sep}`)) return null;
    const info = await stat(file).catch(() => null);
    return info?.isFile() ? file : null;
  }
}
