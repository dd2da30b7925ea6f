import { CairnError, ErrorCodes, isCairnError } from '@cairn/sdk';
import type { RawConfig } from './mapeo-read.js';

/**
 * A CoMapeo categories archive (`.comapeocat`, what CoMapeo's apps import), read with the
 * `comapeocat` library of the CoMapeo team (MIT), which knows the format and checks it. It is read
 * into the same shape as a Mapeo configuration, so both import the same way:
 *
 * - each category is a preset of its id, `appliesTo` (`observation`, `track`) its geometry
 *   (`point`, `line`);
 * - each field is a field of its id, its `tagKey` the key it edits;
 * - `categorySelection` gives the categories offered first (its `observation` list), as
 *   `defaults.json` does;
 * - `metadata.json` its name and version; icons are SVG, as in a Mapeo configuration.
 */
export async function readComapeoCategories(file: string): Promise<RawConfig> {
  const { Reader } = await import('comapeocat');
  const reader = new Reader(file);
  try {
    // Every icon and field a category names must be there: checked before anything is used.
    await reader.validate();
    const [categories, fields, selection, metadata] = await Promise.all([reader.categories(), reader.fields(), reader.categorySelection(), reader.metadata()]);
    // Read now: the archive is closed once this returns.
    const icons = new Map<string, string>();
    for (const category of categories.values()) {
      const name = category.icon;
      if (typeof name === 'string' && !icons.has(name)) {
        const svg = await reader.getIcon(name);
        if (svg !== null) icons.set(name, svg);
      }
    }
    return {
      where: (name) => `${name} in ${file}`,
      presets: [...categories].map(([id, category]) => ({
        id,
        file: `categories.json (${id})`,
        value: { ...category, geometry: (category.appliesTo ?? ['observation']).map((kind: string) => (kind === 'track' ? 'line' : 'point')) },
      })),
      fields: [...fields].map(([id, field]) => ({ id, file: `fields.json (${id})`, value: { ...field, key: field.tagKey } })),
      defaults: { point: selection.observation ?? [], line: selection.track ?? [] },
      metadata,
      icon: (name) => Promise.resolve(icons.get(name) ?? null),
    };
  } catch (error) {
    if (isCairnError(error)) throw error;
    throw new CairnError(
      ErrorCodes.INVALID_INPUT,
      `${file} is not a CoMapeo categories archive Cairn can read: ${(error as Error).message}. Give a .comapeocat file, a .mapeosettings file or a folder with presets/ and fields/.`,
    );
  } finally {
    await reader.close().catch(() => undefined);
  }
}
