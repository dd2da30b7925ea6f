import type { ExportFormat, ExportRequest, ImportFormat, ImportReadOptions, PluginContext, ProgressReport } from '@cairn/sdk';
import { OBSERVATIONS_METHODS, OBSERVATIONS_SERVICE } from '../common/protocol.js';
import type { ExportInput, ImportInput } from './inputs.js';

/**
 * The plugin starts with every window and CLI command (its formats and commands must be known),
 * so activation only registers names: the code behind them loads on first use.
 */
export function activate(ctx: PluginContext): void {
  const exportFormat = (id: string, title: string, extensions: string[], load: () => Promise<ExportFormat>): ExportFormat => ({
    id,
    title,
    extensions,
    async *write(request: ExportRequest) {
      yield* (await load()).write(request);
    },
  });
  const importFormat = (id: string, title: string, extensions: string[], load: () => Promise<ImportFormat>): ImportFormat => ({
    id,
    title,
    extensions,
    async *read(path: string, options: ImportReadOptions) {
      yield* (await load()).read(path, options);
    },
  });
  const formats = [
    ctx.formats.registerExport(exportFormat('geojson', 'GeoJSON', ['geojson'], async () => (await import('./export.js')).geojsonExportFormat)),
    ctx.formats.registerExport(exportFormat('csv', 'CSV', ['csv'], async () => (await import('./export.js')).csvExportFormat)),
    ctx.formats.registerExport(exportFormat('zip', 'Zip (GeoJSON, CSV and photos)', ['zip'], async () => (await import('./zip.js')).zipExportFormat)),
    ctx.formats.registerImport(importFormat('geojson', 'GeoJSON', ['geojson', 'json'], async () => (await import('./readers.js')).geojsonImportFormat)),
    ctx.formats.registerImport(importFormat('csv', 'CSV', ['csv'], async () => (await import('./readers.js')).csvImportFormat)),
    ctx.formats.registerImport(importFormat('zip', 'Zip (GeoJSON or CSV, with photos)', ['zip'], async () => (await import('./zip-read.js')).zipImportFormat)),
  ];
  ctx.subscriptions.push(...formats);

  const transfers = () => import('./transfers.js');
  ctx.subscriptions.push(
    // `cairn export --format geojson|csv|zip --out PATH [filters]`, and `cairn run observations.export`.
    ctx.commands.register('observations.export', (input: ExportInput = {}) =>
      ctx.progress('Exporting observations', async (report) => (await transfers()).runExport(ctx, input, report)),
    ),
    // `cairn import PATH [--format ID] [--strict]`.
    ctx.commands.register('observations.import', (input: ImportInput | string = {}) =>
      ctx.progress('Importing observations', async (report) => (await transfers()).runImport(ctx, input, report)),
    ),
    // `cairn presets list`: what a script or another tool needs to know of each category; the icon's
    // SVG is markup of many kilobytes, so the list says only whether there is one.
    ctx.commands.register('observations.listPresets', async () => {
      const { inFormOrder } = await import('../common/forms.js'); // off the start path, like the rest
      return (await ctx.project.presets.list()).sort(inFormOrder).map(({ iconSvg, ...preset }) => ({ ...preset, hasIconSvg: iconSvg !== null }));
    }),
    // `cairn presets import PATH`.
    ctx.commands.register('observations.importPresets', (input: unknown) =>
      ctx.progress('Importing categories', async (report: (progress: ProgressReport) => void) => (await transfers()).runPresetsImport(ctx, input, report)),
    ),
  );

  // The workbench's side: pages of the list, the detail, edits, import and export with progress.
  let loaded: Promise<Record<string, (...args: unknown[]) => unknown>> | null = null;
  const implementation = () => (loaded ??= import('./service.js').then((module) => module.observationsService(ctx) as unknown as Record<string, (...args: unknown[]) => unknown>));
  const service = Object.fromEntries(OBSERVATIONS_METHODS.map((name) => [name, async (...args: unknown[]) => (await implementation())[name]!(...args)]));
  ctx.subscriptions.push(ctx.services.register(OBSERVATIONS_SERVICE, service));
}
