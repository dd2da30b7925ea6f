import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve, sep } from 'node:path';
import { CairnError, ErrorCodes, type AttachmentVariant, type InvocationContext, type Observation, type PluginContext } from '@cairn/sdk';
import type { GridRow, ListFilter, ObservationsService, PathInfo } from '../common/protocol.js';
import type { ExportInput, ImportInput } from './inputs.js';
import { runExport, runImport, runPresetsImport } from './transfers.js';

/** Attachments larger than this are not sent to the workbench whole (the RPC carries JSON). */
const MAX_ATTACHMENT_BYTES = 32 * 1024 * 1024;
/** Rows per request are capped, so a bad caller cannot ask for the whole project at once. */
const MAX_PAGE = 1000;

function row(observation: Observation): GridRow {
  return {
    id: observation.id,
    createdAt: observation.createdAt,
    category: observation.category,
    notes: observation.notes.length > 200 ? observation.notes.slice(0, 200) : observation.notes,
    lat: observation.lat,
    lon: observation.lon,
    createdBy: observation.createdBy,
    attachments: observation.attachments.length,
    forked: observation.forks.length > 0,
  };
}

/** What the plugin's workbench side asks of the host: pages of the list, one observation, edits. */
export function observationsService(ctx: PluginContext): { [K in keyof ObservationsService]: (...args: never[]) => unknown } {
  const observations = ctx.project.observations;
  return {
    page: async (filter: ListFilter, offset: number, limit: number) => {
      const rows = await observations.query({ ...filter, offset: Math.max(0, Math.floor(offset)), limit: Math.min(MAX_PAGE, Math.max(0, Math.floor(limit))) });
      return rows.map(row);
    },
    count: (filter: ListFilter) => observations.count(filter),
    categoryCounts: (filter: ListFilter) => observations.countByCategory(filter),
    detail: async (id: string) => {
      const observation = await observations.get(id);
      const forks = await Promise.all(observation.forks.map((version) => observations.getVersion(version)));
      return { observation, forks };
    },
    history: (id: string) => observations.history(id),
    create: (input: Parameters<typeof observations.create>[0]) => observations.create(input),
    update: (id: string, patch: Parameters<typeof observations.update>[1], base?: string | null) =>
      observations.update(id, patch, base ? { base } : {}),
    delete: (id: string) => observations.delete(id),
    attachment: async (id: string, name: string, variant?: AttachmentVariant | null) => {
      const observation = await observations.get(id);
      const attachment = observation.attachments.find((candidate) => candidate.name === name);
      if (attachment === undefined) throw new CairnError(ErrorCodes.NOT_FOUND, `Observation ${id} has no attachment '${name}'.`);
      // A smaller copy when asked for and there is one (a phone's photos have them), else the original.
      const chosen = variant ? attachment.variants?.[variant] : undefined;
      const bytes = chosen ?? attachment;
      if (bytes.size > MAX_ATTACHMENT_BYTES) {
        throw new CairnError(ErrorCodes.INVALID_INPUT, `'${name}' is too large to show here (${Math.round(bytes.size / 1048576)} MiB); save it with cairn obs attachment.`);
      }
      const chunks: Buffer[] = [];
      for await (const chunk of await observations.readAttachment(id, name, chosen === undefined ? undefined : variant!)) chunks.push(chunk as Buffer);
      return { mimeType: bytes.mimeType, base64: Buffer.concat(chunks).toString('base64') };
    },
    categories: async () => {
      const [presets, fields] = await Promise.all([ctx.project.presets.list(), ctx.project.fields.list()]);
      return { presets, fields };
    },
    devices: () => ctx.project.devices(),
    formats: () => ({ export: ctx.formats.exportFormats(), import: ctx.formats.importFormats() }),
    export: (input: ExportInput, invocation: InvocationContext) => runExport(ctx, input, invocation.progress, invocation.signal),
    import: (input: ImportInput, invocation: InvocationContext) => runImport(ctx, input, invocation.progress, invocation.signal),
    importPresets: (path: string, invocation: InvocationContext) => runPresetsImport(ctx, path, invocation.progress),
    pathInfo: async (path: string): Promise<PathInfo> => {
      const home = homedir();
      const absolute = resolve(home, typeof path === 'string' ? path : '');
      const info = await stat(absolute).catch(() => null);
      return { path: absolute, kind: info === null ? null : info.isDirectory() ? 'folder' : 'file', home, separator: sep };
    },
  };
}
