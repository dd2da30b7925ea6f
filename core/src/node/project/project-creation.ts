import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CairnError, deviceNameOr, ErrorCodes, type DeviceType } from '@cairn/sdk';
import { newProjectKey, parseProjectKey } from './keys.js';
import { alreadyHoldsProject, readProjectFile, type ProjectFile } from './project-files.js';

/**
 * What a data dir's project starts from: a new project's key or the key of the one joined, and
 * this device's name and type, checked before anything is written.
 */

export interface CreateProjectOptions {
  /** A new project with this name, or … */
  name?: string;
  /** … join the project with this key (hex). */
  join?: string;
  deviceName?: string;
  deviceType?: DeviceType;
}

/** The project.json of a new project (or of one joined), once the options and the data dir allow it. */
export async function newProjectFile(dataDir: string, options: CreateProjectOptions): Promise<{ file: ProjectFile; projectKey: Buffer }> {
  if ((await readProjectFile(dataDir)) !== null) {
    throw alreadyHoldsProject(dataDir);
  }
  if ((options.name === undefined) === (options.join === undefined)) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, 'Give either a name for a new project (--name) or the key of one to join (--join).');
  }
  if (options.name !== undefined && options.name.trim() === '') {
    throw new CairnError(ErrorCodes.INVALID_INPUT, 'The project name must not be empty.');
  }
  const projectKey = options.join !== undefined ? parseProjectKey(options.join) : newProjectKey();
  const deviceName = deviceNameOr(options.deviceName);
  const file: ProjectFile = {
    version: 1,
    projectKey: projectKey.toString('hex'),
    deviceName,
    deviceType: options.deviceType ?? 'desktop',
    createdAt: new Date().toISOString(),
  };
  return { file, projectKey };
}

/**
 * Removes what an init interrupted before it wrote project.json left in the data dir: a store
 * nobody was told exists, which the new project's would otherwise meet.
 */
export async function removeUnclaimedStore(dataDir: string): Promise<void> {
  for (const leftover of ['corestore', 'index.db', 'index.db-wal', 'index.db-shm', 'devices.json']) {
    await rm(join(dataDir, leftover), { recursive: true, force: true });
  }
}
