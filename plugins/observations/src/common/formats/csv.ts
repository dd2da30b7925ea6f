import type { Observation, TagValue } from '@cairn/sdk/common';

/**
 * CSV as spreadsheets read it (RFC 4180): UTF-8 with a byte-order mark so Excel picks the right
 * encoding, CRLF line ends, and a field quoted when it holds a comma, a quote, a line break or
 * leading/trailing spaces (quotes doubled).
 */
export const CSV_BOM = '\uFEFF';

/** The fixed columns, before one column per tag. */
export const CSV_BASE_COLUMNS = ['id', 'version', 'createdAt', 'updatedAt', 'createdBy', 'lat', 'lon', 'category', 'notes', 'attachments'] as const;

export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvRow(values: readonly string[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** A tag's value as one cell: text as it is, lists as JSON (so nothing is lost), null as empty. */
export function tagCell(value: TagValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

/**
 * The header of a CSV of these tag keys: the fixed columns, then one per tag. A tag named like a
 * fixed column gets the column `tag:<key>`, so no value hides another.
 */
export function csvColumns(tagKeys: Iterable<string>): { header: string[]; tagColumns: Array<[string, string]> } {
  const fixed = new Set<string>(CSV_BASE_COLUMNS);
  const tagColumns = [...new Set(tagKeys)].sort().map((key): [string, string] => [key, fixed.has(key) ? `tag:${key}` : key]);
  return { header: [...CSV_BASE_COLUMNS, ...tagColumns.map(([, column]) => column)], tagColumns };
}

export function csvObservationRow(observation: Observation, tagColumns: ReadonlyArray<[string, string]>): string {
  return csvRow([
    observation.id,
    observation.version,
    observation.createdAt,
    observation.updatedAt,
    observation.createdBy,
    String(observation.lat),
    String(observation.lon),
    observation.category ?? '',
    observation.notes,
    observation.attachments.map((attachment) => attachment.name).join(';'),
    ...tagColumns.map(([key]) => tagCell(observation.tags[key])),
  ]);
}
