// The CoMapeo project's documents and attachments as the bridge reads and writes them: plain JSON
// over the process's channel, bytes through files (never through the channel).
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { MapeoManager } from '@comapeo/core';
import type { BlobRef, BlobVariant, ComapeoDoc, ComapeoDocs, DocKind, DocWrite } from '../../common/protocol.js';
import { coded } from './membership.js';

type Project = Awaited<ReturnType<MapeoManager['getProject']>>;

/** The fields every CoMapeo document carries besides its schema's own. */
const commonFields = new Set(['docId', 'versionId', 'originalVersionId', 'createdAt', 'updatedAt', 'links', 'deleted', 'forks', 'createdBy', 'updatedBy']);

/** A document as CoMapeo returns it: the common fields, and its schema's beside them. */
type RawDoc = Omit<ComapeoDoc, 'value'> & Record<string, unknown>;

function toDoc(raw: RawDoc): ComapeoDoc {
  const value: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(raw)) if (!commonFields.has(key)) value[key] = field;
  return { docId: raw.docId, versionId: raw.versionId, createdAt: raw.createdAt, updatedAt: raw.updatedAt, createdBy: raw.createdBy, deleted: raw.deleted, forks: raw.forks, value };
}

/** The document API of a kind, typed loosely: values are checked by CoMapeo's own schemas. */
interface LooseDataType {
  getByDocId(docId: string, options: { mustBeFound: boolean }): Promise<RawDoc | null>;
  getMany(options: { includeDeleted: boolean }): Promise<RawDoc[]>;
  create(value: unknown): Promise<RawDoc>;
  update(heads: string[], value: unknown): Promise<RawDoc>;
  delete(docId: string): Promise<RawDoc>;
}

function documents(project: Project, kind: DocKind): LooseDataType {
  return project[kind] as unknown as LooseDataType;
}

/**
 * Categories' icons go across as SVG markup (Cairn keeps a category's icon in it): a preset read
 * carries `iconSvg` beside its `iconRef`, and one written with `iconSvg` gets an icon made of it.
 * The markup of each icon read is kept, so that a preset written back with the same one keeps its
 * icon rather than getting a copy.
 */
const iconSvgs = new Map<string, string>();

async function withIconSvg(project: Project, preset: ComapeoDoc): Promise<ComapeoDoc> {
  const ref = preset.value.iconRef as { docId: string } | undefined;
  if (ref === undefined) return preset;
  let svg = iconSvgs.get(ref.docId);
  if (svg === undefined) {
    const response = await fetch(await project.$icons.getIconUrl(ref.docId, { mimeType: 'image/svg+xml', size: 'medium' })).catch(() => null);
    // A phone's icon may be a PNG only: that one stays in CoMapeo.
    if (response === null || !response.ok || !response.headers.get('content-type')?.startsWith('image/svg+xml')) return preset;
    svg = await response.text();
    iconSvgs.set(ref.docId, svg);
  }
  return { ...preset, value: { ...preset.value, iconSvg: svg } };
}

async function withIconRef(project: Project, value: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { iconSvg, ...rest } = value;
  if (!('iconSvg' in value)) return rest;
  // A category whose icon was taken away in Cairn.
  if (typeof iconSvg !== 'string') return Object.fromEntries(Object.entries(rest).filter(([key]) => key !== 'iconRef'));
  const ref = rest.iconRef as { docId: string } | undefined;
  if (ref !== undefined && iconSvgs.get(ref.docId) === iconSvg) return rest;
  const icon = await project.$icons.create({ name: String(rest.name ?? 'icon'), variants: [{ mimeType: 'image/svg+xml', size: 'medium', blob: Buffer.from(iconSvg) }] });
  iconSvgs.set(icon.docId, iconSvg);
  return { ...rest, iconRef: { docId: icon.docId, versionId: icon.versionId } };
}

export async function readDocs(project: Project): Promise<ComapeoDocs> {
  const started = performance.now();
  // CoMapeo answers once its index has caught up with what its cores hold (after a restart too).
  await documents(project, 'observation').getByDocId('0', { mustBeFound: false });
  process.stderr.write(`CoMapeo's index caught up in ${Math.round(performance.now() - started)} ms.\n`);
  const [observations, presets, fields, tracks] = await Promise.all(
    (['observation', 'preset', 'field', 'track'] as const).map(async (kind) => (await documents(project, kind).getMany({ includeDeleted: true })).map(toDoc)),
  );
  const livePresets = await Promise.all(presets!.filter((doc) => !doc.deleted).map((preset) => withIconSvg(project, preset)));
  return { observations: observations!, presets: livePresets, fields: fields!.filter((doc) => !doc.deleted), tracks: tracks! };
}

/** Writes at once: CoMapeo appends writes made together about twice as fast as one after another. */
const WRITES_AT_ONCE = 100;

/** Writes documents, in order (each of a different document), resolving with what was written. */
export async function writeDocs(project: Project, writes: readonly DocWrite[]): Promise<ComapeoDoc[]> {
  const written: ComapeoDoc[] = [];
  for (let at = 0; at < writes.length; at += WRITES_AT_ONCE) {
    written.push(...(await Promise.all(writes.slice(at, at + WRITES_AT_ONCE).map((write) => writeDoc(project, write)))));
  }
  return written;
}

async function writeDoc(project: Project, write: DocWrite): Promise<ComapeoDoc> {
  const api = documents(project, write.kind);
  try {
    const value = write.op === 'delete' ? {} : write.kind === 'preset' ? await withIconRef(project, write.value) : write.value;
    const done = async (doc: RawDoc) => (write.kind === 'preset' ? withIconSvg(project, toDoc(doc)) : toDoc(doc));
    if (write.op === 'create') return done(await api.create({ ...value, schemaName: write.kind }));
    if (write.op === 'update') return done(await api.update(write.heads, { ...value, schemaName: write.kind }));
    return toDoc(await api.delete(write.docId));
  } catch (error) {
    throw coded('ERR_INVALID_INPUT', `CoMapeo refused a ${write.kind} (${write.op}): ${(error as Error).message}`);
  }
}

export async function createBlob(project: Project, files: Partial<Record<BlobVariant, string>> & { original: string }, mimeType: string): Promise<BlobRef> {
  const created = await project.$blobs.create(files, { mimeType });
  return { driveDiscoveryId: created.driveId, name: created.name, type: created.type, hash: created.hash };
}

/** Each attachment's bytes into its file, over the manager's own server (the only way CoMapeo reads them). */
export async function readBlobs(
  project: Project,
  blobs: ReadonlyArray<{ ref: BlobRef; variant: BlobVariant; path: string }>,
): Promise<Array<{ mimeType: string; size: number } | null>> {
  // A few at once: each is a request to the manager's own server, and a file written.
  const results: Array<{ mimeType: string; size: number } | null> = [];
  for (let at = 0; at < blobs.length; at += 4) results.push(...(await Promise.all(blobs.slice(at, at + 4).map((blob) => readBlob(project, blob)))));
  return results;
}

async function readBlob(project: Project, { ref, variant, path }: { ref: BlobRef; variant: BlobVariant; path: string }): Promise<{ mimeType: string; size: number } | null> {
  const url = await project.$blobs.getUrl({ driveId: ref.driveDiscoveryId, type: ref.type, variant, name: ref.name } as Parameters<Project['$blobs']['getUrl']>[0]);
  const response = await fetch(url);
  if (response.status === 404 || response.status === 400 || response.body === null) {
    await response.body?.cancel();
    return null;
  }
  if (!response.ok) throw coded('ERR_IO', `CoMapeo could not read attachment ${ref.name} (${variant}): HTTP ${response.status}.`);
  await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(path));
  return { mimeType: response.headers.get('content-type')?.split(';')[0]?.trim() || 'application/octet-stream', size: (await stat(path)).size };
}
