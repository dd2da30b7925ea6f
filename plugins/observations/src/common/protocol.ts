import type { AttachmentVariant, DeviceInfo, Field, FormatInfo, Observation, ObservationFilter, ObservationInput, ObservationPatch, Preset } from '@cairn/sdk/common';

/** The host service the plugin's workbench side calls (`ctx.services.get(OBSERVATIONS_SERVICE)`). */
export const OBSERVATIONS_SERVICE = 'observations';

/** What the list shows of an observation: enough for a row, no more (100k rows travel in pages). */
export interface GridRow {
  id: string;
  createdAt: string;
  category: string | null;
  /** The first 200 characters. */
  notes: string;
  lat: number;
  lon: number;
  createdBy: string;
  attachments: number;
  forked: boolean;
}

/** The list's filter: what `ObservationFilter` filters on, plus the order. */
export type ListFilter = Omit<ObservationFilter, 'limit' | 'offset'>;

export interface Categories {
  presets: Preset[];
  fields: Field[];
}

export interface ObservationDetail {
  observation: Observation;
  /** The versions that lost a concurrent edit, whole. */
  forks: Observation[];
}

export interface AttachmentData {
  mimeType: string;
  /** The bytes, base64. */
  base64: string;
}

export interface ExportRequestInput extends ListFilter {
  format: string;
  out: string;
}

export interface ImportRequestInput {
  path: string;
  format?: string;
  strict?: boolean;
}

/** What a Mapeo configuration's import did (`cairn presets import` prints it). */
export interface PresetsImportResult {
  /** The configuration's name (metadata.json `name`), else null. */
  name: string | null;
  /** metadata.json `version`, else null. */
  version: string | null;
  presets: { created: number; updated: number };
  fields: { created: number; updated: number };
  /** Categories that got an icon. */
  icons: number;
  /** What was left out or changed on the way, each saying what and why. */
  warnings: string[];
}

/** What the export dialog learns of a path on the host before it writes there. */
export interface PathInfo {
  /** Absolute. */
  path: string;
  kind: 'file' | 'folder' | null;
  /** The user's home folder on the host (where a first export goes), and its path separator. */
  home: string;
  separator: string;
}

/** Methods take JSON and return JSON; a trailing InvocationContext is added by the host. */
export interface ObservationsService {
  page(filter: ListFilter, offset: number, limit: number): Promise<GridRow[]>;
  count(filter: ListFilter): Promise<number>;
  /** Matches per category, categories in use without a preset included. */
  categoryCounts(filter: ListFilter): Promise<Array<{ category: string | null; count: number }>>;
  detail(id: string): Promise<ObservationDetail>;
  history(id: string): Promise<Observation[]>;
  create(input: ObservationInput): Promise<Observation>;
  update(id: string, patch: ObservationPatch, base?: string | null): Promise<Observation>;
  delete(id: string): Promise<void>;
  /** The bytes of an attachment: its preview or thumbnail when asked for and it has one, else its original. */
  attachment(id: string, name: string, variant?: AttachmentVariant | null): Promise<AttachmentData>;
  categories(): Promise<Categories>;
  devices(): Promise<DeviceInfo[]>;
  formats(): Promise<{ export: FormatInfo[]; import: FormatInfo[] }>;
  export(input: ExportRequestInput): Promise<{ file: string; format: string; observations: number }>;
  /** `skipped`: records with an id the project holds already (imported before, or deleted since); absent from an older host. */
  import(input: ImportRequestInput): Promise<{ file: string; format: string; imported: number; skipped?: number; rejected: Array<{ reason: string; line?: number; index?: number }> }>;
  importPresets(path: string): Promise<PresetsImportResult>;
  pathInfo(path: string): Promise<PathInfo>;
}

/** The service's methods by name, so the host can offer them before it loads their code. */
export const OBSERVATIONS_METHODS = [
  'page', 'count', 'categoryCounts', 'detail', 'history', 'create', 'update', 'delete', 'attachment', 'categories', 'devices', 'formats', 'export', 'import', 'importPresets', 'pathInfo',
] as const satisfies ReadonlyArray<keyof ObservationsService>;

// Every method is listed: a name missing from the list would not be offered to the workbench.
type Unlisted = Exclude<keyof ObservationsService, (typeof OBSERVATIONS_METHODS)[number]>;
export const OBSERVATIONS_METHODS_COMPLETE: [Unlisted] extends [never] ? true : never = true;
