import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { PMTiles, TileType, type RangeResponse, type Source } from 'pmtiles';
import { CairnError, ErrorCodes, errorMessage, writeFileAtomic, type PluginContext, type ProgressReport, type ResourceResponse } from '@cairn/sdk';
import type { BasemapInfo } from '../common/protocol.js';

/** What is kept of a basemap: what the workbench is told, and where its tiles are. */
interface BasemapRecord extends BasemapInfo {
  /** The copy in the plugin's folder of the data dir (file basemaps). */
  file?: string;
  /** The tile URL template (online basemaps). */
  url?: string;
}

const contentTypes: Record<BasemapInfo['format'], string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  pbf: 'application/x-protobuf',
};

/** An open tile source: MBTiles (SQLite) or PMTiles (one file of byte ranges). */
interface TileSource {
  tile(z: number, x: number, y: number): Promise<Uint8Array | null>;
  close(): Promise<void>;
}

/**
 * The user's basemaps: MBTiles and PMTiles files (raster or vector) copied into the data dir, so a
 * USB stick can go once they are added, and online XYZ URLs — the only way the map ever reaches
 * the internet, and only because the user asked. The host serves their tiles to the workbench.
 */
export class Basemaps {
  private readonly folder: string;
  private readonly listFile: string;
  private readonly sources = new Map<string, Promise<TileSource>>();
  private writing: Promise<unknown> = Promise.resolve();
  /** The list as last read or written: every tile asks for its basemap, so it is read once. */
  private cached: Promise<BasemapRecord[]> | null = null;

  constructor(private readonly ctx: PluginContext) {
    this.folder = join(ctx.storagePath, 'basemaps');
    this.listFile = join(ctx.storagePath, 'basemaps.json');
  }

  async list(): Promise<BasemapInfo[]> {
    return (await this.records()).map(({ file: _file, url: _url, ...info }) => info);
  }

  /** `source`: a path to an .mbtiles or .pmtiles file, or an http(s) URL with {z}, {x} and {y}. */
  add(source: string, options: { name?: string; attribution?: string } = {}, report: (progress: ProgressReport) => void = () => undefined): Promise<BasemapInfo> {
    return this.serially(async () => {
      if (typeof source !== 'string' || source.trim() === '') {
        throw new CairnError(ErrorCodes.INVALID_INPUT, 'basemap add: give the path of an .mbtiles or .pmtiles file, or a tile URL with {z}, {x} and {y}.');
      }
      const record = /^https?:\/\//i.test(source) ? onlineRecord(source.trim(), options) : await this.copyIn(source, options, report);
      await this.save([...(await this.records()), record]);
      const { file: _file, url: _url, ...info } = record;
      return info;
    });
  }

  remove(id: string): Promise<void> {
    return this.serially(async () => {
      const records = await this.records();
      const record = records.find((candidate) => candidate.id === id);
      if (record === undefined) throw new CairnError(ErrorCodes.NOT_FOUND, `There is no basemap '${id}'; \`cairn basemap list\` shows them.`);
      await this.save(records.filter((candidate) => candidate !== record));
      const open = this.sources.get(id);
      this.sources.delete(id);
      await (await open?.catch(() => null))?.close();
      if (record.file !== undefined) await rm(join(this.folder, record.file), { force: true });
    });
  }

  /** A tile as the workbench asks for it (`<id>/<z>/<x>/<y>`); null when there is none. */
  async tile(path: string): Promise<ResourceResponse | null> {
    const match = /^([a-z0-9-]+)\/(\d{1,2})\/(\d+)\/(\d+)$/.exec(path);
    if (match === null) throw new CairnError(ErrorCodes.INVALID_INPUT, 'A tile is asked for as <basemap>/<z>/<x>/<y>.');
    const [id, z, x, y] = [match[1]!, Number(match[2]), Number(match[3]), Number(match[4])];
    if (z > 30 || x >= 2 ** z || y >= 2 ** z) throw new CairnError(ErrorCodes.INVALID_INPUT, `There is no tile ${z}/${x}/${y}.`);
    const record = (await this.records()).find((candidate) => candidate.id === id);
    if (record === undefined) return null;
    const bytes = record.url !== undefined ? await fetchTile(record.url, z, x, y) : await (await this.source(record)).tile(z, x, y);
    return bytes === null ? null : { contentType: contentTypes[record.format], body: bytes };
  }

  async dispose(): Promise<void> {
    for (const source of this.sources.values()) await (await source.catch(() => null))?.close();
    this.sources.clear();
  }

  private source(record: BasemapRecord): Promise<TileSource> {
    let source = this.sources.get(record.id);
    if (source === undefined) {
      source = openSource(record.kind, join(this.folder, record.file!));
      this.sources.set(record.id, source);
      source.catch(() => this.sources.delete(record.id));
    }
    return source;
  }

  /** Reads the file's description, then copies it in (whole, or not at all). */
  private async copyIn(path: string, options: { name?: string; attribution?: string }, report: (progress: ProgressReport) => void): Promise<BasemapRecord> {
    const kind = extname(path).toLowerCase() === '.mbtiles' ? 'mbtiles' : extname(path).toLowerCase() === '.pmtiles' ? 'pmtiles' : null;
    if (kind === null) throw new CairnError(ErrorCodes.INVALID_INPUT, `basemap add: '${basename(path)}' is not an .mbtiles or .pmtiles file.`);
    const size = (await stat(path).catch(() => null))?.size;
    if (size === undefined) throw new CairnError(ErrorCodes.NOT_FOUND, `basemap add: there is no file at ${path}.`);
    const described = await describe(kind, path);
    const id = `${slug(options.name ?? described.name ?? basename(path, extname(path)))}-${randomBytes(3).toString('hex')}`;
    const file = `${id}.${kind}`;
    await mkdir(this.folder, { recursive: true });
    const temp = join(this.folder, `.${file}.${randomBytes(4).toString('hex')}.tmp`);
    report({ message: `Copying ${basename(path)} (${(size / 1024 / 1024).toFixed(1)} MiB) into the data dir` });
    try {
      await copyFile(path, temp);
      await rename(temp, join(this.folder, file));
    } catch (error) {
      await rm(temp, { force: true });
      throw new CairnError(ErrorCodes.IO, `basemap add: could not copy ${basename(path)} into the data dir: ${errorMessage(error)}`);
    }
    report({ percent: 100 });
    return {
      id,
      name: options.name ?? described.name ?? basename(path, extname(path)),
      kind,
      format: described.format,
      minzoom: described.minzoom,
      maxzoom: described.maxzoom,
      bounds: described.bounds,
      attribution: options.attribution ?? described.attribution ?? '',
      online: false,
      file,
    };
  }

  private records(): Promise<BasemapRecord[]> {
    return (this.cached ??= this.read());
  }

  private async read(): Promise<BasemapRecord[]> {
    const text = await readFile(this.listFile, 'utf8').catch(() => null);
    if (text === null) return [];
    try {
      const parsed = JSON.parse(text) as { basemaps?: BasemapRecord[] };
      return Array.isArray(parsed.basemaps) ? parsed.basemaps : [];
    } catch {
      this.ctx.log.warn(`${this.listFile} is not valid JSON; no basemap is listed until it is fixed or removed.`);
      return [];
    }
  }

  private async save(records: BasemapRecord[]): Promise<void> {
    await writeFileAtomic(this.listFile, `${JSON.stringify({ basemaps: records }, null, 2)}\n`);
    this.cached = Promise.resolve(records);
  }

  /** Adds and removes run one at a time: each reads and rewrites the list. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writing.then(work, work);
    this.writing = run.catch(() => undefined);
    return run;
  }
}

function onlineRecord(url: string, options: { name?: string; attribution?: string }): BasemapRecord {
  if (!/\{z\}/.test(url) || !/\{x\}/.test(url) || !/\{y\}/.test(url)) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `basemap add: a tile URL needs {z}, {x} and {y}, e.g. https://tile.example.org/{z}/{x}/{y}.png (got ${url}).`);
  }
  const extension = /\.(png|jpe?g|webp|pbf|mvt)(\?|$)/i.exec(url)?.[1]?.toLowerCase();
  const format = extension === 'jpeg' || extension === 'jpg' ? 'jpg' : extension === 'webp' ? 'webp' : extension === 'pbf' || extension === 'mvt' ? 'pbf' : 'png';
  const host = new URL(url.replace(/\{[a-z]\}/g, '0')).host;
  return {
    id: `${slug(options.name ?? host)}-${randomBytes(3).toString('hex')}`,
    name: options.name ?? host,
    kind: 'xyz',
    format,
    minzoom: 0,
    maxzoom: 19,
    bounds: null,
    attribution: options.attribution ?? `Tiles: ${host}`,
    online: true,
    url,
  };
}

async function fetchTile(template: string, z: number, x: number, y: number): Promise<Uint8Array | null> {
  const url = template.replace('{z}', String(z)).replace('{x}', String(x)).replace('{y}', String(y));
  const response = await fetch(url, { signal: AbortSignal.timeout(15_000) }).catch((error: unknown) => {
    throw new CairnError(ErrorCodes.IO, `The online basemap could not be reached (${errorMessage(error)}); with no internet, turn it off in the Map view.`);
  });
  if (response.status === 404) return null;
  if (!response.ok) throw new CairnError(ErrorCodes.IO, `The online basemap answered ${response.status} for ${z}/${x}/${y}.`);
  return new Uint8Array(await response.arrayBuffer());
}

interface Description {
  name: string | null;
  format: BasemapInfo['format'];
  minzoom: number;
  maxzoom: number;
  bounds: [number, number, number, number] | null;
  attribution: string | null;
}

async function describe(kind: 'mbtiles' | 'pmtiles', path: string): Promise<Description> {
  return kind === 'mbtiles' ? describeMbtiles(path) : describePmtiles(path);
}

function describeMbtiles(path: string): Description {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `basemap add: ${basename(path)} cannot be opened as an MBTiles file (${errorMessage(error)}).`);
  }
  try {
    let metadata: Map<string, string>;
    let zooms: { min: number | null; max: number | null };
    try {
      metadata = new Map((db.prepare('SELECT name, value FROM metadata').all() as Array<{ name: string; value: string }>).map((row) => [row.name, row.value]));
      zooms = db.prepare('SELECT min(zoom_level) AS min, max(zoom_level) AS max FROM tiles').get() as { min: number | null; max: number | null };
    } catch {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `basemap add: ${basename(path)} is not an MBTiles file (it has no metadata and tiles tables).`);
    }
    if (zooms.min === null) throw new CairnError(ErrorCodes.INVALID_INPUT, `basemap add: ${basename(path)} holds no tiles.`);
    const format = (metadata.get('format') ?? 'png').toLowerCase();
    const known = format === 'jpeg' ? 'jpg' : format;
    if (!['png', 'jpg', 'webp', 'pbf'].includes(known)) throw new CairnError(ErrorCodes.INVALID_INPUT, `basemap add: ${basename(path)} holds '${format}' tiles; the map draws png, jpg, webp and pbf (vector) tiles.`);
    const bounds = (metadata.get('bounds') ?? '').split(',').map(Number);
    return {
      name: metadata.get('name') ?? null,
      format: known as BasemapInfo['format'],
      minzoom: Number(metadata.get('minzoom') ?? zooms.min),
      maxzoom: Number(metadata.get('maxzoom') ?? zooms.max),
      bounds: bounds.length === 4 && bounds.every(Number.isFinite) ? (bounds as [number, number, number, number]) : null,
      attribution: metadata.get('attribution') ?? null,
    };
  } finally {
    db.close();
  }
}

async function describePmtiles(path: string): Promise<Description> {
  const source = new FileRangeSource(path);
  try {
    const archive = new PMTiles(source);
    const header = await archive.getHeader().catch((error: unknown) => {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `basemap add: ${basename(path)} is not a PMTiles file (${errorMessage(error)}).`);
    });
    const formats: Partial<Record<TileType, BasemapInfo['format']>> = { [TileType.Mvt]: 'pbf', [TileType.Png]: 'png', [TileType.Jpeg]: 'jpg', [TileType.Webp]: 'webp' };
    const format = formats[header.tileType];
    if (format === undefined) throw new CairnError(ErrorCodes.INVALID_INPUT, `basemap add: ${basename(path)} holds tiles of a type the map does not draw (png, jpg, webp and vector tiles it does).`);
    const metadata = ((await archive.getMetadata().catch(() => ({}))) ?? {}) as { name?: unknown; attribution?: unknown };
    return {
      name: typeof metadata.name === 'string' ? metadata.name : null,
      format,
      minzoom: header.minZoom,
      maxzoom: header.maxZoom,
      bounds: [header.minLon, header.minLat, header.maxLon, header.maxLat],
      attribution: typeof metadata.attribution === 'string' ? metadata.attribution : null,
    };
  } finally {
    await source.close();
  }
}

async function openSource(kind: BasemapRecord['kind'], path: string): Promise<TileSource> {
  if (kind === 'mbtiles') {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    const query = db.prepare('SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?').pluck();
    return {
      // MBTiles count rows from the south (TMS); the map asks from the north (XYZ).
      tile: async (z, x, y) => {
        const data = query.get(z, x, 2 ** z - 1 - y) as Buffer | undefined;
        if (data === undefined) return null;
        // Vector tiles are usually stored gzipped; the workbench wants them plain.
        return data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data) : data;
      },
      close: async () => void db.close(),
    };
  }
  const source = new FileRangeSource(path);
  const archive = new PMTiles(source);
  return {
    tile: async (z, x, y) => {
      const found = await archive.getZxy(z, x, y);
      return found === undefined ? null : new Uint8Array(found.data);
    },
    close: () => source.close(),
  };
}

/** PMTiles' `Source` over a file on disk, read by ranges (a planet-sized file is never read whole). */
class FileRangeSource implements Source {
  private handle: ReturnType<typeof open> | null = null;
  constructor(private readonly path: string) {}

  getKey(): string {
    return this.path;
  }

  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    this.handle ??= open(this.path, 'r');
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await (await this.handle).read(buffer, 0, length, offset);
    return { data: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + bytesRead) as ArrayBuffer };
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await (await handle?.catch(() => null))?.close();
  }
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32) || 'basemap'
  );
}
