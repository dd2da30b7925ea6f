import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { CairnError, ErrorCodes } from '@cairn/sdk';

/**
 * The `.cairnsync` container: one portable file (or, past the part size, numbered parts that
 * travel together) holding the files of a relay store — the project's cores, as the devices
 * wrote them, encrypted. Layout:
 *
 *   header (64 bytes)  "CAIRNSYNC", format version, the project's discovery key, generation, parts
 *   segments           the stored files' bytes, one after another (later versions appended)
 *   index (JSON)       each stored file: name, offset, size, SHA-256
 *   footer (56 bytes)  "CAIRNEND", index offset and length, SHA-256 of the index
 *
 * The discovery key and the format version sit in plain sight at fixed places, so another
 * project's file, or a newer format, is refused before anything else is read. Every byte after
 * the header is checked against a SHA-256 before it is used.
 */

const FORMAT_VERSION = 1;
const MAGIC = Buffer.from('CAIRNSYNC');
const FOOTER_MAGIC = Buffer.from('CAIRNEND');
const HEADER_SIZE = 64;
const FOOTER_SIZE = 56;
/** FAT32 caps a file at 4 GiB − 1 byte; parts stay below. */
const DEFAULT_PART_BYTES = 4 * 1024 ** 3 - 1024 ** 2;

export interface StoredFile {
  name: string;
  offset: number;
  size: number;
  sha256: string;
}

export interface ContainerIndex {
  format: number;
  discoveryKey: string;
  generation: string;
  updatedAt: string;
  files: StoredFile[];
  /** Bytes of segments no file refers to any more (replaced versions); compacted away in time. */
  garbage: number;
}

export interface OpenedContainer {
  path: string;
  header: { format: number; discoveryKey: string; generation: string; parts: number };
  index: ContainerIndex;
  /** Where the index starts: the end of the segments. */
  indexOffset: number;
  partPaths: string[];
  partSizes: number[];
}

/** Part n (1-based beyond the first) of a generation: travels beside the main file. */
function partPath(path: string, generation: string, part: number): string {
  return `${path}.part${part + 1}-${generation}`;
}

/**
 * Reads and checks a sync file's header, footer and index. Refuses, in this order: what is not a
 * sync file, a format newer than this build, another project's file, a damaged or incomplete one.
 */
export async function openContainer(path: string, expectedDiscoveryKey: string): Promise<OpenedContainer> {
  const main = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new CairnError(ErrorCodes.IO, `Could not read ${path} (${error.code ?? error.message}).`, { cause: error });
  });
  try {
    const { size } = await main.stat();
    const header = Buffer.alloc(HEADER_SIZE);
    await main.read(header, 0, HEADER_SIZE, 0);
    if (size < HEADER_SIZE || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new CairnError(ErrorCodes.NOT_A_SYNC_FILE, `${path} is not a Cairn sync file.`);
    }
    const format = header.readUInt32BE(12);
    if (format > FORMAT_VERSION) {
      throw new CairnError(
        ErrorCodes.PROTOCOL_VERSION,
        `${path} was written by a newer Cairn (sync file format ${format}; this one reads ${FORMAT_VERSION}). Update Cairn on this device; the file was not touched.`,
      );
    }
    const discoveryKey = header.subarray(16, 48).toString('hex');
    if (discoveryKey !== expectedDiscoveryKey) {
      throw new CairnError(ErrorCodes.PROJECT_MISMATCH, `${path} belongs to another project; nothing was read or written.`);
    }
    const generation = header.subarray(48, 56).toString('hex');
    const parts = header.readUInt32BE(56);
    if (parts < 1 || parts > 10_000) throw corrupt(path, 'its header is damaged');
    const partPaths = [path, ...Array.from({ length: parts - 1 }, (_, index) => partPath(path, generation, index + 1))];
    const partSizes = [size];
    for (const part of partPaths.slice(1)) {
      const info = await stat(part).catch(() => null);
      if (info === null) throw corrupt(path, `its part ${basename(part)} is missing (all parts must travel together)`);
      partSizes.push(info.size);
    }
    const reader = new PartReader(partPaths, partSizes);
    try {
      const total = reader.size;
      if (total < HEADER_SIZE + FOOTER_SIZE) throw corrupt(path, 'it is truncated');
      const footer = await reader.read(total - FOOTER_SIZE, FOOTER_SIZE);
      if (!footer.subarray(0, FOOTER_MAGIC.length).equals(FOOTER_MAGIC)) throw corrupt(path, 'it is truncated or its end is damaged');
      const indexOffset = Number(footer.readBigUInt64BE(8));
      const indexLength = footer.readUInt32BE(16);
      if (indexOffset < HEADER_SIZE || indexOffset + indexLength !== total - FOOTER_SIZE) throw corrupt(path, 'its index is out of place');
      const indexBytes = await reader.read(indexOffset, indexLength);
      if (!sha256(indexBytes).equals(footer.subarray(20, 52))) throw corrupt(path, 'its index is damaged');
      const index = JSON.parse(indexBytes.toString('utf8')) as ContainerIndex;
      const valid =
        Array.isArray(index.files) &&
        index.files.every(
          (file) =>
            typeof file.name === 'string' && isSafeName(file.name) && Number.isInteger(file.offset) && Number.isInteger(file.size) &&
            file.offset >= HEADER_SIZE && file.offset + file.size <= indexOffset && /^[0-9a-f]{64}$/.test(file.sha256),
        );
      if (!valid || index.discoveryKey !== discoveryKey || index.generation !== generation) throw corrupt(path, 'its index does not match its content');
      return { path, header: { format, discoveryKey, generation, parts }, index, indexOffset, partPaths, partSizes };
    } finally {
      await reader.close();
    }
  } finally {
    await main.close();
  }
}

/** Writes every stored file into `dir`, checking each against its SHA-256. */
export async function extractContainer(container: OpenedContainer, dir: string): Promise<void> {
  await readStoredFiles(container, dir);
}

/** Checks every stored file against its SHA-256 without writing anything. */
export async function verifyContainer(container: OpenedContainer): Promise<void> {
  await readStoredFiles(container, null);
}

async function readStoredFiles(container: OpenedContainer, dir: string | null): Promise<void> {
  const reader = new PartReader(container.partPaths, container.partSizes);
  try {
    for (const file of container.index.files) {
      let out: FileHandle | null = null;
      if (dir !== null) {
        const target = join(dir, file.name);
        await mkdir(dirname(target), { recursive: true });
        out = await open(target, 'w');
      }
      const hash = createHash('sha256');
      try {
        for (let offset = 0; offset < file.size; offset += CHUNK) {
          const chunk = await reader.read(file.offset + offset, Math.min(CHUNK, file.size - offset));
          hash.update(chunk);
          await out?.write(chunk);
        }
      } finally {
        await out?.close();
      }
      if (hash.digest('hex') !== file.sha256) throw corrupt(container.path, `its copy of ${file.name} is damaged`);
    }
  } finally {
    await reader.close();
  }
}

/** What is known of a stored file without reading it again: its SHA-256 while size and mtime match. */
export interface Fingerprint {
  size: number;
  mtimeMs: number;
  sha256: string;
}

export interface WriteOptions {
  discoveryKey: string;
  /** Files whose size and mtime still match are not hashed again. */
  fingerprints?: ReadonlyMap<string, Fingerprint>;
  /** The folder whose files to store (a closed relay store). */
  dir: string;
  /** The container as it was before this sync, to append to; null for a new file. */
  previous: OpenedContainer | null;
  partBytes?: number;
}

export interface WriteResult {
  generation: string;
  /** Every stored file as it now is. */
  fingerprints: Map<string, Fingerprint>;
  /** Bytes written to disk for this update (a copy made by the kernel counts as not written). */
  bytesWritten: number;
  /** The file was rewritten whole (new, compacted, or in parts) rather than appended to. */
  rewritten: boolean;
  size: number;
}

/**
 * Writes the new state of the file atomically: everything goes to temp files beside the target,
 * fsynced, then renamed into place, the main file last; a crash or a full disk at any point leaves
 * the old file as it was. When the file is one part and little of it is garbage, only the files
 * that changed are appended to a copy of it.
 */
export async function writeContainer(path: string, options: WriteOptions): Promise<WriteResult> {
  const partBytes = options.partBytes ?? DEFAULT_PART_BYTES;
  const files = await listFiles(options.dir);
  const previous = options.previous;
  const known = new Map((previous?.index.files ?? []).map((file) => [file.name, file]));
  const changed: Array<{ name: string; size: number; sha256: string }> = [];
  const kept: StoredFile[] = [];
  const fingerprints = new Map<string, Fingerprint>();
  for (const name of files) {
    const full = join(options.dir, name);
    const { size, mtimeMs } = await stat(full);
    const remembered = options.fingerprints?.get(name);
    const digest =
      remembered !== undefined && remembered.size === size && remembered.mtimeMs === mtimeMs
        ? remembered.sha256
        : (await hashFile(full)).toString('hex');
    fingerprints.set(name, { size, mtimeMs, sha256: digest });
    const old = known.get(name);
    if (old !== undefined && old.sha256 === digest && old.size === size) kept.push(old);
    else changed.push({ name, size, sha256: digest });
  }
  const payload = kept.reduce((sum, file) => sum + file.size, 0) + changed.reduce((sum, file) => sum + file.size, 0);
  const garbageBefore = previous ? previous.indexOffset - HEADER_SIZE - kept.reduce((sum, file) => sum + file.size, 0) : 0;
  const append =
    previous !== null && previous.header.parts === 1 && garbageBefore <= payload && previous.indexOffset + payload <= partBytes;

  const generation = randomBytes(8).toString('hex');
  const directory = dirname(path);
  const tempMain = join(directory, `.${basename(path)}.${generation}.tmp`);
  const writer = new PartWriter(path, generation, partBytes, tempMain);
  try {
    const index: ContainerIndex = {
      format: FORMAT_VERSION,
      discoveryKey: options.discoveryKey,
      generation,
      updatedAt: new Date().toISOString(),
      files: [],
      garbage: 0,
    };
    let bytesWritten = 0;
    if (append) {
      // The kernel copies the old file (or clones it, where the file system can); the old index
      // and footer at its end are cut off, then only what changed is added.
      await copyFile(previous.path, tempMain, constants.COPYFILE_FICLONE);
      await writer.resumeAt(previous.indexOffset);
      index.files.push(...kept);
      index.garbage = garbageBefore;
    } else {
      bytesWritten += await writer.write(Buffer.alloc(HEADER_SIZE));
      for (const file of kept) changed.push({ name: file.name, size: file.size, sha256: file.sha256 });
    }
    for (const file of changed) {
      const offset = writer.position;
      bytesWritten += await writer.writeFile(join(options.dir, file.name));
      index.files.push({ name: file.name, offset, size: file.size, sha256: file.sha256 });
    }
    index.files.sort((a, b) => a.name.localeCompare(b.name));
    const indexBytes = Buffer.from(JSON.stringify(index));
    const indexOffset = writer.position;
    bytesWritten += await writer.write(indexBytes);
    const footer = Buffer.alloc(FOOTER_SIZE);
    FOOTER_MAGIC.copy(footer, 0);
    footer.writeBigUInt64BE(BigInt(indexOffset), 8);
    footer.writeUInt32BE(indexBytes.length, 16);
    sha256(indexBytes).copy(footer, 20);
    bytesWritten += await writer.write(footer);
    const header = Buffer.alloc(HEADER_SIZE);
    MAGIC.copy(header, 0);
    header.writeUInt32BE(FORMAT_VERSION, 12);
    Buffer.from(options.discoveryKey, 'hex').copy(header, 16);
    Buffer.from(generation, 'hex').copy(header, 48);
    header.writeUInt32BE(writer.parts, 56);
    await writer.writeHeader(header);
    const size = writer.position;
    await writer.commit();
    // The old generation's parts are no longer referred to.
    if (previous !== null) for (const old of previous.partPaths.slice(1)) await rm(old, { force: true });
    return { generation, fingerprints, bytesWritten, rewritten: !append, size };
  } catch (error) {
    await writer.abandon();
    throw error;
  }
}

/** Removes what an interrupted write left beside the file: temp files and unreferenced parts. */
export async function removeLeftovers(path: string, keep: readonly string[]): Promise<number> {
  const directory = dirname(path);
  const name = basename(path);
  let removed = 0;
  const entries = await readdir(directory).catch(() => [] as string[]);
  for (const entry of entries) {
    const temp = entry.startsWith(`.${name}.`) && entry.endsWith('.tmp');
    const part = entry.startsWith(`${name}.part`) && !keep.includes(join(directory, entry));
    if (temp || part) {
      await rm(join(directory, entry), { force: true });
      removed += 1;
    }
  }
  return removed;
}

const CHUNK = 1024 * 1024;

function corrupt(path: string, reason: string): CairnError {
  return new CairnError(ErrorCodes.CORRUPT_SYNC_FILE, `${path} is damaged: ${reason}. Nothing was read from it; use an intact copy of the file.`);
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

async function hashFile(path: string): Promise<Buffer> {
  const hash = createHash('sha256');
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest();
}

/** Stored names are relative paths inside the store: no absolute paths, no `..`. */
function isSafeName(name: string): boolean {
  return name.length > 0 && !name.startsWith('/') && !name.includes('\\') && !name.split('/').some((part) => part === '..' || part === '' || part === '.');
}

/** Every file below `dir`, relative, `/`-separated, sorted; RocksDB's logs and lock are left out. */
async function listFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string) => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && !/^LOG(\.old.*)?$/.test(entry.name) && entry.name !== 'LOCK' && entry.name !== 'CORESTORE') {
        found.push(relative(dir, full).split(sep).join('/'));
      }
    }
  };
  await walk(dir);
  return found.sort();
}

/** Reads a byte range of the logical stream that spans the parts. */
class PartReader {
  readonly size: number;
  private readonly handles: Array<FileHandle | null>;

  constructor(
    private readonly paths: string[],
    private readonly sizes: number[],
  ) {
    this.size = sizes.reduce((sum, size) => sum + size, 0);
    this.handles = paths.map(() => null);
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const out = Buffer.alloc(length);
    let done = 0;
    let partStart = 0;
    for (let part = 0; part < this.paths.length && done < length; part += 1) {
      const partEnd = partStart + this.sizes[part]!;
      const from = offset + done;
      if (from < partEnd) {
        const handle = (this.handles[part] ??= await open(this.paths[part]!, 'r'));
        const take = Math.min(length - done, partEnd - from);
        const { bytesRead } = await handle.read(out, done, take, from - partStart);
        if (bytesRead !== take) throw new CairnError(ErrorCodes.CORRUPT_SYNC_FILE, `${this.paths[0]} is damaged: it is shorter than it says.`);
        done += take;
      }
      partStart = partEnd;
    }
    if (done !== length) throw new CairnError(ErrorCodes.CORRUPT_SYNC_FILE, `${this.paths[0]} is damaged: it is truncated.`);
    return out;
  }

  async close(): Promise<void> {
    for (const handle of this.handles) await handle?.close();
  }
}

/** Writes the logical stream into temp parts of at most `partBytes` each. */
class PartWriter {
  position = 0;
  private readonly temps: string[] = [];
  private handle: FileHandle | null = null;
  private partStart = 0;

  constructor(
    private readonly path: string,
    private readonly generation: string,
    private readonly partBytes: number,
    firstTemp: string,
  ) {
    this.temps.push(firstTemp);
  }

  get parts(): number {
    return this.temps.length;
  }

  /** Continues a copied single-part file, cutting it at `offset`. */
  async resumeAt(offset: number): Promise<void> {
    this.handle = await open(this.temps[0]!, 'r+');
    await this.handle.truncate(offset);
    this.position = offset;
  }

  async write(data: Buffer): Promise<number> {
    let written = 0;
    while (written < data.length) {
      const handle = await this.current();
      const room = this.partStart + this.partBytes - this.position;
      const take = Math.min(room, data.length - written);
      await handle.write(data, written, take, this.position - this.partStart);
      written += take;
      this.position += take;
    }
    return written;
  }

  async writeFile(file: string): Promise<number> {
    const source = await open(file, 'r');
    let written = 0;
    try {
      const buffer = Buffer.alloc(CHUNK);
      for (;;) {
        const { bytesRead } = await source.read(buffer, 0, CHUNK, null);
        if (bytesRead === 0) break;
        written += await this.write(buffer.subarray(0, bytesRead));
      }
    } finally {
      await source.close();
    }
    return written;
  }

  async writeHeader(header: Buffer): Promise<void> {
    if (this.parts === 1 && this.handle !== null) {
      await this.handle.write(header, 0, header.length, 0);
      return;
    }
    // The first part was closed (and synced) when the second began: reopen it for the header.
    const first = await open(this.temps[0]!, 'r+');
    try {
      await first.write(header, 0, header.length, 0);
      await first.sync();
    } finally {
      await first.close();
    }
  }

  /** fsync the last part (the others were when they filled), move the parts into place, then the main file, then fsync the folder. */
  async commit(): Promise<void> {
    if (this.handle !== null) {
      await this.handle.sync();
      await this.handle.close();
      this.handle = null;
    }
    for (let part = 1; part < this.temps.length; part += 1) await rename(this.temps[part]!, partPath(this.path, this.generation, part));
    await rename(this.temps[0]!, this.path);
    await syncFile(dirname(this.path)).catch(() => undefined);
  }

  async abandon(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = null;
    for (const temp of this.temps) await rm(temp, { force: true });
  }

  private async current(): Promise<FileHandle> {
    if (this.handle !== null && this.position < this.partStart + this.partBytes) return this.handle;
    if (this.handle !== null) {
      // This part is full: the next one starts.
      await this.handle.sync();
      await this.handle.close();
      this.partStart += this.partBytes;
      this.temps.push(join(dirname(this.path), `.${basename(this.path)}.${this.generation}.part${this.temps.length + 1}.tmp`));
    }
    this.handle = await open(this.temps.at(-1)!, 'w');
    return this.handle;
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
