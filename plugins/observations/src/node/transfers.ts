import { CairnError, ErrorCodes, type PluginContext, type ProgressReport } from '@cairn/sdk';
import { exportObservations, type ExportResult } from './export.js';
import { importObservations, type ImportResult } from './import.js';
import { checkExport, checkImport, type ExportInput, type ImportInput } from './inputs.js';

type Report = (progress: ProgressReport) => void;

/** An export as the CLI and the workbench ask for it: the input checked, progress as a report. */
export function runExport(ctx: PluginContext, input: ExportInput, report: Report, signal?: AbortSignal): Promise<ExportResult> {
  const { format, out, filter } = checkExport(ctx, input ?? {});
  const progress = (done: number, total: number) => report({ message: `${done} of ${total} observations`, percent: total === 0 ? 100 : (100 * done) / total });
  return exportObservations(ctx, format, out, filter, progress, signal);
}

export function runImport(ctx: PluginContext, input: ImportInput | string, report: Report, signal?: AbortSignal): Promise<ImportResult> {
  const { path, format, strict } = checkImport(input);
  return importObservations(ctx, path, {
    ...(format !== undefined && { format }),
    ...(signal !== undefined && { signal }),
    strict,
    onProgress: (percent, { imported, skipped }) => report({ message: skipped > 0 ? `${imported} imported, ${skipped} skipped (imported before)` : `${imported} imported`, percent }),
  });
}

/** Imports a Mapeo configuration (its tar reader loads only for this). */
export async function runPresetsImport(ctx: PluginContext, path: unknown, report: Report) {
  const file = typeof path === 'string' ? path : (path as { path?: unknown } | null)?.path;
  if (typeof file !== 'string' || file.trim() === '') {
    throw new CairnError(ErrorCodes.INVALID_INPUT, 'path: give a .mapeosettings or .comapeocat file, or a folder of presets, e.g. cairn presets import jungle.mapeosettings.');
  }
  const { importMapeoConfig } = await import('./mapeo-config.js');
  return importMapeoConfig(ctx, file, (message, percent) => report({ message, percent }));
}
