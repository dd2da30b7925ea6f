import { extname } from 'node:path';
import type { Entry } from 'yauzl';
import { CairnError, ErrorCodes, type AttachmentInput, type ImportFormat, type ImportPosition, type ImportReadOptions, type ImportRecord } from '@cairn/sdk';
import { readFeature, withPhotosTag, type SourceRecord } from '../common/formats/geojson-read.js';
import { csvRecords, geojsonRecords, utf8Chunks } from './readers.js';
import { ZipArchive } from './zip-archive.js';

/**
 * Importing a zip of observations and their photos: Cairn's own zip export
 * (`observations.geojson`, `observations.csv`, `photos/<observation id>/<name>`), or a Mapeo
 * style one, a GeoJSON or CSV whose `$photos` names files anywhere in the zip (`images/…`,
 * `media/…`). Each photo found becomes an attachment, its bytes streamed from the zip into the
 * project; a name with no file in the zip stays in the `photos` tag, as with a GeoJSON alone.
 */
export const zipImportFormat: ImportFormat = {
  id: 'zip',
  title: 'Zip (GeoJSON or CSV, with photos)',
  extensions: ['zip'],
  read: (path: string, options: ImportReadOptions) => readZip(path, options),
};

async function* readZip(path: string, options: ImportReadOptions): AsyncGenerator<ImportRecord> {
  if (options.signal.aborted) throw new CairnError(ErrorCodes.CANCELLED, `Reading ${path} was cancelled.`);
  const archive = await ZipArchive.open(path);
  // The photos are read when their records are written, after this generator has ended.
  options.onDone(() => archive.close());
  const data = dataEntry(archive);
  const photos = new Photos(archive, data);
  const name = `${data.fileName} in ${path}`;
  const bytes = counted(await archive.stream(data), data.uncompressedSize, options.progress);
  const text = utf8Chunks(bytes, name, options.signal);
  const records = extname(data.fileName).toLowerCase() === '.csv' ? csvRecords(text, name, options.signal) : geojsonRecords(text, name, options.signal, readFeature);
  for await (const source of records) yield await photos.attach(source);
  options.progress(1);
}

/** Reports the fraction of `total` bytes that has gone through. */
async function* counted(bytes: AsyncIterable<Uint8Array>, total: number, progress: (fraction: number) => void): AsyncGenerator<Uint8Array> {
  let read = 0;
  for await (const chunk of bytes) {
    read += chunk.length;
    yield chunk;
    progress(total > 0 ? Math.min(1, read / total) : 1);
  }
}

/** Entries a zip tool adds beside the content: macOS's `__MACOSX/` and `._name` files, hidden files. */
function hidden(fileName: string): boolean {
  return fileName.split('/').some((part) => part.startsWith('.') || part === '__MACOSX');
}

const stem = (entry: Entry) => entry.fileName.slice(0, entry.fileName.length - extname(entry.fileName).length);

/**
 * The entry that holds the observations: the one GeoJSON (`.geojson`) or CSV file, or, when the
 * zip has neither, the one `.json` file (a name configurations use too). A CSV of the same name
 * as a GeoJSON is the same observations again (Cairn's export writes both) and gives way to it.
 * None, or several, is `ERR_INVALID_INPUT`: which of several was meant cannot be guessed, and
 * importing them all could double what they share.
 */
function dataEntry(archive: ZipArchive): Entry {
  const usable = archive.entries.filter((entry) => !hidden(entry.fileName));
  const ofKind = (extension: string) => usable.filter((entry) => extname(entry.fileName).toLowerCase() === extension);
  const geojson = ofKind('.geojson');
  const json = ofKind('.json');
  const named = new Set([...geojson, ...json].map(stem));
  let candidates = [...geojson, ...ofKind('.csv').filter((entry) => !named.has(stem(entry)))];
  if (candidates.length === 0) candidates = json;
  const list = (entries: Entry[]) => `${entries.slice(0, 6).map((entry) => entry.fileName).join(', ')}${entries.length > 6 ? '…' : ''}`;
  if (candidates.length === 0) {
    throw new CairnError(
      ErrorCodes.INVALID_INPUT,
      `${archive.path} holds no GeoJSON or CSV file of observations${usable.length > 0 ? ` (it holds ${list(usable)})` : ' (it is empty)'}. Give a zip with one .geojson or .csv file and its photos.`,
    );
  }
  if (candidates.length > 1) {
    throw new CairnError(
      ErrorCodes.INVALID_INPUT,
      `${archive.path} holds several files that could be the observations (${list(candidates)}); a zip is imported with one. Make a zip of one of them and its photos, or import each file on its own.`,
    );
  }
  return candidates[0]!;
}

/** The photos of a zip, found by the names records give them, checked once each. */
class Photos {
  private readonly byPath = new Map<string, Entry>();
  private readonly byName = new Map<string, Entry[]>();
  private readonly checked = new Map<Entry, Promise<string>>();

  constructor(
    private readonly archive: ZipArchive,
    data: Entry,
  ) {
    for (const entry of archive.entries) {
      if (entry === data || hidden(entry.fileName)) continue;
      this.byPath.set(entry.fileName, entry);
      const name = baseName(entry.fileName);
      this.byName.set(name, [...(this.byName.get(name) ?? []), entry]);
    }
  }

  /**
   * The record with each photo it names that the zip holds as an attachment, and the names of
   * the others in its `photos` tag.
   */
  async attach({ record, photos }: SourceRecord): Promise<ImportRecord> {
    if (record.input === undefined || photos.length === 0) return record;
    const attachments: AttachmentInput[] = [];
    const missing: string[] = [];
    const names = new Set<string>();
    for (const reference of photos) {
      const entry = this.find(reference, record.sourceId);
      if (entry === undefined) {
        missing.push(reference);
        continue;
      }
      const name = baseName(reference);
      // The same name twice is one photo (an attachment's name is unique in its observation).
      if (names.has(name)) continue;
      names.add(name);
      const mimeType = await this.check(entry, record.position);
      attachments.push({ name, mimeType, open: () => this.archive.stream(entry) });
    }
    const input = { ...record.input, tags: { ...record.input.tags }, attachments: [...(record.input.attachments ?? []), ...attachments] };
    withPhotosTag(input, missing);
    return { ...record, input };
  }

  /**
   * The entry a photo name means: the path as written (`media/x.jpg`), else the one file of that
   * name anywhere in the zip, else, of several, the one in a folder named by the record's id
   * (Cairn's `photos/<id>/<name>`). Several and nothing to tell them apart is none: a guess could
   * attach another observation's photo.
   */
  private find(reference: string, sourceId: string | undefined): Entry | undefined {
    const path = reference.replaceAll('\\', '/').replace(/^\.?\//, '');
    const exact = this.byPath.get(path);
    if (exact !== undefined) return exact;
    const candidates = this.byName.get(baseName(path)) ?? [];
    if (candidates.length === 1) return candidates[0];
    const own = candidates.filter((entry) => sourceId !== undefined && entry.fileName.split('/').at(-2) === sourceId);
    return own.length === 1 ? own[0] : undefined;
  }

  /** Reads a photo through once: its checksum must match and its bytes be an image; its type. */
  private check(entry: Entry, position: ImportPosition): Promise<string> {
    let checking = this.checked.get(entry);
    if (checking === undefined) {
      checking = (async () => {
        let type: string | null = null;
        await this.archive.check(entry, (head) => (type = imageType(head)));
        if (type === null) {
          const where = 'line' in position ? `the row on line ${position.line}` : `feature ${position.index}`;
          throw new CairnError(
            ErrorCodes.INVALID_INPUT,
            `${entry.fileName} in ${this.archive.path}, a photo of ${where}, is not an image (JPEG, PNG, GIF, WebP, HEIC, AVIF, TIFF or BMP). Take it out of the zip, or its name out of the observation, and import again.`,
          );
        }
        return type as string;
      })();
      this.checked.set(entry, checking);
    }
    return checking;
  }
}

function baseName(path: string): string {
  return path.split(/[/\\]/).at(-1) ?? path;
}

const HEIF_BRANDS: Record<string, string> = { heic: 'image/heic', heix: 'image/heic', hevc: 'image/heic', heim: 'image/heic', heis: 'image/heic', mif1: 'image/heif', msf1: 'image/heif', avif: 'image/avif', avis: 'image/avif' };

/** The image type its first bytes say, or null when they are no image a camera or phone writes. */
function imageType(head: Buffer): string | null {
  const ascii = (start: number, end: number) => head.subarray(start, end).toString('latin1');
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'image/gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'image/tiff';
  if (ascii(4, 8) === 'ftyp') return HEIF_BRANDS[ascii(8, 12)] ?? null;
  if (ascii(0, 2) === 'BM' && head.length >= 14) return 'image/bmp';
  return null;
}
