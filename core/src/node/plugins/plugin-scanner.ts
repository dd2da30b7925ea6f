import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { errorMessage, type PluginManifest, type PluginSource } from '@cairn/sdk';
import { engineProblem, manifestProblems } from './manifest.js';

/** A plugin package found on disk, valid or not. */
export interface DiscoveredPlugin {
  /** The manifest id, or the folder name when the manifest is unreadable. */
  id: string;
  dir: string;
  packageJsonPath: string;
  source: PluginSource;
  version: string;
  displayName: string;
  /** Present when the package.json is valid. */
  manifest: PluginManifest | null;
  /** Why the plugin cannot be loaded (bad manifest, wrong engine, duplicate id), or null. */
  problem: string | null;
}

export interface PluginRoots {
  /** Folder whose subfolders are the built-in plugins. */
  builtinDir: string | null;
  /** Plugin folders given one by one (development and tests). */
  developmentPlugins: readonly string[];
  /** Folder whose subfolders are the plugins installed by the user. */
  installedDir: string;
}

/**
 * Finds plugins in order: built-in, development, installed. A folder whose package.json is
 * missing, unreadable or invalid is still reported, with the problem, so the user sees it.
 */
export async function discoverPlugins(roots: PluginRoots): Promise<DiscoveredPlugin[]> {
  const found: DiscoveredPlugin[] = [];
  if (roots.builtinDir !== null) {
    for (const dir of await pluginFolders(roots.builtinDir)) found.push(await readPlugin(dir, 'builtin'));
  }
  for (const dir of roots.developmentPlugins) found.push(await readPlugin(resolve(dir), 'development'));
  for (const dir of await pluginFolders(roots.installedDir)) found.push(await readPlugin(dir, 'installed'));

  const firstById = new Map<string, DiscoveredPlugin>();
  for (const plugin of found) {
    const first = firstById.get(plugin.id);
    if (first === undefined) {
      firstById.set(plugin.id, plugin);
    } else if (plugin.problem === null) {
      plugin.problem = `another plugin with id '${plugin.id}' is already loaded from ${first.dir}`;
    }
  }
  return found;
}

/** Reads and validates one plugin folder. */
export async function readPlugin(dir: string, source: PluginSource): Promise<DiscoveredPlugin> {
  const packageJsonPath = join(dir, 'package.json');
  const base: DiscoveredPlugin = {
    id: basename(dir),
    dir,
    packageJsonPath,
    source,
    version: '0.0.0',
    displayName: basename(dir),
    manifest: null,
    problem: null,
  };
  let raw: string;
  try {
    raw = await readFile(packageJsonPath, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return { ...base, problem: `${packageJsonPath}: ${missing ? 'not found; a plugin is a folder with a package.json' : errorMessage(error)}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    return { ...base, problem: `${packageJsonPath}: not valid JSON (${errorMessage(error)})` };
  }
  const named = readNames(parsed, base);
  const problems = manifestProblems(parsed);
  if (problems.length > 0) {
    return { ...named, problem: `${packageJsonPath}: ${problems.join('; ')}` };
  }
  const manifest = (parsed as { cairn: PluginManifest }).cairn;
  const engine = engineProblem(manifest.engine);
  return {
    ...named,
    manifest,
    problem: engine === null ? null : `${packageJsonPath}: cairn.engine ${engine}`,
  };
}

/** Keeps what is readable of an invalid package.json, so listings still show a useful id. */
function readNames(parsed: unknown, base: DiscoveredPlugin): DiscoveredPlugin {
  const pkg = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const cairn = (typeof pkg.cairn === 'object' && pkg.cairn !== null ? pkg.cairn : {}) as Record<string, unknown>;
  const id = typeof cairn.id === 'string' && cairn.id.length > 0 ? cairn.id : base.id;
  return {
    ...base,
    id,
    version: typeof pkg.version === 'string' ? pkg.version : base.version,
    displayName: typeof cairn.displayName === 'string' && cairn.displayName ? cairn.displayName : id,
  };
}

async function pluginFolders(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    // Dot folders are the installer's scratch space; node_modules holds the SDK link.
    .filter((entry) => (entry.isDirectory() || entry.isSymbolicLink()) && !entry.name.startsWith('.') && entry.name !== 'node_modules')
    .map((entry) => join(root, entry.name))
    .sort();
}
