// The CoMapeo process: the real `@comapeo/core` manager, in a process of its own so that its many
// packages, its own stores and its timers neither slow the host's start nor take the host down.
// The plugin (comapeo-process.ts) starts it with `fork`, says `start`, then calls methods; on
// `close`, or when the host goes away, it closes the manager and exits.
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorReport, lanHost } from '@cairn/sdk';
import type { MapeoManager } from '@comapeo/core';
import type { FastifyInstance } from 'fastify';
import type { FromManager, ManagerMethod, ManagerMethods, ToManager } from '../../common/protocol.js';
import { announce, type Announcer } from './mdns.js';
import { acceptInvite, coded, invite, pendingInvites, rejectInvite, roleOf } from './membership.js';
import { createBlob, readBlobs, readDocs, writeDocs } from './project-data.js';
import { syncWith } from './project-sync.js';

let manager: MapeoManager | null = null;
let fastify: FastifyInstance | null = null;
let closing: Promise<void> | null = null;
let discovery: Promise<{ name: string; port: number; host: string }> | null = null;
let announcer: Announcer | null = null;

const send = (message: FromManager): void => {
  process.send?.(message);
};

async function start(rootKey: Buffer, storageDir: string, deviceName: string): Promise<string> {
  const [{ MapeoManager }, { default: Fastify }] = await Promise.all([import('@comapeo/core'), import('fastify')]);
  // The package's exports hide its folder; the migrations the manager needs sit beside src/.
  const coreRoot = resolve(dirname(fileURLToPath(import.meta.resolve('@comapeo/core'))), '..');
  const dbFolder = join(storageDir, 'db');
  const coreStorage = join(storageDir, 'cores');
  await mkdir(dbFolder, { recursive: true });
  await mkdir(coreStorage, { recursive: true });
  const server = Fastify();
  fastify = server;
  manager = new MapeoManager({
    rootKey,
    dbFolder,
    coreStorage,
    fastify: server,
    clientMigrationsFolder: join(coreRoot, 'drizzle', 'client'),
    projectMigrationsFolder: join(coreRoot, 'drizzle', 'project'),
  });
  // Attachments are read back over HTTP from this server: on loopback only.
  await server.listen({ host: '127.0.0.1', port: 0 });
  // Cairn keeps every original: an archive device (CoMapeo's default, said here on purpose).
  manager.setIsArchiveDevice(true);
  await manager.setDeviceInfo({ name: deviceName, deviceType: 'desktop' });
  // The workbench shows the devices in reach and the invites as they come and go.
  const changed = () => send({ type: 'reach' });
  manager.on('local-peers', (peers: Array<{ status: string }>) => {
    // A device gone may come back (at the same address): it is dialled again then.
    if (peers.some((peer) => peer.status === 'disconnected')) dialled.clear();
    changed();
  });
  manager.invite.on('invite-received', changed);
  manager.invite.on('invite-updated', changed);
  return manager.deviceId;
}

/**
 * A device heard of by mDNS is dialled once while it stays connected: announcements repeat, and a
 * second connection to a device it is syncing with makes CoMapeo choose between the two, which
 * can cut the sync short. An address the user gives is dialled each time it is given.
 */
const dialled = new Set<string>();
function dial(device: { address: string; port: number; name: string }, asked = false): void {
  const key = `${device.address}:${device.port}`;
  if (dialled.has(key) && !asked) return;
  dialled.add(key);
  theManager().connectLocalPeer(device);
}

function theManager(): MapeoManager {
  if (manager === null) throw coded('ERR_INTERNAL', 'The CoMapeo process was asked to work before it started.');
  return manager;
}

const methods: { [M in ManagerMethod]: (params: ManagerMethods[M]['params']) => Promise<ManagerMethods[M]['result']> } = {
  async status({ projectId }) {
    const comapeo = theManager();
    const device = await comapeo.getDeviceInfo();
    const known = projectId === null ? [] : (await comapeo.listProjects()).filter((listed) => listed.projectId === projectId);
    if (projectId === null || known.length === 0) return { deviceId: comapeo.deviceId, deviceName: device.name ?? null, project: null };
    const project = await comapeo.getProject(projectId);
    const [settings, own, members] = await Promise.all([project.$getProjectSettings(), project.$getOwnRole(), project.$member.getMany()]);
    return {
      deviceId: comapeo.deviceId,
      deviceName: device.name ?? null,
      project: {
        projectName: settings.name ?? null,
        projectId,
        role: roleOf(own.roleId),
        members: members.map((member) => ({
          deviceId: member.deviceId,
          name: member.name ?? null,
          role: roleOf(member.role.roleId),
          deviceType: member.deviceType ?? null,
        })),
      },
    };
  },

  async createProject({ name }) {
    const projectId = await theManager().createProject({ name });
    return { projectId };
  },

  listen({ host }) {
    const comapeo = theManager();
    discovery ??= (async () => {
      const server = await comapeo.startLocalPeerDiscoveryServer();
      const announced = lanHost(host);
      announcer = announce({
        host: announced,
        ...server,
        onFound: (device) => dial(device),
        // Dialling by address (--connect) still works without multicast.
        onError: (error) => process.stderr.write(`CoMapeo local discovery (mDNS) failed: ${error.message}\n`),
      });
      return { ...server, host: announced };
    })();
    return discovery;
  },

  async connect({ address, port }) {
    // A device reached by address has no discovery name of its own here: its address stands in.
    dial({ address, port, name: `${address}:${port}` }, true);
    return null;
  },

  acceptInvite: ({ timeoutMs, inviteId }) => acceptInvite(theManager(), timeoutMs, inviteId),

  rejectInvite: async ({ inviteId }) => rejectInvite(theManager(), inviteId),

  async reach() {
    const comapeo = theManager();
    const peers = (await comapeo.listLocalPeers()) as Array<{ deviceId: string; name?: string; deviceType?: string; status: string }>;
    return {
      devices: peers.map((peer) => ({ deviceId: peer.deviceId, deviceName: peer.name ?? null, deviceType: peer.deviceType ?? null, connected: peer.status === 'connected' })),
      invites: pendingInvites(comapeo),
    };
  },

  invite: (params) => invite(theManager(), params),

  async sync({ projectId, waitPeers, timeoutMs, deviceId = null }) {
    const project = await theManager().getProject(projectId);
    // CoMapeo's index catches up with its cores after a restart before it answers a read: begun
    // now, that work overlaps the sync's wait instead of following it.
    const observations = project.observation as unknown as { getByDocId(docId: string, options: { mustBeFound: boolean }): Promise<unknown> };
    void observations.getByDocId('0', { mustBeFound: false }).catch(() => undefined);
    return syncWith(theManager(), project, { waitPeers, timeoutMs, deviceId });
  },

  readDocs: async ({ projectId }) => readDocs(await theManager().getProject(projectId)),

  writeDocs: async ({ projectId, writes }) => writeDocs(await theManager().getProject(projectId), writes),

  createBlob: async ({ projectId, files, mimeType }) => createBlob(await theManager().getProject(projectId), files, mimeType),

  readBlobs: async ({ projectId, blobs }) => readBlobs(await theManager().getProject(projectId), blobs),
};

async function close(code: number): Promise<void> {
  closing ??= (async () => {
    try {
      await announcer?.close();
      if (discovery !== null) await manager?.stopLocalPeerDiscoveryServer({ force: true });
      await manager?.close();
      await fastify?.close();
    } finally {
      send({ type: 'closed' });
      // The manager leaves timers running after some calls (waitForSync's, up to 45 s): exit
      // rather than wait for them.
      process.exit(code);
    }
  })();
  return closing;
}

process.on('message', (message: ToManager) => {
  switch (message.type) {
    case 'start':
      start(Buffer.from(message.rootKey, 'hex'), message.storageDir, message.deviceName).then(
        (deviceId) => send({ type: 'ready', deviceId }),
        (error: unknown) => send({ type: 'failed', error: errorReport(error) }),
      );
      return;
    case 'call': {
      const method = methods[message.method] as (params: unknown) => Promise<unknown>;
      method(message.params).then(
        (result) => send({ type: 'reply', id: message.id, result }),
        (error: unknown) => send({ type: 'reply', id: message.id, error: errorReport(error) }),
      );
      return;
    }
    case 'close':
      void close(0);
      return;
  }
});
// The host went away without saying so (it was killed): close what is open, then go too.
process.on('disconnect', () => void close(0));
