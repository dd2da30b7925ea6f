import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { CairnError, ErrorCodes, errorMessage, type ImportPosition, type ImportRecord, type ObservationInput, type PluginContext } from '@cairn/sdk';
import { cairnIdOf } from '../common/category-id.js';

export type Rejection = ImportPosition & { reason: string };

export interface ImportResult {
  file: string;
  format: string;
  /** Observations written. */
  imported: number;
  /** Records with an id that this project holds already (imported before, here or on a device synced since; or deleted). */
  skipped: number;
  rejected: Rejection[];
}

export interface ImportOptions {
  /** A format id; by default the one whose extensions include the file's. */
  format?: string;
  /** Import nothing if any record is invalid. */
  strict?: boolean;
  signal?: AbortSignal;
  /** 0–100 of the file read (and, with `strict`, read twice). */
  onProgress?: (percent: number, counts: { imported: number; skipped: number }) => void;
}

/** A Cairn observation id (16 random bytes in hex), as Cairn's exports carry it. */
const CAIRN_ID = /^[0-9a-f]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The id an imported record gets, from its id in the file, the same on every device that
 * imports the file: that is what lets an import skip what was imported before, here or on a
 * device synced since, and lets two devices that imported one file sync without doubles.
 *
 * An id that is unique the world over is kept: a Cairn id as it is (a Cairn export imported
 * elsewhere keeps its ids, so its copies and the original never double), a UUID without its
 * dashes. Any other id (`1`, `f3`, Mapeo's 16 hex digits) is hashed together with the record's
 * creation time, or where it has none its place: two unrelated files numbering their features
 * 1, 2, 3… must not skip each other's.
 */
function importedId(sourceId: string, input: ObservationInput): string {
  const id = sourceId.toLowerCase();
  if (CAIRN_ID.test(id)) return id;
  if (UUID.test(id)) return id.replaceAll('-', '');
  const anchor = input.createdAt ?? `${input.lat},${input.lon}`;
  return createHash('sha256').update(`cairn import\n${sourceId}\n${anchor}`).digest('hex').slice(0, 32);
}

/** A record's input as the import writes it: its category id as Cairn names it, its id from the file's. */
function toWrite(record: ImportRecord & { input: ObservationInput }): ObservationInput {
  const { input, sourceId } = record;
  // A Mapeo category id in a sub-folder (`buildings/house`) was imported as `buildings-house`.
  const category = input.category ? cairnIdOf(input.category) : input.category;
  const id = input.id ?? (sourceId === undefined || sourceId === '' ? undefined : importedId(sourceId, input));
  if (id === undefined && category === input.category) return input;
  // The id first, in one literal: an object that gains a property after its tags takes the
  // schema checks three times as long (V8 then keeps the late property out of the object).
  const written: ObservationInput = id === undefined ? { ...input } : { id, ...input };
  if (category !== input.category) written.category = category;
  return written;
}

/**
 * Records written per store write: large enough that the store's cost per write is shared (100k
 * features import a third faster than in batches of 2,000), small enough to report progress.
 */
const BATCH = 10_000;

/**
 * Adds the observations of a file. Every record is checked as `create` would check it; the
 * invalid ones are listed with their position and reason, the valid ones are written in batches
 * (each record whole, never half). A record with an id this project holds already — imported
 * before, or deleted since: a deletion is not undone by importing again — is skipped and
 * counted. With `strict`, a first pass checks the whole file and nothing is written unless
 * every record is valid.
 */
export async function importObservations(ctx: PluginContext, path: string, options: ImportOptions = {}): Promise<ImportResult> {
  const file = resolve(path);
  const info = await stat(file).catch(() => null);
  if (info === null) throw new CairnError(ErrorCodes.NOT_FOUND, `There is no file ${file}. Check the path.`);
  if (!info.isFile()) throw new CairnError(ErrorCodes.INVALID_INPUT, `${file} is not a file; give the GeoJSON or CSV file to import.`);
  const format = await ctx.formats.importFormat(options.format ?? formatOf(ctx, file));
  const signal = options.signal ?? new AbortController().signal;
  const passes = options.strict ? 2 : 1;
  let imported = 0;
  let skipped = 0;
  // What the format keeps open for its records' attachments (a zip) is closed once all is written.
  const cleanups: Array<() => void | Promise<void>> = [];
  const onDone = (cleanup: () => void | Promise<void>) => void cleanups.push(cleanup);

  /** One read of the file: checks every record, and hands the valid ones to `accept` by batch. */
  const pass = async (number: number, accept: (inputs: ObservationInput[]) => Promise<void>): Promise<Rejection[]> => {
    const rejected: Rejection[] = [];
    let batch: Array<{ position: ImportPosition; input: ObservationInput }> = [];
    const flush = async () => {
      const problems = await ctx.project.observations.validate(batch.map((record) => record.input));
      const bad = new Set(problems.map((problem) => problem.index));
      for (const problem of problems) rejected.push({ ...batch[problem.index]!.position, reason: problem.message });
      await accept(batch.filter((_, index) => !bad.has(index)).map((record) => record.input));
      batch = [];
    };
    const progress = (fraction: number) => options.onProgress?.(Math.min(100, (100 * (number + fraction)) / passes), { imported, skipped });
    for await (const record of format.read(file, { signal, progress, onDone })) {
      if (record.error !== undefined) rejected.push({ ...record.position, reason: record.error });
      else batch.push({ position: record.position, input: toWrite(record) });
      if (batch.length >= BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    return rejected;
  };

  const write = async (inputs: ObservationInput[]) => {
    if (inputs.length === 0) return;
    if (signal.aborted) throw cancelled(imported);
    const created = await ctx.project.observations.createMany(inputs, { skipExisting: true });
    imported += created.length;
    skipped += inputs.length - created.length;
  };
  const result = (rejected: Rejection[]): ImportResult => ({ file, format: format.id, imported, skipped, rejected });
  try {
    if (options.strict) {
      const rejected = await pass(0, async () => {});
      if (rejected.length > 0) return result(rejected);
      await pass(1, write);
      return result([]);
    }
    return result(await pass(0, write));
  } finally {
    for (const cleanup of cleanups.splice(0)) {
      await Promise.resolve()
        .then(cleanup)
        .catch((error: unknown) => ctx.log.warn(`Closing what ${format.id} read for ${file}: ${errorMessage(error)}`));
    }
  }
}

/** The import format whose declared extensions include the file's. */
function formatOf(ctx: PluginContext, file: string): string {
  const extension = extname(file).slice(1).toLowerCase();
  const formats = ctx.formats.importFormats();
  const match = formats.find((format) => format.extensions.includes(extension));
  if (match === undefined) {
    throw new CairnError(
      ErrorCodes.INVALID_INPUT,
      `Cannot tell the format of ${file} from its extension; give --format (${formats.map((format) => format.id).join(', ')}).`,
    );
  }
  return match.id;
}

function cancelled(imported: number): CairnError {
  return new CairnError(ErrorCodes.CANCELLED, `The import was cancelled after ${imported} observations; those stay imported.`);
}
