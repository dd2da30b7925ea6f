import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import { CairnError, ioError } from '@cairn/sdk';
import { symbolsOf } from './mapeo-icons.js';
import { isObject, notAConfig, parseJson, type RawConfig } from './mapeo-read.js';

/**
 * A `.mapeosettings` bundle, as mapeo-settings-builder makes it: a tar (gzipped or not) holding
 * presets.json (presets, fields and defaults), icons.svg (a sprite) and metadata.json. Read as a
 * stream, nothing extracted to disk; a folder it was extracted to is read the same way.
 */

/** Bigger files inside a bundle are not read (a presets.json is a few hundred kilobytes). */
const MAX_ENTRY = 64 << 20;

/** The entries of a tar (or gzipped tar) that `wanted` names, read as a stream, none to disk. */
async function readTarEntries(file: string, wanted: ReadonlySet<string>): Promise<{ entries: number; files: Map<string, Buffer> }> {
  const head = Buffer.alloc(2);
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw ioError(`Could not read ${file}`, error);
  });
  try {
    await handle.read(head, 0, 2, 0);
  } finally {
    await handle.close();
  }
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  const files = new Map<string, Buffer>();
  let entries = 0;
  await new Promise<void>((done, fail) => {
    const input = createReadStream(file);
    const gunzip = gzipped ? createGunzip() : null;
    const extract = tarExtract();
    const stop = (error: unknown) => {
      input.destroy();
      gunzip?.destroy();
      extract.destroy();
      fail(error);
    };
    extract.on('entry', (header, stream: Readable, next: (error?: unknown) => void) => {
      entries++;
      const name = header.name.replace(/^(\.\/)+/, '');
      const chunks: Buffer[] = [];
      let size = 0;
      const keep = header.type === 'file' && wanted.has(name) && (header.size ?? 0) <= MAX_ENTRY;
      stream.on('data', (chunk: Buffer) => {
        if (!keep) return;
        size += chunk.length;
        if (size <= MAX_ENTRY) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (keep) files.set(name, Buffer.concat(chunks));
        next();
      });
      stream.on('error', stop);
    });
    extract.on('finish', () => done());
    extract.on('error', stop);
    input.on('error', (error) => stop(ioError(`Could not read ${file}`, error)));
    if (gunzip !== null) {
      gunzip.on('error', stop);
      input.pipe(gunzip).pipe(extract);
    } else {
      input.pipe(extract);
    }
  }).catch((error: unknown) => {
    if (error instanceof CairnError) throw error;
    if (entries === 0) throw notAConfig(file, 'it is not a tar file (a .mapeosettings file is one)');
    throw notAConfig(file, `its tar is damaged (${(error as Error).message})`);
  });
  if (entries === 0) throw notAConfig(file, 'it is not a tar file (a .mapeosettings file is one)');
  return { entries, files };
}

export const BUNDLE_FILES = ['presets.json', 'icons.svg', 'metadata.json'] as const;

/** A `.mapeosettings` bundle: presets.json, icons.svg, metadata.json (translations.json and style.css are not used). */
export async function readBundle(file: string): Promise<RawConfig> {
  const { files } = await readTarEntries(file, new Set(BUNDLE_FILES));
  if (!files.has('presets.json')) throw notAConfig(file, 'its tar holds no presets.json');
  return bundleConfig(file, (name) => files.get(name)?.toString('utf8'), (name) => `${name} inside ${file}`);
}

/** A bundle's files, from its tar or from the folder it was extracted to (as Mapeo Desktop keeps it). */
export function bundleConfig(source: string, text: (name: (typeof BUNDLE_FILES)[number]) => string | undefined, where: (name: string) => string): RawConfig {
  const bundle = parseJson(text('presets.json') ?? '', where('presets.json'));
  if (!isObject(bundle) || !isObject(bundle.presets)) throw notAConfig(source, 'its presets.json has no "presets" object');
  if (bundle.fields !== undefined && !isObject(bundle.fields)) throw notAConfig(source, 'the "fields" of its presets.json is not an object');
  const entriesOf = (kind: 'presets' | 'fields') =>
    Object.entries((bundle[kind] ?? {}) as Record<string, unknown>).map(([id, value]) => ({ id, file: `presets.json ${kind} '${id}'`, value }));
  const metadataText = text('metadata.json');
  const sprite = symbolsOf(text('icons.svg') ?? '');
  return {
    where,
    presets: entriesOf('presets'),
    fields: entriesOf('fields'),
    defaults: bundle.defaults,
    metadata: metadataText === undefined ? undefined : parseJson(metadataText, where('metadata.json')),
    // The builder names the symbols NAME (from NAME-100px.svg) and NAME-12 (from NAME-24px.svg);
    // sprites made by other tools keep NAME-100px and NAME-24px.
    icon: async (name) => sprite.get(`${name}-100px`) ?? sprite.get(name) ?? sprite.get(`${name}-24px`) ?? sprite.get(`${name}-12`) ?? null,
  };
}
