import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import {
  CairnError,
  ErrorCodes,
  ioError,
  type DocumentsApi,
  type Field,
  type PluginContext,
  type Preset,
} from '@cairn/sdk';
import { cairnIdOf } from '../common/category-id.js';
import type { PresetsImportResult } from '../common/protocol.js';
import { readComapeoCategories } from './comapeo-categories.js';
import { readBundle } from './mapeo-bundle.js';
import { readFolder } from './mapeo-folder.js';
import { prepare, type FieldValue, type PresetValue } from './mapeo-plan.js';
import { isObject } from './mapeo-read.js';

/**
 * Imports the categories of a Mapeo configuration: the `.mapeosettings` bundle Mapeo Desktop
 * imports (a tar built by mapeo-settings-builder), the source folder it is built from, or a
 * CoMapeo categories archive (`.comapeocat`, see comapeo-categories.ts).
 *
 * Ids are Mapeo's: a preset or field is named by its file's path under `presets/` or `fields/`
 * without `.json`, each folder or file name without its leading underscores, as the builder does
 * (`presets/buildings/_house.json` is `buildings/house`); a preset's own `id` property is ignored,
 * as the builder ignores it. A bundle holds those same ids as the keys of `presets.json`. Cairn ids
 * have no slashes or spaces, so each one becomes `-` (see {@link cairnIdOf}).
 */

export type { PresetsImportResult };

type Progress = (message: string, percent: number) => void;

/**
 * Imports a Mapeo configuration into the project: its fields and presets (as categories, with
 * their icons as SVG markup), the order of `defaults.json` (`point`) as the default categories,
 * and its name and version. Re-importing updates what changed: an existing category or field of
 * the same id is updated, one that is already the same is left alone (counted neither as created
 * nor as updated). Categories and fields of the project that the configuration lacks are kept.
 * Everything is read and checked before the first write: an invalid configuration writes nothing.
 */
export async function importMapeoConfig(ctx: PluginContext, path: string, onProgress?: Progress): Promise<PresetsImportResult> {
  const target = resolve(path);
  const report: Progress = (message, percent) => onProgress?.(message, Math.round(Math.min(100, Math.max(0, percent))));
  report(`Reading ${basename(target)}`, 0);
  const info = await stat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
    throw ioError(`Could not read ${target}`, error);
  });
  if (info === null) {
    throw new CairnError(ErrorCodes.NOT_FOUND, `There is no ${target}. Give a .mapeosettings or .comapeocat file, or a folder with presets/ and fields/.`);
  }
  const raw = info.isDirectory() ? await readFolder(target) : /\.comapeocat$/i.test(target) ? await readComapeoCategories(target) : await readBundle(target);
  const plan = await prepare(raw, basename(target).replace(/\.(mapeosettings|comapeocat)$/i, ''));
  if (plan.presets.length === 0) {
    const why = plan.warnings.length > 0 ? `: ${plan.warnings.slice(0, 3).join('; ')}` : '.';
    throw new CairnError(ErrorCodes.INVALID_INPUT, `${target} has no category Cairn can import${why}`);
  }
  report(`Read ${plan.presets.length} categories and ${plan.fields.length} fields`, 10);

  // Only now is anything written: fields first, as the categories name them.
  const total = plan.fields.length + plan.presets.length;
  let done = 0;
  const step = (message: string) => report(message, 10 + (85 * ++done) / total);
  const fields = await upsert<Field, FieldValue>(ctx.project.fields, plan.fields, (id) => step(`Field ${id}`));
  const presets = await upsert<Preset, PresetValue>(ctx.project.presets, plan.presets, (_id, value) => step(`Category ${value.name}`));
  await ctx.project.settings.update({
    defaultPresets: plan.defaultPresets,
    configMetadata: { name: plan.settingsName, version: plan.version, importedAt: new Date().toISOString() },
  });
  report(`Imported ${plan.presets.length} categories and ${plan.fields.length} fields`, 100);
  return { name: plan.name, version: plan.version, presets, fields, icons: plan.icons, warnings: plan.warnings };
}

/**
 * Creates what the project lacks and updates what differs (same id), counting each; a document
 * whose content is already the same is not written again.
 */
async function upsert<T extends Preset | Field, V extends PresetValue | FieldValue>(
  documents: DocumentsApi<T, V & { id?: string }>,
  planned: ReadonlyArray<{ id: string; value: V }>,
  onEach: (id: string, value: V) => void,
): Promise<{ created: number; updated: number }> {
  const counts = { created: 0, updated: 0 };
  const existing = new Map((await documents.list()).map((document) => [document.id, document]));
  for (const { id, value } of planned) {
    const current = existing.get(id);
    if (current === undefined) {
      await documents.create({ id, ...value });
      counts.created++;
    } else if (!sameContent(current, value)) {
      await documents.update(id, value);
      counts.updated++;
    }
    onEach(id, value);
  }
  return counts;
}

// Re-import --------------------------------------------------------------------------------------

/** JSON with its object keys sorted, so that equal content compares equal whatever its key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    isObject(inner) ? Object.fromEntries(Object.keys(inner).sort().map((key) => [key, inner[key]])) : inner,
  );
}

/** Whether a stored category or field already holds everything the import would write. */
function sameContent(existing: Preset | Field, value: PresetValue | FieldValue): boolean {
  const current = existing as unknown as Record<string, unknown>;
  return Object.entries(value).every(([key, wanted]) => canonical(current[key] ?? null) === canonical(wanted));
}

export { cairnIdOf };
