import { open as openFile } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { open as openZip, type Entry, type ZipFile } from 'yauzl';
import { CairnError, ErrorCodes, errorMessage, isCairnError } from '@cairn/sdk';

/**
 * A zip file opened for reading with yauzl: its entries from the central directory (no entry is
 * read until asked for), and each entry's bytes as a stream, as often as wanted. The file stays
 * open until `close`.
 */
export class ZipArchive {
  private constructor(
    readonly path: string,
    private readonly zip: ZipFile,
    /** The files in it (not the folders), in the order the zip lists them. */
    readonly entries: readonly Entry[],
  ) {}

  /** Opens a zip: `ERR_NOT_FOUND`, `ERR_NOT_A_ZIP` when it is none, `ERR_CORRUPT_ZIP` when it is damaged. */
  static async open(path: string): Promise<ZipArchive> {
    const looksLikeZip = await startsLikeZip(path);
    let zip: ZipFile;
    try {
      zip = await new Promise<ZipFile>((resolve, reject) =>
        openZip(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (error, file) => (error ? reject(error) : resolve(file))),
      );
    } catch (error) {
      if (!looksLikeZip) throw notAZip(path, error);
      throw corrupt(path, `its table of contents cannot be read (${errorMessage(error)}); it may be cut short`, error);
    }
    const entries: Entry[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        zip.on('entry', (entry: Entry) => {
          if (!entry.fileName.endsWith('/')) entries.push(entry);
          zip.readEntry();
        });
        zip.on('end', resolve);
        zip.on('error', reject);
        zip.readEntry();
      });
    } catch (error) {
      zip.close();
      throw corrupt(path, `its table of contents is damaged (${errorMessage(error)})`, error);
    }
    return new ZipArchive(path, zip, entries);
  }

  /**
   * The bytes of an entry, decompressed, as a stream: a fresh one from the start each call.
   * Damage (bad compressed data, a size that does not match) ends it with `ERR_CORRUPT_ZIP`.
   */
  async stream(entry: Entry): Promise<Readable> {
    if (entry.isEncrypted()) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `${entry.fileName} in ${this.path} is encrypted; Cairn cannot read password-protected zips. Make the zip again without a password.`);
    }
    let source: Readable;
    try {
      source = await new Promise<Readable>((resolve, reject) => this.zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))));
    } catch (error) {
      throw corrupt(this.path, `its entry ${entry.fileName} cannot be read (${errorMessage(error)})`, error);
    }
    // Piped on into a stream of Node's own: yauzl's stream of a stored (uncompressed) entry does
    // not end under for-await.
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    source.on('error', (error: Error) => out.destroy(isCairnError(error) ? error : corrupt(this.path, `its entry ${entry.fileName} is damaged (${errorMessage(error)})`, error)));
    out.on('close', () => source.destroy());
    source.pipe(out);
    return out;
  }

  /**
   * Reads an entry through, checking its bytes against the zip's checksum; calls `look` with its
   * first bytes (at most 32). `ERR_CORRUPT_ZIP` when they do not match.
   */
  async check(entry: Entry, look?: (head: Buffer) => void): Promise<void> {
    let checksum = 0;
    let head = Buffer.alloc(0);
    for await (const chunk of await this.stream(entry)) {
      const bytes = chunk as Buffer;
      if (head.length < 32) head = Buffer.concat([head, bytes.subarray(0, 32 - head.length)]);
      checksum = crc32(bytes, checksum);
    }
    if (checksum >>> 0 !== entry.crc32 >>> 0) throw corrupt(this.path, `its entry ${entry.fileName} is damaged (its checksum does not match)`);
    look?.(head);
  }

  close(): void {
    this.zip.close();
  }
}

/** Whether the file starts as a zip does (a local file header, or the end record of an empty zip). */
async function startsLikeZip(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await openFile(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CairnError(ErrorCodes.NOT_FOUND, `There is no file ${path}. Check the path.`, { cause: error });
    throw new CairnError(ErrorCodes.IO, `Could not read ${path}: ${errorMessage(error)}`, { cause: error });
  }
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    const signature = head.readUInt32LE(0);
    return bytesRead === 4 && (signature === 0x04034b50 || signature === 0x06054b50);
  } finally {
    await handle.close();
  }
}

function notAZip(path: string, cause: unknown): CairnError {
  return new CairnError(ErrorCodes.NOT_A_ZIP, `${path} is not a zip file. Give a zip of a GeoJSON or CSV file and its photos, or import the GeoJSON or CSV file itself.`, { cause });
}

function corrupt(path: string, what: string, cause?: unknown): CairnError {
  return new CairnError(ErrorCodes.CORRUPT_ZIP, `The zip ${path} is damaged: ${what}. Make or copy the zip again, then import it again.`, cause === undefined ? undefined : { cause });
}
