import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { CairnError, ErrorCodes, type ImportPosition, type ObservationInput, type PluginContext } from '@cairn/sdk';
import { cairnIdOf } from '../common/category-id.js';

export type Rejection = ImportPosition & { reason: string };

export interface ImportResult {
  file: string;
  format: string;
  imported: number;
  rejected: Rejection[];
}

export interface ImportOptions {
  /** A format id; by default the one whose extensions include the file's. */
  format?: string;
  /** Import nothing if any record is invalid. */
  strict?: boolean;
  signal?: AbortSignal;
  /** 0–100 of the file read (and, with `strict`, read twice). */
  onProgress?: (percent: number, imported: number) => void;
}

/**
 * Records written per store write: large enough that the store's cost per write is shared (100k
 * features import a third faster than in batches of 2,000), small enough to report progress.
 */
const BATCH = 10_000;

/**
 * Adds the observations of a file. Every record is checked as `create` would check it; the
 * invalid ones are listed with their position and reason, the valid ones are written in batches
 * (each record whole, never half). With `strict`, a first pass checks the whole file and nothing
 * is written unless every record is valid.
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
    const progress = (fraction: number) => options.onProgress?.(Math.min(100, (100 * (number + fraction)) / passes), imported);
    for await (const record of format.read(file, { signal, progress })) {
      if (record.error !== undefined) rejected.push({ ...record.position, reason: record.error });
      // A Mapeo category id in a sub-folder (`buildings/house`) was imported as `buildings-house`.
      else batch.push({ position: record.position, input: record.input.category ? { ...record.input, category: cairnIdOf(record.input.category) } : record.input });
      if (batch.length >= BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    return rejected;
  };

  const write = async (inputs: ObservationInput[]) => {
    if (inputs.length === 0) return;
    if (signal.aborted) throw cancelled(imported);
    await ctx.project.observations.createMany(inputs);
    imported += inputs.length;
  };
  if (options.strict) {
    const rejected = await pass(0, async () => {});
    if (rejected.length > 0) return { file, format: format.id, imported: 0, rejected };
    await pass(1, write);
    return { file, format: format.id, imported, rejected: [] };
  }
  const rejected = await pass(0, write);
  return { file, format: format.id, imported, rejected };
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
