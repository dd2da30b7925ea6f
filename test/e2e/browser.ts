import { existsSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; `npm test` installs it (as root) when missing. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium with the flags this machine needs (no sandbox as root, no background traffic, software WebGL). */
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
