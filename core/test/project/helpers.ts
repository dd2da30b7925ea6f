import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { duplexPair, type Logger, type SyncSummary } from '@cairn/sdk';
import { Project } from '@cairn/core/node/project/project.js';
import type { ReplicationOptions } from '@cairn/core/node/project/replication.js';

export const quietLog: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Projects in temp dirs, closed and removed by `cleanup()`. */
export class Devices {
  private readonly open: Project[] = [];
  private readonly dirs: string[] = [];

  async dir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-device-'));
    this.dirs.push(dir);
    return dir;
  }

  /** A new project, and `count - 1` devices that joined it. */
  async project(count: number, name = 'Test project'): Promise<Project[]> {
    const first = await this.track(Project.create(await this.dir(), { name, deviceName: 'device-0' }, quietLog));
    const devices = [first];
    for (let index = 1; index < count; index += 1) {
      devices.push(await this.join(first.info().projectKey, `device-${index}`));
    }
    return devices;
  }

  async join(projectKey: string, deviceName: string, dataDir?: string): Promise<Project> {
    return this.track(Project.create(dataDir ?? (await this.dir()), { join: projectKey, deviceName }, quietLog));
  }

  async reopen(project: Project, dataDir: string): Promise<Project> {
    await this.close(project);
    const reopened = await Project.open(dataDir, quietLog);
    if (reopened === null) throw new Error(`no project in ${dataDir}`);
    return this.track(Promise.resolve(reopened));
  }

  async close(project: Project): Promise<void> {
    const index = this.open.indexOf(project);
    if (index >= 0) this.open.splice(index, 1);
    await project.close();
  }

  async track(opening: Promise<Project>): Promise<Project> {
    const project = await opening;
    this.open.push(project);
    return project;
  }

  async cleanup(): Promise<void> {
    for (const project of this.open.splice(0)) await project.close();
    await Promise.all(this.dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

export type Transport = 'pipe' | 'tcp';

/** Syncs two devices over an in-process pipe or loopback TCP; resolves with both summaries. */
export async function sync(
  a: Project,
  b: Project,
  transport: Transport = 'pipe',
  options: Partial<ReplicationOptions> = {},
): Promise<[SyncSummary, SyncSummary]> {
  const [left, right, close] = await connect(transport);
  try {
    const first = a.replicate(left, { ...options, initiator: true });
    const second = b.replicate(right, { ...options, initiator: false });
    return await Promise.all([first.done, second.done]);
  } finally {
    close();
  }
}

/** A connected pair of streams and a function that closes everything. */
export async function connect(transport: Transport): Promise<[Duplex, Duplex, () => void]> {
  if (transport === 'pipe') {
    const [left, right] = duplexPair();
    return [left, right, () => (left.destroy(), right.destroy())];
  }
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const socket = await accepted;
  return [client, socket, () => (client.destroy(), socket.destroy(), server.close())];
}

/** Every live observation of a device, comparable across devices. */
export function state(project: Project): Array<Record<string, unknown>> {
  return project
    .queryObservations()
    .map(({ id, version, lat, lon, category, notes, tags, forks, attachments }) => ({
      id, version, lat, lon, category, notes, tags, forks, attachments,
    }))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

export async function sha256Of(stream: AsyncIterable<unknown>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The error a promise (or function) rejects with; fails the test when it does not. */
export async function rejection(work: Promise<unknown> | (() => unknown)): Promise<{ code: string; message: string }> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected an error');
}
