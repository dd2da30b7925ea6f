import { randomBytes } from 'node:crypto';
import { cp, mkdir, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { CairnError, ErrorCodes } from '@cairn/sdk';
import { ioError } from '../fs-util.js';
import type { DiscoveredPlugin } from './plugin-scanner.js';

export interface InstallHooks {
  /** Reads and validates the plugin package at `dir`. */
  validate(dir: string): Promise<DiscoveredPlugin>;
  /** Why `id` cannot be installed (it belongs to a built-in plugin, say), or null. */
  conflict(id: string): string | null;
  /** Called before an earlier install of `id` is replaced, to deactivate it. */
  beforeReplace(id: string): Promise<void>;
}

/**
 * Copies the plugin folder `source` to `<installedDir>/<id>`. The copy is staged in a dot
 * folder beside it and moved in place with renames, so an interrupted install leaves either
 * the old plugin or the new one, never half of one.
 */
export async function installPluginFolder(
  source: string,
  installedDir: string,
  hooks: InstallHooks,
): Promise<DiscoveredPlugin> {
  const from = resolve(source);
  let info;
  try {
    info = await stat(from);
  } catch {
    throw new CairnError(ErrorCodes.NOT_FOUND, `There is no plugin folder at ${from}.`);
  }
  if (!info.isDirectory()) {
    throw new CairnError(
      ErrorCodes.INVALID_PLUGIN,
      `${from} is a file; give the plugin's folder (the one holding its package.json).`,
    );
  }
  const candidate = await hooks.validate(from);
  if (candidate.problem !== null) throw new CairnError(ErrorCodes.INVALID_PLUGIN, candidate.problem);
  const conflict = hooks.conflict(candidate.id);
  if (conflict !== null) throw new CairnError(ErrorCodes.INVALID_PLUGIN, `Cannot install ${from}: ${conflict}.`);

  const target = join(installedDir, candidate.id);
  if (from === target || from.startsWith(`${target}${sep}`)) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `${from} is already the installed copy of plugin '${candidate.id}'.`);
  }
  const nonce = randomBytes(4).toString('hex');
  const staging = join(installedDir, `.install-${candidate.id}-${nonce}`);
  const previous = join(installedDir, `.previous-${candidate.id}-${nonce}`);
  try {
    await mkdir(installedDir, { recursive: true });
    await cp(from, staging, {
      recursive: true,
      verbatimSymlinks: true,
      // The plugin must use the host's SDK, not a copy of its own (see ensureSdkLink).
      filter: (path) => {
        const inside = relative(from, path).split(sep);
        return inside[0] !== '.git' && !(inside.includes('node_modules') && inside.slice(-2).join('/') === '@cairn/sdk');
      },
    });
    await hooks.beforeReplace(candidate.id);
    const hadPrevious = await exists(target);
    if (hadPrevious) await rename(target, previous);
    try {
      await rename(staging, target);
    } catch (error) {
      if (hadPrevious) await rename(previous, target);
      throw error;
    }
    await rm(previous, { recursive: true, force: true });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (error instanceof CairnError) throw error;
    throw ioError(`Could not install plugin '${candidate.id}' into ${installedDir}`, error);
  }
  await ensureSdkLink(installedDir);
  return candidate;
}

/**
 * Installed plugins live outside the application, where `import '@cairn/sdk'` would find
 * nothing. A link `<installedDir>/node_modules/@cairn/sdk` to the host's own SDK package makes
 * Node's resolution find it, so every plugin shares the host's copy.
 */
export async function ensureSdkLink(installedDir: string): Promise<void> {
  const sdkDir = dirname(createRequire(import.meta.url).resolve('@cairn/sdk/package.json'));
  const link = join(installedDir, 'node_modules', '@cairn', 'sdk');
  try {
    if (resolve(dirname(link), await readlink(link)) === sdkDir) return;
  } catch {
    // Missing or not a link: (re)create it below.
  }
  try {
    await mkdir(dirname(link), { recursive: true });
    await rm(link, { recursive: true, force: true });
    // A junction needs no special rights on Windows; elsewhere the type is ignored.
    await symlink(sdkDir, link, 'junction');
  } catch (error) {
    throw ioError(`Could not link the SDK for installed plugins at ${link}`, error);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
