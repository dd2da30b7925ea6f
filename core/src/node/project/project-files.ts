import { join } from 'node:path';
import { CairnError, ErrorCodes, type DeviceType } from '@cairn/sdk';
import { readJsonFile, writeFileAtomic } from '../fs-util.js';

/** `<dataDir>/project.json`: which project this data dir holds, and this device's name. */
export interface ProjectFile {
  version: 1;
  /** Hex. */
  projectKey: string;
  deviceName: string;
  deviceType: DeviceType;
  createdAt: string;
}

/** A device of the project whose cores this device knows (itself included). */
export interface DeviceRecord {
  /** Hex key of the device's document log, which is also its id. */
  deviceId: string;
  /** Hex key of the device's Hyperdrive of attachments. */
  driveKey: string;
}

/** `<dataDir>/devices.json`: the devices learned through sync, so that they are synced onwards. */
interface DevicesFile {
  version: 1;
  devices: DeviceRecord[];
}

const projectFilePath = (dataDir: string) => join(dataDir, 'project.json');
const devicesFilePath = (dataDir: string) => join(dataDir, 'devices.json');

export async function readProjectFile(dataDir: string): Promise<ProjectFile | null> {
  let parsed: unknown;
  try {
    parsed = await readJsonFile(projectFilePath(dataDir));
  } catch (error) {
    if (error instanceof SyntaxError) throw damaged(projectFilePath(dataDir), error.message);
    throw error;
  }
  if (parsed === undefined) return null;
  const file = parsed as Partial<ProjectFile>;
  if (typeof file.projectKey !== 'string' || !/^[0-9a-f]{64}$/.test(file.projectKey) || typeof file.deviceName !== 'string') {
    throw damaged(projectFilePath(dataDir), 'projectKey or deviceName is missing');
  }
  return { version: 1, deviceType: 'desktop', createdAt: new Date(0).toISOString(), ...file } as ProjectFile;
}

export async function writeProjectFile(dataDir: string, file: ProjectFile): Promise<void> {
  await writeFileAtomic(projectFilePath(dataDir), `${JSON.stringify(file, null, 2)}\n`);
}

export async function readDevicesFile(dataDir: string): Promise<DeviceRecord[]> {
  let parsed: unknown;
  try {
    parsed = await readJsonFile(devicesFilePath(dataDir));
  } catch (error) {
    if (error instanceof SyntaxError) throw damaged(devicesFilePath(dataDir), error.message);
    throw error;
  }
  const devices = (parsed as Partial<DevicesFile> | undefined)?.devices;
  if (!Array.isArray(devices)) return [];
  return devices.filter(
    (device): device is DeviceRecord =>
      typeof device?.deviceId === 'string' && /^[0-9a-f]{64}$/.test(device.deviceId) &&
      typeof device.driveKey === 'string' && /^[0-9a-f]{64}$/.test(device.driveKey),
  );
}

export async function writeDevicesFile(dataDir: string, devices: DeviceRecord[]): Promise<void> {
  const file: DevicesFile = { version: 1, devices };
  await writeFileAtomic(devicesFilePath(dataDir), `${JSON.stringify(file, null, 2)}\n`);
}

/** A data dir holds one project: what `init`, and joining by invite, say when it holds one already. */
export function alreadyHoldsProject(dataDir: string): CairnError {
  return new CairnError(
    ErrorCodes.INVALID_INPUT,
    `${dataDir} already holds a project (\`cairn project\` shows it). One data dir holds one project: use another --data-dir.`,
  );
}

function damaged(path: string, reason: string): CairnError {
  return new CairnError(
    ErrorCodes.IO,
    `${path} is damaged (${reason}). Restore it from a backup; Cairn does not overwrite it.`,
  );
}
