// A CoMapeo phone for the tests: the real @comapeo/core, as CoMapeo Mobile runs it, in a process of
// its own, driven by phone.ts over IPC. Loopback only. Given `2` for its core, it runs
// @comapeo/core 2.0.0 (installed as `comapeo-core-2`), close to what CoMapeo Mobile 1.0 shipped.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { Bonjour } from 'bonjour-service';
import Fastify from 'fastify';
import type { MapeoManager as Manager } from '@comapeo/core';

const [storageDir = '', name = 'Phone', discoveryMode = 'address', coreVersion = '7'] = process.argv.slice(2);
const corePackage = coreVersion === '2' ? 'comapeo-core-2' : '@comapeo/core';
// Both versions are driven through 7.1.0's types: what the tests call is in both.
const { MapeoManager, roles } = (await import(corePackage)) as typeof import('@comapeo/core');
const coreRoot = resolve(dirname(fileURLToPath(import.meta.resolve(corePackage))), '..');
await mkdir(join(storageDir, 'db'), { recursive: true });
/** The phone's identity, kept with its data: started again on the same folder, it is the same phone. */
async function rootKey(): Promise<Buffer> {
  const path = join(storageDir, 'root-key');
  try {
    return await readFile(path);
  } catch {
    const made = randomBytes(16);
    await writeFile(path, made);
    return made;
  }
}
await mkdir(join(storageDir, 'cores'), { recursive: true });
const fastify = Fastify();
const manager = new MapeoManager({
  rootKey: await rootKey(),
  dbFolder: join(storageDir, 'db'),
  coreStorage: join(storageDir, 'cores'),
  fastify,
  clientMigrationsFolder: join(coreRoot, 'drizzle', 'client'),
  projectMigrationsFolder: join(coreRoot, 'drizzle', 'project'),
});
await fastify.listen({ host: '127.0.0.1', port: 0 });
await manager.setDeviceInfo({ name, deviceType: 'mobile' });
const discovery = await manager.startLocalPeerDiscoveryServer();

// On a LAN, as CoMapeo Mobile does with its own DNS-SD library: announce the discovery server as
// `_comapeo._tcp` under its name, and dial every other device that announces itself so. A
// different DNS-SD implementation from Cairn's, so that a test proves they understand each other.
let bonjour: Bonjour | null = null;
let browser: { stop(): void } | null = null;
if (discoveryMode === 'mdns') {
  // The LAN interface named, as a phone's Wi-Fi is: a namespace host has no route for multicast.
  const lanAddress = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)?.address;
  // Its options go on to multicast-dns, whose `interface` its types leave out.
  bonjour = new Bonjour({ interface: lanAddress } as unknown as ConstructorParameters<typeof Bonjour>[0], (error: Error) => process.stderr.write(`phone mDNS: ${error.message}\n`));
  bonjour.publish({ name: discovery.name, type: 'comapeo', protocol: 'tcp', port: discovery.port });
  browser = bonjour.find({ type: 'comapeo', protocol: 'tcp' }, (service) => {
    const address = service.addresses?.find((candidate) => isIPv4(candidate)) ?? service.referer?.address;
    if (service.name === discovery.name || address === undefined) return;
    manager.connectLocalPeer({ address, port: service.port, name: service.name });
  });
}

type Peer = { deviceId: string; name?: string; status: string };
const firstPeer = (): Promise<Peer> =>
  new Promise((found) => {
    const check = (peers: Peer[]) => {
      const peer = peers.find((candidate) => candidate.status === 'connected' && candidate.name !== undefined);
      if (peer === undefined) return;
      manager.off('local-peers', check as never);
      found(peer);
    };
    manager.on('local-peers', check as never);
    void manager.listLocalPeers().then((peers) => check(peers as Peer[]));
  });

type Doc = { versionId: string; forks: string[]; [field: string]: unknown };
type Docs = {
  create(value: unknown): Promise<Doc>;
  update(heads: string[], value: unknown): Promise<Doc>;
  delete(docId: string): Promise<Doc>;
  getByDocId(docId: string): Promise<Doc>;
  getMany(options: { includeDeleted: boolean }): Promise<Doc[]>;
};
const docs = (project: Awaited<ReturnType<Manager['getProject']>>, kind: string): Docs => project[kind as 'observation'] as unknown as Docs;
const common = new Set(['docId', 'versionId', 'originalVersionId', 'createdAt', 'updatedAt', 'links', 'deleted', 'forks', 'createdBy', 'updatedBy']);

const commands: Record<string, (args: Record<string, unknown>) => Promise<unknown>> = {
  info: async () => ({ deviceId: manager.deviceId, name, port: discovery.port }),
  createProject: async ({ projectName }) => manager.createProject({ name: String(projectName) }),
  /** Invites the first device that comes in reach. */
  inviteFirstPeer: async ({ projectId, role }) => {
    const peer = await firstPeer();
    const project = await manager.getProject(String(projectId));
    const roleId = role === 'coordinator' ? roles.COORDINATOR_ROLE_ID : roles.MEMBER_ROLE_ID;
    return { deviceId: peer.deviceId, decision: await project.$member.invite(peer.deviceId, { roleId }) };
  },
  /** Invites the device in reach of that name. */
  inviteNamed: async ({ projectId, name: wanted }) => {
    for (;;) {
      const peer = ((await manager.listLocalPeers()) as Peer[]).find((candidate) => candidate.status === 'connected' && candidate.name === wanted);
      if (peer !== undefined) return (await manager.getProject(String(projectId))).$member.invite(peer.deviceId, { roleId: roles.MEMBER_ROLE_ID });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  },
  /** Accepts the next invite that comes. */
  acceptNextInvite: async () => {
    const invite = await new Promise<{ inviteId: string; invitorName: string }>((received) => manager.invite.once('invite-received', received as never));
    return { projectId: await manager.invite.accept({ inviteId: invite.inviteId }), invitedBy: invite.invitorName };
  },
  /** Dials a device, as a phone does when it finds one on the network. */
  connect: async ({ port, peerName }) => {
    manager.connectLocalPeer({ address: '127.0.0.1', port: Number(port), name: String(peerName ?? `127.0.0.1:${port}`) });
    return null;
  },
  /** Stops dialling the devices it hears of (it still announces itself): others must find it. */
  stopBrowsing: async () => {
    browser?.stop();
    return null;
  },
  /** Opens the sync screen: data (not only membership) flows with every member in reach. */
  startSync: async ({ projectId }) => {
    (await manager.getProject(String(projectId))).$sync.start();
    return null;
  },
  create: async ({ projectId, kind, value }) => {
    const project = await manager.getProject(String(projectId));
    return docs(project, String(kind)).create({ ...(value as object), schemaName: kind });
  },
  /** A photo (its three variants) or an audio recording, as the camera or recorder screen stores them. */
  createBlob: async ({ projectId, files, mimeType }) => {
    const project = await manager.getProject(String(projectId));
    const created = await project.$blobs.create(files as { original: string }, { mimeType: String(mimeType) });
    return { driveDiscoveryId: created.driveId, name: created.name, type: created.type, hash: created.hash, external: false };
  },
  /** Many documents, one after another, as a team's phones write them over weeks. */
  createMany: async ({ projectId, kind, values }) => {
    const api = docs(await manager.getProject(String(projectId)), String(kind));
    for (const value of values as object[]) await api.create({ ...value, schemaName: kind });
    return (values as object[]).length;
  },
  /**
   * Waits until it holds `count` live documents of a kind and has nothing left to fetch from, or
   * to send to, any peer: a sync is done.
   */
  waitSynced: async ({ projectId, kind, count }) => {
    const project = await manager.getProject(String(projectId));
    for (;;) {
      const state = project.$sync.getState() as unknown as { remoteDeviceSyncState: Record<string, Record<'initial' | 'data', { want: number; wanted: number; isSyncEnabled: boolean }>> };
      const peers = Object.values(state.remoteDeviceSyncState);
      const quiet = peers.length > 0 && peers.every((peer) => peer.data.isSyncEnabled && peer.data.want + peer.data.wanted + peer.initial.want + peer.initial.wanted === 0);
      if (quiet && (await docs(project, String(kind)).getMany({ includeDeleted: false })).length >= Number(count)) return null;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  },
  count: async ({ projectId, kind }) => (await docs(await manager.getProject(String(projectId)), String(kind)).getMany({ includeDeleted: false })).length,
  /** An SVG icon for a category, as the app stores one. */
  createIcon: async ({ projectId, name, svg }) => {
    const project = await manager.getProject(String(projectId));
    const icon = await project.$icons.create({ name: String(name), variants: [{ mimeType: 'image/svg+xml', size: 'medium', blob: Buffer.from(String(svg)) }] });
    return { docId: icon.docId, versionId: icon.versionId };
  },
  /** A category icon's SVG markup, as the app would draw it. */
  iconSvg: async ({ projectId, docId }) => {
    const project = await manager.getProject(String(projectId));
    return (await fetch(await project.$icons.getIconUrl(String(docId), { mimeType: 'image/svg+xml', size: 'medium' }))).text();
  },
  /** Edits the current version (and any fork) with the fields given; the rest stays. */
  update: async ({ projectId, kind, docId, patch }) => {
    const project = await manager.getProject(String(projectId));
    const api = docs(project, String(kind));
    const current = await api.getByDocId(String(docId));
    const value: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(current)) if (!common.has(key)) value[key] = field;
    return api.update([current.versionId, ...current.forks], { ...value, ...(patch as object), schemaName: kind });
  },
  delete: async ({ projectId, kind, docId }) => docs(await manager.getProject(String(projectId)), String(kind)).delete(String(docId)),
  list: async ({ projectId, kind }) => docs(await manager.getProject(String(projectId)), String(kind)).getMany({ includeDeleted: true }),
  /** The SHA-256 of an attachment's variant on this phone, or null when it is not here. */
  blobHash: async ({ projectId, ref, variant }) => {
    const project = await manager.getProject(String(projectId));
    const { driveDiscoveryId, type, name } = ref as { driveDiscoveryId: string; type: string; name: string };
    const response = await fetch(await project.$blobs.getUrl({ driveId: driveDiscoveryId, type, variant, name } as never));
    if (!response.ok) return null;
    return createHash('sha256').update(Buffer.from(await response.arrayBuffer())).digest('hex');
  },
  /** Removes a member for good: CoMapeo's blocked role. */
  remove: async ({ projectId, deviceId }) => {
    await (await manager.getProject(String(projectId))).$member.remove(String(deviceId), { reason: 'lost phone' });
    return null;
  },
  members: async ({ projectId }) =>
    (await (await manager.getProject(String(projectId))).$member.getMany()).map((member) => ({ deviceId: member.deviceId, name: member.name, roleName: member.role.name })),
};

process.on('message', (message: { id: number; command: string; args: Record<string, unknown> }) => {
  if (message.command === 'close') {
    bonjour?.destroy();
    void manager
      .stopLocalPeerDiscoveryServer({ force: true })
      // 2.0.0 has no manager.close(): its projects are closed one by one.
      .then(async () => ((manager as Partial<Manager>).close ? manager.close() : Promise.all((await manager.listProjects()).map(async ({ projectId }) => (await manager.getProject(projectId)).close()))))
      .then(() => fastify.close())
      // The manager leaves timers running after an invite (up to 45 s): exit rather than wait.
      .finally(() => process.exit(0));
    return;
  }
  commands[message.command]!(message.args).then(
    (result) => process.send!({ id: message.id, result }),
    (error: unknown) => process.send!({ id: message.id, error: String((error as Error)?.message ?? error) }),
  );
});
process.send!({ ready: true });
process.on('disconnect', () => process.exit(0));
