import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CairnHost } from '@cairn/core';
import type { WorkbenchServer } from '@cairn/core/node/server/workbench-server.js';
import { WorkbenchServerFactory } from '@cairn/core/node/server/workbench-server-factory.js';
import { repoRoot, TempDirs } from '../helpers.js';

/**
 * Shows a view in the side bar by its activity bar tab (a click on the tab of the view already
 * shown would put the side bar away instead).
 */
export async function showView(page: Page, name: string): Promise<void> {
  const tab = page.getByRole('tablist', { name: 'Activity Bar' }).getByRole('tab', { name, exact: true });
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
}

/** Debian's Chromium; `npm test` installs it (as root) when missing. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium with the flags this machine needs (no sandbox as root, no background traffic, software WebGL). */
/** Browser mode's server for `host`, made as `cairn serve` makes it. */
export function workbenchServer(host: CairnHost): Promise<WorkbenchServer> {
  return host.container.get<WorkbenchServerFactory>(WorkbenchServerFactory)();
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium is not installed at ${chromiumPath}: install Debian's 'chromium' package (npm test does so when run as root), or set CHROMIUM_PATH.`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
}

/**
 * Whether a PNG has something drawn in it: more than one distinct pixel value. Decodes the image
 * data (zlib) without a PNG library; filter bytes are left in, which only adds variety.
 */
export function pngHasContent(png: Buffer): { width: number; height: number; distinct: number } {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const chunks: Buffer[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    if (type === 'IDAT') chunks.push(png.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const pixels = inflateSync(Buffer.concat(chunks));
  const seen = new Set<number>();
  for (let index = 0; index + 3 < pixels.length && seen.size < 50; index += 997) seen.add(pixels.readUInt32BE(index));
  return { width, height, distinct: seen.size };
}

/** The RGB(A) pixels of an 8-bit PNG (what Chromium's screenshots are), unfiltered. */
export function pngPixels(png: Buffer): { width: number; height: number; at(x: number, y: number): [number, number, number] } {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const channels = png[25] === 6 ? 4 : 3;
  if (png[24] !== 8 || (png[25] !== 6 && png[25] !== 2)) throw new Error('pngPixels reads 8-bit RGB and RGBA PNGs only');
  const chunks: Buffer[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    if (png.toString('ascii', offset + 4, offset + 8) === 'IDAT') chunks.push(png.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(chunks));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let row = 0; row < height; row++) {
    const filter = raw[row * (stride + 1)]!;
    for (let column = 0; column < stride; column++) {
      const value = raw[row * (stride + 1) + 1 + column]!;
      const left = column >= channels ? pixels[row * stride + column - channels]! : 0;
      const up = row > 0 ? pixels[(row - 1) * stride + column]! : 0;
      const upLeft = row > 0 && column >= channels ? pixels[(row - 1) * stride + column - channels]! : 0;
      const paeth = () => {
        const estimate = left + up - upLeft;
        const [a, b, c] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
        return a <= b && a <= c ? left : b <= c ? up : upLeft;
      };
      const predicted = [0, left, up, (left + up) >> 1, 0][filter] ?? 0;
      pixels[row * stride + column] = (value + (filter === 4 ? paeth() : predicted)) & 255;
    }
  }
  return {
    width,
    height,
    at: (x, y) => {
      const offset = Math.round(y) * stride + Math.round(x) * channels;
      return [pixels[offset]!, pixels[offset + 1]!, pixels[offset + 2]!];
    },
  };
}

/**
 * Devices with the built-in plugins, each in a temp data dir, and workbench windows on them in one
 * Chromium; `cleanup()` closes the windows' servers and the hosts and removes the dirs, `close()`
 * the browser. `useWorkbenches()` wires both into a suite's hooks.
 */
export class Workbenches {
  readonly temp = new TempDirs();
  private browser: Promise<Browser> | null = null;
  private readonly hosts: CairnHost[] = [];
  private readonly servers: WorkbenchServer[] = [];

  /**
   * A device of a new project (named `projectName`, else like the device), or one that joined
   * `joinKey`'s; `developmentPlugins` are loaded beside the built-in ones.
   */
  async device(name: string, joinKey?: string, projectName = name, developmentPlugins: string[] = []): Promise<CairnHost> {
    const host = new CairnHost({ dataDir: await this.temp.make(), builtinPluginsDir: join(repoRoot, 'plugins'), developmentPlugins });
    this.hosts.push(host);
    await host.start();
    await host.projects.create(joinKey === undefined ? { name: projectName, deviceName: name } : { join: joinKey, deviceName: name });
    await host.plugins.activateStartup();
    return host;
  }

  /** A device with no project yet, as a newcomer's is. */
  async empty(): Promise<CairnHost> {
    const host = new CairnHost({ dataDir: await this.temp.make(), builtinPluginsDir: join(repoRoot, 'plugins') });
    this.hosts.push(host);
    await host.start();
    await host.plugins.activateStartup();
    return host;
  }

  /**
   * The workbench of `host` in a new page, once it is ready: in a browser context of its own, or
   * in `context` (pages of one context share cookies, as the tabs of one browser do).
   */
  async open(host: CairnHost, viewport = { width: 1280, height: 800 }, context?: BrowserContext): Promise<Page> {
    const server = await workbenchServer(host);
    this.servers.push(server);
    const page = context !== undefined ? await context.newPage() : await (await (this.browser ??= launchBrowser())).newPage({ viewport });
    if (context !== undefined) await page.setViewportSize(viewport);
    await page.goto(await server.listen());
    await page.waitForSelector('body[data-ready="true"]');
    return page;
  }

  /** A browser context whose pages share cookies, as one user's browser does. */
  async context(): Promise<BrowserContext> {
    return (await (this.browser ??= launchBrowser())).newContext();
  }

  async cleanup(): Promise<void> {
    for (const server of this.servers.splice(0)) await server.close();
    for (const host of this.hosts.splice(0)) await host.dispose();
    await this.temp.cleanup();
  }

  async close(): Promise<void> {
    const browser = this.browser;
    this.browser = null;
    await (await browser?.catch(() => null))?.close();
  }
}

/** Workbenches for a mocha suite: cleaned up after each test, the browser closed after the suite. */
export function useWorkbenches(): Workbenches {
  const workbenches = new Workbenches();
  afterEach(() => workbenches.cleanup());
  after(() => workbenches.close());
  return workbenches;
}

/**
 * Sets environment variables for a suite — the plugins of the hosts it makes read them as they
 * start (`CAIRN_WIFI_HOST=127.0.0.1` keeps Wi-Fi on loopback) — and puts them back after it.
 * `vars` is read when the suite starts, after the hooks registered before this one.
 */
export function useEnv(vars: () => Record<string, string>): void {
  const previous = new Map<string, string | undefined>();
  before(() => {
    for (const [name, value] of Object.entries(vars())) {
      previous.set(name, process.env[name]);
      process.env[name] = value;
    }
  });
  after(() => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    previous.clear();
  });
}
