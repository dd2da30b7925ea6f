import type { ObservationFilter } from '@cairn/sdk';

// The SQL of the observation queries of the index (project-index.ts): what the filters of the
// list, the map and the exports become.

/** What each sort key orders by; the dates and the category have indexes, the rest sort the matches. */
export const sortColumns: Record<string, string> = {
  createdAt: 'd.created_at',
  updatedAt: 'd.updated_at',
  category: 'd.category',
  notes: "json_extract(h.json, '$.value.notes') COLLATE NOCASE",
  lat: 'd.lat',
  lon: 'd.lon',
  createdBy: "json_extract(h.json, '$.createdBy')",
  attachments: "json_array_length(h.json, '$.value.attachments')",
};

/** The FROM/WHERE of an observation query and its parameters. */
export function observationQuery(filter: ObservationFilter, select: string, join = '', hint: '' | 'NOT INDEXED' = ''): { sql: string; params: unknown[] } {
  const where = ["d.type = 'observation'", 'd.deleted = 0'];
  const params: unknown[] = [];
  if (filter.bbox !== undefined) {
    const [west, south, east, north] = filter.bbox;
    // A box across the antimeridian (west > east) is two boxes.
    const spans = west <= east ? [[west, east]] : [[west, 180], [-180, east]];
    const conditions = spans.map(() => '(r.min_lon <= ? AND r.max_lon >= ?)').join(' OR ');
    where.push(`d.rowid IN (SELECT r.id FROM obs_rtree r WHERE (${conditions}) AND r.min_lat <= ? AND r.max_lat >= ?)`);
    for (const [from, to] of spans) params.push(to, from);
    params.push(north, south);
  }
  if (filter.category !== undefined) {
    where.push('d.category = ?');
    params.push(filter.category);
  }
  if (filter.from !== undefined) {
    where.push('d.created_at >= ?');
    params.push(filter.from);
  }
  if (filter.to !== undefined) {
    where.push('d.created_at <= ?');
    params.push(filter.to);
  }
  const text = filter.text === undefined ? '' : ftsQuery(filter.text);
  if (text !== '') {
    where.push('d.rowid IN (SELECT rowid FROM obs_fts WHERE obs_fts MATCH ?)');
    params.push(text);
  }
  return { sql: `${select} FROM docs d ${hint} ${join} WHERE ${where.join(' AND ')}`, params };
}

/** Words of a search box as an FTS5 query: every word must appear, as a word or a word's start. */
function ftsQuery(text: string): string {
  return text
    .split(/\s+/)
    .map((word) => word.replace(/"/g, ''))
    .filter((word) => word.length > 0)
    .map((word) => `"${word}"*`)
    .join(' ');
}
