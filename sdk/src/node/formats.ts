import type { Readable } from 'node:stream';
import type { Disposable } from '../common/disposable.js';
import type { Field, Preset } from '../common/categories.js';
import type { FormatInfo, ImportRecord } from '../common/formats.js';
import type { Observation } from '../common/observation.js';
import type { Track } from '../common/track.js';

/**
 * File formats are contributions: a plugin adds a way to write observations out (KML, GeoPackage…)
 * or to read them in, and `cairn export` / `cairn import` and the workbench offer it. Declare the
 * format in the manifest (`contributes.exportFormats` / `importFormats`) so the host knows it
 * before the plugin is active, then register it with `ctx.formats` or with
 * `bindContribution(bind, ExportFormat, MyFormat)`.
 */

/** What export and import formats have in common; a format's manifest declaration says the same. */
export interface FileFormat {
  /** Matches an id the plugin declares in `contributes.exportFormats` or `importFormats`, e.g. `kml`. */
  readonly id: string;
  readonly title: string;
  /**
   * File extensions, without the dot, e.g. `['kml']`. A new file an export format writes gets the
   * first; `cairn import` picks an import format by the file's. (Export formats once gave one
   * `extension`; the host still reads it as `extensions: [extension]`.)
   */
  readonly extensions: readonly string[];
}

/** What an export format is given: the observations the user chose, and what goes with them. */
export interface ExportRequest {
  /** How many observations match. */
  readonly total: number;
  /**
   * The observations, a page at a time, in the list's order. Call it again for another pass (a
   * format that needs every tag key before its first line, say); each call starts over.
   */
  pages(): AsyncIterable<Observation[]>;
  /** The bytes of an attachment (a photo), streamed. */
  readAttachment(observationId: string, name: string): Promise<Readable>;
  /**
   * The tracks that match the export's filter (their category, a box they cross, the time they
   * start), for formats that hold lines.
   */
  tracks(): Promise<Track[]>;
  /** The project's categories and fields, for formats that write their names or icons. */
  presets(): Promise<Preset[]>;
  fields(): Promise<Field[]>;
  /** Tell the user how far along the export is: observations written so far. */
  progress(written: number): void;
  /** Aborted when the user cancels; stop yielding then. */
  readonly signal: AbortSignal;
}

/** Extension point for export formats (`bindContribution(bind, ExportFormat, MyFormat)`). */
export const ExportFormat = Symbol.for('cairn.ExportFormat');

export interface ExportFormat extends FileFormat {
  /**
   * The file's bytes, in chunks. The host writes them to a temp file and renames it over the
   * target only when the last chunk is in: a failed or cancelled export leaves the old file.
   */
  write(request: ExportRequest): AsyncIterable<Uint8Array>;
}

export interface ImportReadOptions {
  readonly signal: AbortSignal;
  /** Tell the user how far along the reading is (0–1 of the file). */
  progress(fraction: number): void;
  /**
   * Runs `cleanup` once the import is over, every record written or the import failed: for a
   * format whose records' attachments stream from something it keeps open (a zip), which must
   * stay open after its last record is yielded, until that record is written.
   */
  onDone(cleanup: () => void | Promise<void>): void;
}

/** Extension point for import formats (`bindContribution(bind, ImportFormat, MyFormat)`). */
export const ImportFormat = Symbol.for('cairn.ImportFormat');

export interface ImportFormat extends FileFormat {
  /**
   * Reads the file as it goes (never whole into memory), yielding a record for each observation
   * or a rejection with its reason. Throw a `CairnError` when the file as a whole cannot be read.
   */
  read(path: string, options: ImportReadOptions): AsyncIterable<ImportRecord>;
}

export interface FormatsApi {
  registerExport(format: ExportFormat): Disposable;
  registerImport(format: ImportFormat): Disposable;
  /** Every export format that enabled plugins offer. */
  exportFormats(): FormatInfo[];
  importFormats(): FormatInfo[];
  /** The format, its plugin activated first; `ERR_NOT_FOUND` or `ERR_PLUGIN_DISABLED` otherwise. */
  exportFormat(id: string): Promise<ExportFormat>;
  importFormat(id: string): Promise<ImportFormat>;
}
