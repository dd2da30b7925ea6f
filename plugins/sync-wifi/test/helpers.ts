import { createSocket } from 'node:dgram';
import { runCairn, runCairnJson, startCairn as startCairnProcess, type CairnProcess, type CairnProcessResult } from '@cairn/core/testing';
import { TempDirs } from '@cairn/sdk/testing';

/** Loopback only: these tests never send a packet to a real network. */
export const loopbackEnv = { CAIRN_WIFI_HOST: '127.0.0.1' };

export { TempDirs };

/** Starts `cairn` as a process (the way users run it), on loopback. */
export function startCairn(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CairnProcess> {
  return startCairnProcess(['--data-dir', dataDir, ...args], { env: { ...loopbackEnv, ...env } });
}

export function cairn(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CairnProcessResult> {
  return runCairn(['--data-dir', dataDir, ...args], { env: { ...loopbackEnv, ...env } });
}

/** Runs a `cairn … --json` command that must succeed, and parses its output. */
export function cairnJson<T = Record<string, unknown>>(dataDir: string, ...args: string[]): Promise<T> {
  return runCairnJson<T>(['--data-dir', dataDir, ...args], { env: loopbackEnv });
}

/** A new project in `dataDir` (or joined by key); resolves with its key. */
export async function device(dataDir: string, name: string, join?: string): Promise<string> {
  const info = join
    ? await cairnJson<{ projectKey: string }>(dataDir, 'init', '--join', join, '--device-name', name)
    : await cairnJson<{ projectKey: string }>(dataDir, 'init', '--name', 'Wi-Fi survey', '--device-name', name);
  return info.projectKey;
}

/** What a device holds, comparable across devices. */
export async function observations(dataDir: string): Promise<Array<Record<string, unknown>>> {
  const listed = await cairnJson<Array<Record<string, unknown>>>(dataDir, 'obs', 'list', '--limit', '1000000');
  return listed
    .map(({ id, version, lat, lon, notes, tags, attachments, forks }) => ({ id, version, lat, lon, notes, tags, attachments, forks }))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

/** A free UDP port on loopback, for a device to listen on so another can be told its address. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
