import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import NoiseSecretStream from '@hyperswarm/secret-stream';
import { expect } from 'chai';
import c from 'compact-encoding';
import Hypercore from 'hypercore';
import type Protomux from 'protomux';
import type { SyncProgress } from '@cairn/sdk';
import {
  SYNC_CHANNEL,
  SYNC_PROTOCOL_VERSION,
  type SyncErrorMessage,
  type SyncHandshake,
} from '@cairn/core/node/project/sync-protocol.js';
import { membershipProof } from '@cairn/core/node/project/keys.js';
import { readDevicesFile } from '@cairn/core/node/project/project-files.js';
import { connect, Devices, sha256Of, state, sync, type Transport, rejection } from './helpers.js';

describe('replication', function () {
  this.timeout(60_000);
  const devices = new Devices();
  afterEach(() => devices.cleanup());

  for (const transport of ['pipe', 'tcp'] as Transport[]) {
    it(`moves all data both ways between two devices (${transport === 'tcp' ? 'loopback TCP' : 'in-process pipe'})`, async () => {
      const [a, b] = await devices.project(2);
      const fromA = await a!.createObservations([
        { lat: 10, lon: 20, notes: 'from A', tags: { kind: 'tree' } },
        { lat: 11, lon: 21, category: 'animal' },
      ]);
      const fromB = await b!.createObservations([{ lat: -5, lon: -6, notes: 'from B' }]);
      const [summaryA, summaryB] = await sync(a!, b!, transport);

      expect(state(a!)).to.deep.equal(state(b!));
      expect(a!.countObservations()).to.equal(3);
      expect(b!.getObservation(fromA[0]!.id).notes).to.equal('from A');
      expect(a!.getObservation(fromB[0]!.id).notes).to.equal('from B');
      expect(summaryA.received.observations).to.equal(1);
      expect(summaryA.sent.observations).to.equal(2);
      expect(summaryB.received.observations).to.equal(2);
      expect(summaryB.sent.observations).to.equal(1);
      expect(summaryA.peer).to.deep.include({ deviceId: b!.store.deviceId, deviceName: 'device-1' });
      expect(b!.info().projectName).to.equal('Test project');
      expect(b!.devices().map((device) => device.name).sort()).to.deep.equal(['device-0', 'device-1']);
    });
  }

  it('is transitive: A↔B then B↔C gives C what A wrote', async () => {
    const [a, b, c3] = await devices.project(3);
    const [written] = await a!.createObservations([{ lat: 1, lon: 1, notes: 'only A had this' }]);
    await sync(a!, b!);
    await sync(b!, c3!, 'tcp');
    expect(c3!.getObservation(written!.id).notes).to.equal('only A had this');
    expect(state(c3!)).to.deep.equal(state(a!));
    // C now knows A's cores and passes them on.
    expect(c3!.devices().map((device) => device.deviceId)).to.include(a!.store.deviceId);
  });

  it('three devices syncing in pairs at once all end with the same data', async () => {
    // B hears of C from A and from C itself at the same moment: C's cores are opened once.
    const [a, b, c3] = await devices.project(3);
    for (const [project, notes] of [[a, 'A'], [b, 'B'], [c3, 'C']] as const) await project!.createObservations([{ lat: 1, lon: 1, notes }]);
    await Promise.all([sync(a!, b!, 'tcp'), sync(a!, c3!, 'tcp'), sync(b!, c3!, 'tcp')]);
    // What A and C exchanged may have reached B after its sessions ended: one more round settles it.
    await Promise.all([sync(a!, b!), sync(b!, c3!)]);
    expect(state(a!).map((observation) => observation.notes).sort()).to.deep.equal(['A', 'B', 'C']);
    expect(state(b!)).to.deep.equal(state(a!));
    expect(state(c3!)).to.deep.equal(state(a!));
  });

  it('opens a device learnt of by two sessions at once only once', async () => {
    const [a, , c3] = await devices.project(3);
    const record = c3!.store.allDevices()[0]!.record;
    const [first, second] = await Promise.all([a!.store.addDevice(record), a!.store.addDevice(record)]);
    expect(first).to.equal(second);
    expect(a!.store.allDevices().filter((device) => device.record.deviceId === record.deviceId)).to.have.length(1);
  });

  it('remembers every device learnt of at once, each session bringing its own (devices.json is not overwritten by an older list)', async () => {
    const others = await devices.project(5);
    const dataDir = await devices.dir();
    const learner = await devices.join(others[0]!.info().projectKey, 'learner', dataDir);
    const records = others.map((other) => other.store.allDevices()[0]!.record);
    await Promise.all(records.map((record) => learner.store.addDevice(record)));
    const remembered = (await readDevicesFile(dataDir)).map((record) => record.deviceId).sort();
    expect(remembered).to.deep.equal(records.map((record) => record.deviceId).sort());
  });

  it('completes on both sides when each side drops the connection the moment it is done', async () => {
    // A transport may close at once when its side resolves. A side resolves only once the other
    // said it is finished, so the other is never left halfway, waiting for a word cut off.
    const [a, b] = await devices.project(2);
    await a!.createObservations([{ lat: 1, lon: 1, notes: 'from A' }]);
    await b!.createObservations([{ lat: 2, lon: 2, notes: 'from B' }]);
    for (let round = 0; round < 5; round += 1) {
      const [left, right, close] = await connect('tcp');
      try {
        const first = a!.replicate(left, { initiator: true });
        const second = b!.replicate(right, { initiator: false });
        void first.done.then(() => left.destroy(), () => undefined);
        void second.done.then(() => right.destroy(), () => undefined);
        await Promise.all([first.done, second.done]);
      } finally {
        close();
      }
    }
    expect(state(a!)).to.deep.equal(state(b!));
  });

  it('propagates edits and deletions, and a stale device never brings a deleted one back', async () => {
    const [a, b] = await devices.project(2);
    const [kept, doomed] = await a!.createObservations([{ lat: 1, lon: 1 }, { lat: 2, lon: 2, notes: 'to delete' }]);
    await sync(a!, b!);

    await a!.updateObservation(kept!.id, { notes: 'edited on A', tags: { checked: true } });
    await a!.deleteDocument('observation', doomed!.id);
    // B has not heard of the deletion and edits its stale copy.
    await b!.updateObservation(doomed!.id, { notes: 'stale edit on B' });
    await sync(a!, b!);

    for (const device of [a!, b!]) {
      expect(device.getObservation(kept!.id)).to.deep.include({ notes: 'edited on A', tags: { checked: true } });
      expect(() => device.getObservation(doomed!.id)).to.throw().with.property('code', 'ERR_NOT_FOUND');
      expect(device.countObservations()).to.equal(1);
    }
  });

  it('forks on concurrent edits, picks the same winner everywhere, and an edit on all heads resolves it', async () => {
    const [a, b, c3] = await devices.project(3);
    const [original] = await a!.createObservations([{ lat: 1, lon: 1, notes: 'original' }]);
    await sync(a!, b!);
    await sync(b!, c3!);

    const onA = await a!.updateObservation(original!.id, { notes: 'A says' });
    const onB = await b!.updateObservation(original!.id, { notes: 'B says' });
    await sync(a!, b!);
    await sync(b!, c3!);

    const views = [a!, b!, c3!].map((device) => device.getObservation(original!.id));
    const expectedWinner = [onA, onB].sort((x, y) => (x.updatedAt === y.updatedAt ? (x.version > y.version ? -1 : 1) : x.updatedAt > y.updatedAt ? -1 : 1))[0]!;
    for (const view of views) {
      expect(view.version).to.equal(expectedWinner.version);
      expect(view.notes).to.equal(expectedWinner.notes);
      expect(view.forks).to.deep.equal([expectedWinner === onA ? onB.version : onA.version]);
    }

    // C keeps the loser's text: building on it replaces both heads.
    const loser = expectedWinner === onA ? onB : onA;
    expect((await c3!.getObservationVersion(loser.version)).notes).to.equal(loser.notes);
    const resolved = await c3!.updateObservation(original!.id, { tags: { resolved: true } }, { base: loser.version });
    expect(resolved).to.deep.include({ notes: loser.notes, forks: [] });
    await sync(c3!, b!);
    await sync(b!, a!);
    for (const device of [a!, b!, c3!]) {
      expect(device.getObservation(original!.id)).to.deep.include({ version: resolved.version, notes: loser.notes, forks: [] });
    }
    await expectRejection(c3!.updateObservation(original!.id, { notes: 'x' }, { base: loser.version }), 'ERR_INVALID_INPUT');
  });

  it('delivers photos byte for byte', async () => {
    const [a, b] = await devices.project(2);
    const dir = await devices.dir();
    const photo = join(dir, 'photo.jpg');
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let index = 0; index < bytes.length; index += 1) bytes[index] = (index * 7919) % 251;
    await writeFile(photo, bytes);
    const [observation] = await a!.createObservations([{ lat: 3, lon: 4, attachments: [{ path: photo }] }]);
    const [, summaryB] = await sync(a!, b!, 'tcp');
    expect(summaryB.received.attachments).to.equal(1);
    const original = await sha256Of(await a!.readAttachment(observation!.id, 'photo.jpg'));
    expect(await sha256Of(await b!.readAttachment(observation!.id, 'photo.jpg'))).to.equal(original);
    expect(b!.getObservation(observation!.id).attachments).to.deep.equal([
      { name: 'photo.jpg', hash: original, mimeType: 'image/jpeg', size: bytes.length },
    ]);
  });

  it('reports progress until nothing is wanted', async () => {
    const [a, b] = await devices.project(2);
    await a!.createObservations(Array.from({ length: 2000 }, (_, index) => ({ lat: 0, lon: 0, notes: `n${index}` })));
    const [left, right, close] = await connect('tcp');
    try {
      const seen: SyncProgress[] = [];
      const sender = a!.replicate(left, { initiator: true });
      const receiver = b!.replicate(right, { initiator: false });
      receiver.on('progress', (progress) => seen.push(progress));
      await Promise.all([sender.done, receiver.done]);
      expect(seen.length).to.be.greaterThan(0);
      const last = seen.at(-1)!;
      expect(last.documents.want).to.equal(0);
      expect(last.documents.have).to.be.at.least(2000);
      expect(last.bytes.received).to.be.greaterThan(100_000);
    } finally {
      close();
    }
  });

  it('refuses a peer of another project: a clear error on both sides, nothing exchanged', async () => {
    const [a] = await devices.project(1, 'Ours');
    const [other] = await devices.project(1, 'Theirs');
    await a!.createObservations([{ lat: 1, lon: 1, notes: 'secret' }]);
    const [left, right, close] = await connect('tcp');
    try {
      const ours = a!.replicate(left, { initiator: true });
      const theirs = other!.replicate(right, { initiator: false });
      const [errorOurs, errorTheirs] = await Promise.all([rejection(ours.done), rejection(theirs.done)]);
      expect(errorOurs.code).to.equal('ERR_PROJECT_MISMATCH');
      expect(errorOurs.message).to.contain('belongs to another project');
      expect(errorTheirs.code).to.equal('ERR_PROJECT_MISMATCH');
    } finally {
      close();
    }
    expect(other!.countObservations()).to.equal(0);
    expect(other!.devices()).to.have.length(1);
  });

  it('learns nothing from a peer that knows only the discovery key, and tells it no', async () => {
    const [a] = await devices.project(1);
    await a!.createObservations([{ lat: 1, lon: 1, notes: 'secret' }]);
    const [left, right, close] = await connect('tcp');
    try {
      const session = a!.replicate(left, { initiator: false });
      const rogue = await rogueHandshake(right, {
        discoveryKey: a!.store.keys.discoveryKey.toString('hex'),
        proof: Buffer.alloc(32, 1).toString('hex'),
      });
      const error = await rejection(session.done);
      expect(error.code).to.equal('ERR_PROJECT_MISMATCH');
      expect(error.message).to.contain('could not prove it knows the project key');
      expect(await rogue.error).to.deep.include({ code: 'ERR_PROJECT_MISMATCH' });
      expect(rogue.received).to.deep.equal(['error']);
    } finally {
      close();
    }
  });

  it('refuses a peer that knows the key but cannot prove the device id it gives', async () => {
    const [a, b] = await devices.project(2);
    const [left, right, close] = await connect('tcp');
    try {
      const session = a!.replicate(left, { initiator: false });
      // It knows the project key, and passes itself off as device B without B's key.
      const rogue = await rogueHandshake(right, (noise) => ({
        discoveryKey: a!.store.keys.discoveryKey.toString('hex'),
        proof: membershipProof(a!.store.keys.projectKey, noise.handshakeHash!, true).toString('hex'),
        device: { deviceId: b!.store.deviceId, name: 'rogue', deviceType: 'desktop' },
      }));
      const error = await rejection(session.done);
      expect(error.code).to.equal('ERR_NOT_PERMITTED');
      expect(error.message).to.contain('could not prove it is the device it says it is');
      expect(await rogue.error).to.deep.include({ code: 'ERR_NOT_PERMITTED' });
      expect(rogue.received).to.deep.equal(['error']);
    } finally {
      close();
    }
  });

  it('tells a peer with an older protocol version who must upgrade', async () => {
    const [a] = await devices.project(1);
    const [left, right, close] = await connect('tcp');
    try {
      const session = a!.replicate(left, { initiator: false });
      // Protocol 1 is the one before devices proved their ids.
      const rogue = await rogueHandshake(right, { version: 1, minVersion: 1, discoveryKey: a!.store.keys.discoveryKey.toString('hex') });
      const error = await rejection(session.done);
      expect(error.code).to.equal('ERR_PROTOCOL_VERSION');
      expect(error.message).to.match(/runs sync protocol 1, older than this device accepts \(2 or later\): update Cairn on the peer 'rogue'/);
      expect(await rogue.error).to.deep.equal({ code: 'ERR_PROTOCOL_VERSION', message: 'protocol too old', mustUpgrade: 'receiver' });
      expect(rogue.received).to.deep.equal(['error']);
    } finally {
      close();
    }
  });

  it('ends a session with a silent peer with ERR_TIMEOUT', async () => {
    const [a] = await devices.project(1);
    const server = net.createServer(() => undefined); // accepts, then never says a word
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    try {
      const started = Date.now();
      const error = await rejection(a!.replicate(socket, { initiator: true, timeoutMs: 1500 }).done);
      expect(error.code).to.equal('ERR_TIMEOUT');
      expect(error.message).to.contain('stopped responding for 2 s');
      expect(Date.now() - started).to.be.lessThan(10_000);
    } finally {
      socket.destroy();
      server.close();
    }
  });

  it('can be cancelled', async () => {
    const [a, b] = await devices.project(2);
    const [left, right, close] = await connect('pipe');
    try {
      const session = a!.replicate(left, { initiator: true });
      b!.replicate(right, { initiator: false });
      session.cancel();
      expect((await rejection(session.done)).code).to.equal('ERR_CANCELLED');
    } finally {
      close();
    }
  });

  it('with awaitStart, names a proven peer and exchanges nothing until either side starts', async () => {
    const [a, b] = await devices.project(2);
    const [fromA] = await a!.createObservations([{ lat: 1, lon: 2, notes: 'waits for a start' }]);
    const [left, right, close] = await connect('tcp');
    try {
      const first = a!.replicate(left, { initiator: true, awaitStart: true, timeoutMs: 1500 });
      const second = b!.replicate(right, { initiator: false, awaitStart: true, timeoutMs: 1500 });
      const [peerOfA, peerOfB] = await Promise.all([first.peer, second.peer]);
      expect(peerOfA).to.deep.include({ deviceId: b!.store.deviceId, deviceName: 'device-1' });
      expect(peerOfB).to.deep.include({ deviceId: a!.store.deviceId, deviceName: 'device-0' });
      // Idle for longer than the watchdog's limit: the heartbeat keeps the sessions alive, and no
      // data has moved.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(b!.countObservations()).to.equal(0);
      let bStarted = false;
      void second.started.then(() => (bStarted = true));
      first.start();
      const [summaryA, summaryB] = await Promise.all([first.done, second.done]);
      expect(bStarted, 'the other side followed the start').to.equal(true);
      expect(summaryA.sent.observations).to.equal(1);
      expect(summaryB.received.observations).to.equal(1);
      expect(b!.getObservation(fromA!.id).notes).to.equal('waits for a start');
    } finally {
      close();
    }
  });

  it('with awaitStart, a peer of another project is never named', async () => {
    const [a] = await devices.project(1);
    const [outsider] = await devices.project(1, 'Other project');
    const [left, right, close] = await connect('pipe');
    try {
      const first = a!.replicate(left, { initiator: true, awaitStart: true });
      outsider!.replicate(right, { initiator: false, awaitStart: true });
      expect((await rejection(first.peer)).code).to.equal('ERR_PROJECT_MISMATCH');
    } finally {
      close();
    }
  });

  it('resumes after the connection is cut: a retry completes and moves only the rest', async () => {
    const [a, b] = await devices.project(2);
    const notes = 'x'.repeat(400);
    await a!.createObservations(Array.from({ length: 6000 }, (_, index) => ({ lat: 1, lon: 1, notes: `${index} ${notes}` })));

    // What a whole sync costs, measured on a fresh device.
    const fresh = await devices.join(a!.info().projectKey, 'fresh');
    const [, full] = await sync(a!, fresh, 'tcp');

    const proxy = await cuttingProxy(Math.floor(full.received.bytes * 0.9));
    try {
      const server = net.createServer((socket) => void b!.replicate(socket, { initiator: false }).done.catch(() => undefined));
      await new Promise<void>((resolve) => server.listen(proxy.targetPort, '127.0.0.1', resolve));
      const cut = a!.replicate(net.connect(proxy.port, '127.0.0.1'), { initiator: true });
      const error = await rejection(cut.done);
      expect(error.code).to.equal('ERR_DISCONNECTED');
      expect(error.message).to.contain('only what is missing will be sent');
      server.close();
    } finally {
      proxy.close();
    }
    // Blocks arrive out of order, and the last ones received are still being stored and indexed:
    // let them land, then count what made it before the cut.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const partly = b!.countObservations();
    expect(partly).to.be.lessThan(6000);
    const theirs = b!.store.device(a!.store.deviceId)!.docs;
    let bytesKept = 0;
    for (let block = 0; block < a!.store.own.docs.length; block += 1) {
      if (await theirs.has(block)) bytesKept += (await a!.store.own.docs.get(block))!.length;
    }
    expect(bytesKept, 'some blocks arrived before the cut').to.be.greaterThan(0);

    const [, retry] = await sync(a!, b!, 'tcp');
    expect(b!.countObservations()).to.equal(6000);
    expect(state(b!)).to.deep.equal(state(a!));
    expect(retry.received.observations).to.equal(6000 - partly);
    // The retry carries what was missing, not what was kept, give or take the protocol's own
    // messages (handshake, bitfields): a fixed amount, not a share of what was kept, because on a
    // busy machine the cut can come before the receiver stored much of what was on the wire.
    const protocolOverhead = 64 * 1024;
    expect(retry.received.bytes).to.be.lessThan(full.received.bytes - bytesKept + protocolOverhead);
  });
});

async function expectRejection(promise: Promise<unknown>, code: string): Promise<void> {
  expect((await rejection(promise)).code).to.equal(code);
}

/**
 * A peer written outside Cairn's code, speaking the sync channel with a handshake of our choice:
 * an old version, or a discovery key without the project key.
 */
async function rogueHandshake(
  stream: NodeJS.ReadWriteStream,
  given: Partial<SyncHandshake> | ((noise: NoiseSecretStream) => Partial<SyncHandshake>),
): Promise<{ error: Promise<SyncErrorMessage>; received: string[] }> {
  const noise = new NoiseSecretStream(true, stream);
  Hypercore.createProtocolStream(noise);
  await noise.opened;
  const overrides = typeof given === 'function' ? given(noise) : given;
  const mux = noise.userData as Protomux;
  const received: string[] = [];
  let reportError!: (message: SyncErrorMessage) => void;
  const error = new Promise<SyncErrorMessage>((resolve) => (reportError = resolve));
  const channel = mux.createChannel({ protocol: SYNC_CHANNEL, handshake: c.json })!;
  channel.addMessage({ encoding: c.json, onmessage: () => void received.push('cores') });
  channel.addMessage({ encoding: c.json, onmessage: () => void received.push('status') });
  channel.addMessage({
    encoding: c.json,
    onmessage: (message: SyncErrorMessage) => {
      received.push('error');
      reportError(message);
    },
  });
  channel.open({
    protocol: 'cairn-sync',
    version: SYNC_PROTOCOL_VERSION,
    minVersion: SYNC_PROTOCOL_VERSION,
    discoveryKey: '00'.repeat(32),
    proof: '00'.repeat(32),
    device: { deviceId: 'ff'.repeat(32), name: 'rogue', deviceType: 'desktop' },
    deviceProof: '00'.repeat(64),
    deviceSigner: '00'.repeat(32),
    ...overrides,
  } satisfies SyncHandshake);
  return { error, received };
}

/** A TCP proxy that cuts the connection once `limit` bytes have gone through it, either way. */
async function cuttingProxy(limit: number): Promise<{ port: number; targetPort: number; close(): void }> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const targetPort = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const sockets: net.Socket[] = [];
  const proxy = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.push(client, upstream);
    let forwarded = 0;
    const forward = (to: net.Socket) => (chunk: Buffer) => {
      forwarded += chunk.length;
      if (forwarded >= limit) {
        client.destroy();
        upstream.destroy();
      } else {
        to.write(chunk);
      }
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    const end = () => (client.destroy(), upstream.destroy());
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    port: (proxy.address() as net.AddressInfo).port,
    targetPort,
    close: () => {
      for (const socket of sockets) socket.destroy();
      proxy.close();
    },
  };
}

