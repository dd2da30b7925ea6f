import { readdir, readFile, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { ioError } from '@cairn/sdk';
import { BUNDLE_FILES, bundleConfig } from './mapeo-bundle.js';
import { standaloneSvg } from './mapeo-icons.js';
import { notAConfig, parseJson, type RawConfig } from './mapeo-read.js';

/**
 * A Mapeo configuration's source folder, as mapeo-settings-builder takes it: presets/ and fields/
 * (one JSON file each, any depth), icons/, defaults.json, metadata.json.
 */

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw ioError(`Could not read ${file}`, error);
  }
}

/** The `.json` files under a folder (any depth) as Mapeo ids, sorted; none when it is missing. */
async function jsonFilesById(folder: string): Promise<Array<{ id: string; file: string }>> {
  const names = await readdir(folder, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw ioError(`Could not read ${folder}`, error);
  });
  return names
    .map((name) => name.split(sep).join('/'))
    .filter((name) => name.toLowerCase().endsWith('.json'))
    .sort()
    .map((name) => ({
      id: name
        .slice(0, -'.json'.length)
        .split('/')
        .map((part) => part.replace(/^_+/, ''))
        .join('/'),
      file: name,
    }));
}

/**
 * A source folder: presets/, fields/, icons/, defaults.json, metadata.json. Or an extracted
 * bundle (presets.json, icons.svg, metadata.json), as Mapeo Desktop keeps the one it imported.
 */
export async function readFolder(folder: string): Promise<RawConfig> {
  const where = (file: string) => `${file} in ${folder}`;
  const presetsInfo = await stat(join(folder, 'presets')).catch(() => null);
  if (presetsInfo === null || !presetsInfo.isDirectory()) {
    const texts = new Map<string, string>();
    for (const name of BUNDLE_FILES) {
      const content = await readFile(join(folder, name), 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'EISDIR') return undefined;
        throw ioError(`Could not read ${join(folder, name)}`, error);
      });
      if (content !== undefined) texts.set(name, content);
    }
    if (!texts.has('presets.json')) throw notAConfig(folder, 'it has no presets/ folder (nor the presets.json of an extracted .mapeosettings file)');
    return bundleConfig(folder, (name) => texts.get(name), where);
  }
  const readAll = async (kind: 'presets' | 'fields') =>
    Promise.all(
      (await jsonFilesById(join(folder, kind))).map(async ({ id, file }) => ({
        id,
        file: `${kind}/${file}`,
        value: parseJson(await readText(join(folder, kind, file)), where(`${kind}/${file}`)),
      })),
    );
  const optionalJson = async (file: string) => {
    const text = await readFile(join(folder, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw ioError(`Could not read ${join(folder, file)}`, error);
    });
    return text === undefined ? undefined : parseJson(text, where(file));
  };
  const [presets, fields, defaults, metadata] = await Promise.all([readAll('presets'), readAll('fields'), optionalJson('defaults.json'), optionalJson('metadata.json')]);

  // icons/NAME-100px.svg, NAME.svg or NAME-24px.svg, the first there is.
  const iconFiles = new Set(
    await readdir(join(folder, 'icons')).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
      throw ioError(`Could not read ${join(folder, 'icons')}`, error);
    }),
  );
  const icon = async (name: string) => {
    const file = [`${name}-100px.svg`, `${name}.svg`, `${name}-24px.svg`].find((candidate) => iconFiles.has(candidate));
    if (file === undefined) return null;
    return standaloneSvg(await readText(join(folder, 'icons', file)));
  };
  return { where, presets, fields, defaults, metadata, icon };
}
