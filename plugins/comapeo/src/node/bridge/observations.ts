import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, type AttachmentInput, type Observation, type ObservationInput } from '@cairn/sdk';
import type { BlobRef, BlobVariant, ComapeoDoc, DocWrite } from '../../common/protocol.js';
import { writeComapeo, type BridgeIo } from './bridge-io.js';
import type { CategoryMap } from './categories.js';
import {
  agreedOfCairn,
  agreedOfComapeo,
  CAIRN_ID_TAG,
  cairnPatch,
  carried,
  comapeoValue,
  sameAgreed,
  type ComapeoObservation,
} from './observation-values.js';
import { pairUp, type Pair } from './pairs.js';
import { decide, type Head } from './reconcile.js';

/** A Cairn observation, or the tombstone of one. */
type CairnSide = { id: string; head: Head; observation: Observation | null };

const extensions: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/webp': '.webp',
  'audio/mp4': '.m4a',
  'audio/aac': '.aac',
  'audio/mpeg': '.mp3',
  'audio/wav': '.wav',
  'audio/x-wav': '.wav',
  'audio/ogg': '.ogg',
  'video/mp4': '.mp4',
};

/** Each Cairn observation's CoMapeo twin (deleted ones too: a track may still name them), and back. */
export interface ObservationTwins {
  toComapeo: Map<string, { docId: string; versionId: string }>;
  toCairn: Map<string, string>;
}

/**
 * Observations both ways, with their attachments' bytes: each pair decided as `decide` says,
 * Cairn's new ones made in one write, CoMapeo's in batches. The state of each pair is recorded
 * only once both sides say the same.
 */
export async function bridgeObservations(io: BridgeIo, categories: CategoryMap, comapeoObservations: readonly ComapeoDoc[]): Promise<ObservationTwins> {
  const { observations } = io.ctx.project;
  const [live, tombstones] = await Promise.all([observations.query({}), observations.tombstones()]);
  const cairnSides: CairnSide[] = [
    ...live.map((observation) => ({ id: observation.id, head: { version: observation.version, updatedAt: observation.updatedAt, deleted: false }, observation })),
    ...tombstones.map((tombstone) => ({ id: tombstone.id, head: { version: tombstone.version, updatedAt: tombstone.updatedAt, deleted: true }, observation: null })),
  ];
  const named = (doc: ComapeoDoc) => {
    const id = (doc.value as ComapeoObservation).tags?.[CAIRN_ID_TAG];
    return typeof id === 'string' ? id : null;
  };
  const pairs = pairUp('observation', io.state, cairnSides, comapeoObservations, named);
  const refs = new Map<string, BlobRef>();
  for (const doc of comapeoObservations) for (const attachment of (doc.value as ComapeoObservation).attachments ?? []) refs.set(attachment.hash, attachment);

  const toCreate: Array<{ pair: Pair<CairnSide>; doc: ComapeoDoc }> = [];
  const toComapeo: Array<{ pair: Pair<CairnSide>; write: DocWrite }> = [];
  for (const pair of pairs) {
    const cairn = pair.cairn;
    const comapeo = pair.comapeo;
    const theirs = comapeo === null || comapeo.deleted ? null : agreedOfComapeo(comapeo, categories);
    if (comapeo !== null && !comapeo.deleted && theirs === null) continue; // no place: Cairn cannot hold it
    const ours = cairn?.observation ? agreedOfCairn(cairn.observation, categories) : null;
    const same = ours !== null && theirs !== null && sameAgreed(ours, theirs);
    const comapeoHead = comapeo && { version: comapeo.versionId, updatedAt: comapeo.updatedAt, deleted: comapeo.deleted };
    const action = decide(cairn?.head ?? null, comapeoHead, same, io.state.get('observation', pair.id));
    switch (action) {
      case 'none':
        if (cairn?.observation && comapeo !== null && same) record(io, pair.id, cairn.head.version, comapeo);
        else if (cairn?.head.deleted && comapeo?.deleted) io.state.set('observation', pair.id, null);
        break;
      case 'toCairn':
        if (cairn?.observation) await updateInCairn(io, cairn.observation, comapeo!, theirs!);
        else toCreate.push({ pair, doc: comapeo! });
        break;
      case 'toComapeo': {
        const observation = cairn!.observation!;
        await sendAttachments(io, observation, refs);
        const value = comapeoValue(observation, comapeo?.value as ComapeoObservation | undefined, refs, categories);
        toComapeo.push({
          pair,
          write: comapeo === null ? { kind: 'observation', op: 'create', value } : { kind: 'observation', op: 'update', heads: [comapeo.versionId, ...comapeo.forks], value },
        });
        break;
      }
      case 'deleteInCairn':
        await observations.delete(pair.id);
        io.counts.received.observations += 1;
        io.state.set('observation', pair.id, null);
        break;
      case 'deleteInComapeo':
        toComapeo.push({ pair, write: { kind: 'observation', op: 'delete', docId: comapeo!.docId } });
        break;
    }
  }
  await createInCairn(io, toCreate, categories);
  const written = await writeComapeo(io, toComapeo.map(({ write }) => write));
  const twins: ObservationTwins = { toComapeo: new Map(), toCairn: new Map() };
  const twin = (id: string, doc: ComapeoDoc) => {
    twins.toComapeo.set(id, { docId: doc.docId, versionId: doc.versionId });
    twins.toCairn.set(doc.docId, id);
  };
  for (const pair of pairs) if (pair.comapeo !== null) twin(pair.id, pair.comapeo);
  toComapeo.forEach(({ pair, write }, index) => {
    io.counts.sent.observations += 1;
    twin(pair.id, written[index]!);
    if (write.op === 'delete') io.state.set('observation', pair.id, null);
    else record(io, pair.id, pair.cairn!.head.version, written[index]!);
  });
  return twins;
}

function record(io: BridgeIo, id: string, cairnVersion: string, comapeo: ComapeoDoc): void {
  io.state.set('observation', id, { cairn: cairnVersion, comapeo: comapeo.versionId, twin: comapeo.docId });
}

/** New Cairn observations from CoMapeo ones, with their times, authors and attachments, in one write. */
async function createInCairn(io: BridgeIo, docs: ReadonlyArray<{ pair: Pair<CairnSide>; doc: ComapeoDoc }>, categories: CategoryMap): Promise<void> {
  if (docs.length === 0) return;
  const files = await fetchAttachments(io, docs.map(({ doc }) => doc));
  const inputs: ObservationInput[] = docs.map(({ pair, doc }) => {
    const agreed = agreedOfComapeo(doc, categories)!;
    const value = doc.value as ComapeoObservation;
    return {
      id: pair.id,
      lat: agreed.lat,
      lon: agreed.lon,
      category: agreed.category,
      notes: agreed.notes,
      tags: agreed.tags,
      attachments: (value.attachments ?? []).flatMap((attachment) => files.get(attachment.hash) ?? []),
      createdAt: doc.createdAt,
      updatedAt: doc.updatedAt,
      createdBy: doc.createdBy,
      ...(agreed.metadata === null ? {} : { metadata: agreed.metadata }),
    };
  });
  // Known ids are left out: a crash after an earlier run's write, or a twin that came by Cairn sync meanwhile.
  const created = await io.ctx.project.observations.createMany(inputs, { skipExisting: true });
  const byId = new Map(created.map((observation) => [observation.id, observation]));
  for (const { pair, doc } of docs) {
    const observation = byId.get(pair.id);
    if (observation === undefined) continue;
    io.counts.received.observations += 1;
    io.counts.received.attachments += observation.attachments.length;
    if (observation.attachments.length === ((doc.value as ComapeoObservation).attachments ?? []).length) record(io, pair.id, observation.version, doc);
  }
}

async function updateInCairn(io: BridgeIo, observation: Observation, doc: ComapeoDoc, agreed: NonNullable<ReturnType<typeof agreedOfComapeo>>): Promise<void> {
  const { patch, missing, detach } = cairnPatch(observation, agreed);
  const wanted = new Set(missing);
  const fetched = await fetchAttachments(io, [doc], (hash) => wanted.has(hash));
  const attachments = missing.flatMap((hash) => fetched.get(hash) ?? []);
  if (attachments.length > 0) patch.attachments = attachments;
  if (detach.length > 0) patch.detach = detach;
  const updated = await io.ctx.project.observations.update(observation.id, patch, {
    updatedAt: doc.updatedAt,
    // A fork among Cairn devices is resolved by the phone's edit, which came after both.
    ...(observation.forks.length > 0 ? { base: observation.version } : {}),
  });
  io.counts.received.observations += 1;
  io.counts.received.attachments += attachments.length;
  if (attachments.length === missing.length) record(io, observation.id, updated.version, doc);
}

/**
 * Each attachment of these CoMapeo observations (that `wanted` wants) as a Cairn attachment read
 * from a file: the original, and a photo's preview and thumbnail when CoMapeo has them. One whose
 * original has not reached this device yet is left out: the next sync brings it.
 */
async function fetchAttachments(io: BridgeIo, docs: readonly ComapeoDoc[], wanted: (hash: string) => boolean = () => true): Promise<Map<string, AttachmentInput>> {
  const requests: Array<{ ref: BlobRef; variant: BlobVariant; path: string }> = [];
  const seen = new Set<string>();
  for (const doc of docs) {
    for (const ref of (doc.value as ComapeoObservation).attachments ?? []) {
      if (seen.has(ref.hash) || !wanted(ref.hash)) continue;
      seen.add(ref.hash);
      const variants: BlobVariant[] = ref.type === 'photo' ? ['original', 'preview', 'thumbnail'] : ['original'];
      for (const variant of variants) requests.push({ ref, variant, path: join(io.transferDir, `${ref.hash}.${variant}`) });
    }
  }
  const found = new Map<string, AttachmentInput>();
  for (let at = 0; at < requests.length; at += 60) {
    const batch = requests.slice(at, at + 60);
    const results = await io.comapeo.call('readBlobs', { projectId: io.projectId, blobs: batch });
    batch.forEach(({ ref, variant, path }, index) => {
      const result = results[index];
      if (result === null || result === undefined) return;
      if (variant === 'original') {
        found.set(ref.hash, { path, name: `${ref.name}${extensions[result.mimeType] ?? ''}`, mimeType: result.mimeType });
        return;
      }
      const input = found.get(ref.hash);
      if (input !== undefined) input.variants = { ...input.variants, [variant]: { path, mimeType: result.mimeType } };
    });
  }
  return found;
}

/**
 * Stores in CoMapeo the attachments of a Cairn observation it has not got yet (the same bytes are
 * one CoMapeo attachment, wherever they are used). A photo without smaller copies gives its
 * original for them: phones show photos by their preview and thumbnail.
 */
async function sendAttachments(io: BridgeIo, observation: Observation, refs: Map<string, BlobRef>): Promise<void> {
  for (const attachment of observation.attachments) {
    if (!carried(attachment.mimeType) || refs.has(attachment.hash)) continue;
    const files: Partial<Record<BlobVariant, string>> & { original: string } = { original: join(io.transferDir, `${attachment.hash}.original`) };
    await writeFileAtomic(files.original, await io.ctx.project.observations.readAttachment(observation.id, attachment.name));
    if (attachment.mimeType.startsWith('image/')) {
      for (const variant of ['preview', 'thumbnail'] as const) {
        if (attachment.variants?.[variant] === undefined) {
          files[variant] = files.original;
          continue;
        }
        files[variant] = join(io.transferDir, `${attachment.hash}.${variant}`);
        await writeFileAtomic(files[variant], await io.ctx.project.observations.readAttachment(observation.id, attachment.name, variant));
      }
    }
    refs.set(attachment.hash, await io.comapeo.call('createBlob', { projectId: io.projectId, files, mimeType: attachment.mimeType }));
    io.counts.sent.attachments += 1;
    await Promise.all(Object.values(files).map((path) => rm(path, { force: true })));
  }
}
