import type { PluginContext } from '@cairn/sdk';
import { OBSERVATIONS_SERVICE } from '../common/protocol.js';
import { csvExportFormat, exportObservations, geojsonExportFormat } from './export.js';
import { importObservations } from './import.js';
import { checkExport, checkImport, importPresets, type ExportInput, type ImportInput } from './inputs.js';
import { IMPORT_FORMATS } from './readers.js';
import { observationsService } from './service.js';
import { zipExportFormat } from './zip.js';

export function activate(ctx: PluginContext): void {
  for (const format of [geojsonExportFormat, csvExportFormat, zipExportFormat]) ctx.subscriptions.push(ctx.formats.registerExport(format));
  for (const format of IMPORT_FORMATS) ctx.subscriptions.push(ctx.formats.registerImport(format));

  // `cairn export --format geojson|csv|zip --out PATH [filters]`, and `cairn run observations.export`.
  ctx.subscriptions.push(
    ctx.commands.register('observations.export', async (input: ExportInput = {}) => {
      const { format, out, filter } = checkExport(ctx, input ?? {});
      return ctx.progress(`Exporting ${format}`, (report) =>
        exportObservations(ctx, format, out, filter, (done, total) =>
          report({ message: `${done} of ${total} observations`, percent: total === 0 ? 100 : (100 * done) / total }),
        ),
      );
    }),
  );

  // `cairn import PATH [--format ID] [--strict]`.
  ctx.subscriptions.push(
    ctx.commands.register('observations.import', async (input: ImportInput | string = {}) => {
      const { path, format, strict } = checkImport(input);
      return ctx.progress('Importing observations', (report) =>
        importObservations(ctx, path, {
          ...(format !== undefined && { format }),
          strict,
          onProgress: (percent, imported) => report({ message: `${imported} imported`, percent }),
        }),
      );
    }),
  );

  // `cairn presets import PATH`.
  ctx.subscriptions.push(
    ctx.commands.register('observations.importPresets', (input: unknown) =>
      ctx.progress('Importing categories', (report) => importPresets(ctx, input, report)),
    ),
  );

  // The workbench's side: pages of the list, the detail, edits, and import/export with progress.
  ctx.subscriptions.push(ctx.services.register(OBSERVATIONS_SERVICE, observationsService(ctx)));
}

