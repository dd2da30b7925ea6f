import Database from 'better-sqlite3';
import { CairnError, ErrorCodes, type DocumentType, type ObservationFilter, type ObservationPositions } from '@cairn/sdk';
import {
  pickWinner,
  sameContent,
  type HeadSummary,
  versionIdOf,
  type LocatedVersion,
  type ObservationValue,
  type StoredVersion,
} from '../../common/documents.js';
import type { MemberRecord, MemberValue } from '../../common/roster.js';
import { observationQuery, sortColumns } from './observation-query.js';

/** Bumped when the tables change; an index of another version is rebuilt from the cores. */
const INDEX_VERSION = '7';

export interface IndexedCore {
  blocks: number;
  entries: number;
  observations: number;
}

/** Blocks `from` (inclusive) to `to` (exclusive) of one device's document log. */
export interface LogStretch {
  deviceId: string;
  from: number;
  to: number;
}

/**
 * Whether a version at a block of a device's log is accepted into the index: what the project's
 * roster allows its writer (see roster.ts). Versions it turns down are counted as read, not applied.
 */
export type Admission = (block: number, version: StoredVersion) => boolean;

export interface IndexChange {
  kind: 'created' | 'updated' | 'deleted';
  type: DocumentType;
  id: string;
}

export interface CurrentDocument<T extends DocumentType = DocumentType> {
  version: LocatedVersion<T>;
  /**
   * The other heads: versions that lost a concurrent edit. Heads that say what the winner says
   * (`sameContent`) are no fork and are not listed.
   */
  forks: string[];
}

interface HeadRow {
  version_id: string;
  updated_at: string;
  deleted: number;
}

/** A document touched by a batch, with the heads the batch added. */
interface DirtyDocument {
  type: DocumentType;
  docId: string;
  heads: LocatedVersion[];
  /** One version in the batch, linking nothing: if the document is new, its only head. */
  simple: boolean;
  /** Its row in `docs`, once the batch has written it. */
  rowid?: number;
}

/**
 * The index: a materialized view of every document's heads and winner, in SQLite, for fast
 * queries (R*Tree for the bounding box, FTS5 for notes). The cores are the truth: the index
 * can be deleted at any time and is rebuilt from them, and it is updated from new blocks only.
 */
export class ProjectIndex {
  private readonly db: Database.Database;
  private readonly statements;
  private applied = 0;
  private rosterRead = 0;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // The index can always be rebuilt, so a lost last transaction on power failure is acceptable.
    this.db.pragma('synchronous = NORMAL');
    const version = this.readVersion();
    if (version !== INDEX_VERSION) this.dropTables();
    this.createTables();
    this.statements = this.prepare();
  }

  close(): void {
    this.db.close();
  }

  /** How far a core has been indexed. */
  indexed(coreKey: string): IndexedCore {
    const row = this.statements.getCore.get(coreKey) as IndexedCore | undefined;
    return row ?? { blocks: 0, entries: 0, observations: 0 };
  }

  /**
   * Indexes consecutive blocks of one core, starting at `firstBlock`, in one transaction.
   * Blocks already indexed are skipped, so replaying is harmless. Returns what changed.
   */
  applyBlocks(
    coreKey: string,
    firstBlock: number,
    blocks: ReadonlyArray<ReadonlyArray<StoredVersion | null>>,
    admits: Admission = () => true,
  ): IndexChange[] {
    this.applied += 1;
    const apply = this.db.transaction((): IndexChange[] => {
      const done = this.indexed(coreKey);
      const dirty = new Map<string, DirtyDocument>();
      /** The observations each block has versions of, by block. */
      const observationsByBlock = new Map<number, DirtyDocument[]>();
      let entries = done.entries;
      let observations = done.observations;
      blocks.forEach((versions, offset) => {
        const block = firstBlock + offset;
        if (block < done.blocks) return;
        versions.forEach((version, entry) => {
          if (version === null) return;
          const versionId = versionIdOf(coreKey, block, entry);
          entries += 1;
          // What the roster is made of is kept as read, judged or not: whether a record counts
          // depends on the others (roster.ts), and is decided there, every time.
          if (this.keepRosterRecord(coreKey, block, versionId, version) || !admits(block, version)) return;
          const head = this.applyVersion(versionId, version);
          const key = `${version.type}\u0000${version.docId}`;
          let document = dirty.get(key);
          if (document === undefined) {
            document = { type: version.type, docId: version.docId, heads: head ? [head] : [], simple: version.links.length === 0 };
            dirty.set(key, document);
          } else {
            // More than one version of a document in this batch: read its heads back from the table.
            document.simple = false;
          }
          if (version.type === 'observation') {
            observations += 1;
            const inBlock = observationsByBlock.get(block);
            if (inBlock === undefined) observationsByBlock.set(block, [document]);
            else inBlock.push(document);
          }
        });
      });
      const blocksDone = Math.max(done.blocks, firstBlock + blocks.length);
      this.statements.putCore.run(coreKey, blocksDone, entries, observations);
      const changes: IndexChange[] = [];
      for (const document of dirty.values()) {
        const change = this.refreshDocument(document);
        if (change !== null) changes.push(change);
      }
      for (const [block, documents] of observationsByBlock) {
        const rowids = new Set<number>();
        for (const document of documents) if (document.rowid !== undefined) rowids.add(document.rowid);
        this.statements.putObservationBlock.run(coreKey, block, JSON.stringify([...rowids]));
      }
      return changes;
    });
    return apply();
  }

  /** Notes a block passed over because it is sealed with a key this device does not hold. */
  noteSealed(coreKey: string, block: number, keyId: string): void {
    this.statements.noteSealed.run(coreKey, block, keyId);
  }

  /** The keys of the blocks passed over: once one of them is held, the index is built again. */
  sealedKeys(): string[] {
    return (this.statements.sealedKeys.all() as Array<{ key_id: string }>).map((row) => row.key_id);
  }

  /** Grows whenever a membership record or a candidate for the project's creator is read. */
  get rosterGeneration(): number {
    return this.rosterRead;
  }

  /** Every membership record read from any log, as written (roster.ts judges them). */
  memberRecords(): MemberRecord[] {
    return (this.statements.memberRecords.all() as Array<{ version_id: string; writer: string; block: number; subject: string; updated_at: string; json: string }>).map((row) => ({
      versionId: row.version_id,
      writer: row.writer,
      block: row.block,
      subject: row.subject,
      updatedAt: row.updated_at,
      value: JSON.parse(row.json) as MemberValue,
    }));
  }

  /**
   * The device that made the project: the writer of the earliest first version of the project's
   * settings that names its own writer as creator (a new project writes its name at once).
   */
  creator(): string | null {
    return (this.statements.creator.get() as { writer: string } | undefined)?.writer ?? null;
  }

  /**
   * Indexes every log again from its first block, in one transaction (readers never see a half
   * index): after the roster changed what counts in blocks that were indexed already.
   */
  rebuild(logs: ReadonlyArray<{ coreKey: string; blocks: () => ReadonlyArray<ReadonlyArray<StoredVersion | null>>; admits: Admission }>): IndexChange[] {
    const run = this.db.transaction((): IndexChange[] => {
      const rows = () => this.db.prepare('SELECT type, doc_id, deleted, version_id FROM docs').all() as Array<{ type: DocumentType; doc_id: string; deleted: number; version_id: string }>;
      const before = new Map(rows().map((row) => [`${row.type}\u0000${row.doc_id}`, row]));
      this.db.exec('DELETE FROM cores; DELETE FROM linked; DELETE FROM heads; DELETE FROM docs; DELETE FROM obs_rtree; DELETE FROM obs_fts; DELETE FROM observation_blocks; DELETE FROM sealed_blocks;');
      // Read here, inside the transaction: the blocks still sealed are noted again.
      for (const log of logs) this.applyBlocks(log.coreKey, 0, log.blocks(), log.admits);
      // What changed, from what was there before to what is there now.
      const changes: IndexChange[] = [];
      for (const row of rows()) {
        const key = `${row.type}\u0000${row.doc_id}`;
        const was = before.get(key);
        before.delete(key);
        if (was === undefined || was.deleted === 1) {
          if (row.deleted === 0) changes.push({ kind: 'created', type: row.type, id: row.doc_id });
        } else if (row.deleted === 1) changes.push({ kind: 'deleted', type: row.type, id: row.doc_id });
        else if (row.version_id !== was.version_id) changes.push({ kind: 'updated', type: row.type, id: row.doc_id });
      }
      for (const was of before.values()) if (was.deleted === 0) changes.push({ kind: 'deleted', type: was.type, id: was.doc_id });
      return changes;
    });
    return run();
  }

  /**
   * Keeps a membership record, or a first version of the settings (which may name the project's
   * creator), in the tables the roster is built from. True for a membership record: those are
   * the roster's, not documents of the index.
   */
  keepRosterRecord(coreKey: string, block: number, versionId: string, version: StoredVersion): boolean {
    if (version.type === 'member') {
      if (!version.deleted && version.value !== null) {
        const added = this.statements.putMemberRecord.run(versionId, coreKey, block, version.docId, version.updatedAt, JSON.stringify(version.value));
        if (added.changes > 0) this.rosterRead += 1;
      }
      return true;
    }
    if (version.type === 'projectSettings' && version.links.length === 0 && version.createdBy === coreKey) {
      if (this.statements.putCreatorCandidate.run(versionId, coreKey, version.updatedAt).changes > 0) this.rosterRead += 1;
    }
    return false;
  }

  /**
   * How many distinct observations have a version in these stretches of document logs, as far as
   * they are indexed: what a sync brought. A tombstone is a version too (a deletion changes an
   * observation); an observation edited many times, or on many devices, counts once.
   */
  observationsIn(stretches: readonly LogStretch[]): number {
    const wanted = stretches.filter((stretch) => stretch.to > stretch.from).map((stretch) => [stretch.deviceId, stretch.from, stretch.to]);
    if (wanted.length === 0) return 0;
    return (this.statements.countObservationsIn.get(JSON.stringify(wanted)) as { n: number }).n;
  }

  /** The winner and forks of a document, deleted or not; null if no version is known. */
  current<T extends DocumentType>(type: T, docId: string): (CurrentDocument<T> & { deleted: boolean }) | null {
    const row = this.statements.getDoc.get(type, docId) as { json: string; forks: string; deleted: number } | undefined;
    if (row === undefined) return null;
    return {
      version: JSON.parse(row.json) as LocatedVersion<T>,
      forks: JSON.parse(row.forks) as string[],
      deleted: row.deleted === 1,
    };
  }

  /** Grows whenever blocks are indexed: what was read from the index before is still so if it has not grown. */
  get generation(): number {
    return this.applied;
  }

  /** Which of these ids name a document of this type here, deleted ones included. */
  knownIds(type: DocumentType, ids: readonly string[]): Set<string> {
    const known = new Set<string>();
    for (let at = 0; at < ids.length; at += 10_000) {
      const rows = this.statements.knownIds.all(type, JSON.stringify(ids.slice(at, at + 10_000))) as Array<{ doc_id: string }>;
      for (const row of rows) known.add(row.doc_id);
    }
    return known;
  }

  /** The deleted documents of a type: each tombstone's version and time. */
  tombstones(type: DocumentType): Array<{ id: string; version: string; updatedAt: string }> {
    return (this.statements.tombstones.all(type) as Array<{ doc_id: string; version_id: string; updated_at: string }>).map((row) => ({
      id: row.doc_id,
      version: row.version_id,
      updatedAt: row.updated_at,
    }));
  }

  /** The version ids of a document's heads. */
  heads(type: DocumentType, docId: string): string[] {
    return (this.statements.headsOf.all(type, docId) as HeadRow[]).map((row) => row.version_id);
  }

  /** The live (not deleted) documents of a type, oldest first. */
  list<T extends DocumentType>(type: T): CurrentDocument<T>[] {
    return (this.statements.listType.all(type) as Array<{ json: string; forks: string }>).map((row) => ({
      version: JSON.parse(row.json) as LocatedVersion<T>,
      forks: JSON.parse(row.forks) as string[],
    }));
  }

  queryObservations(filter: ObservationFilter = {}): CurrentDocument<'observation'>[] {
    const limit = filter.limit ?? -1;
    const offset = filter.offset ?? 0;
    const sort = filter.sort ?? 'createdAt';
    const column = Object.hasOwn(sortColumns, sort) ? sortColumns[sort] : undefined;
    if (column === undefined) throw new CairnError(ErrorCodes.INVALID_INPUT, `sort: give one of ${Object.keys(sortColumns).join(', ')} (got '${String(sort)}').`);
    const direction = (filter.descending ?? (sort === 'createdAt' || sort === 'updatedAt')) ? 'DESC' : 'ASC';
    // The page is chosen first, from the docs table alone when the order allows, and only its rows
    // are joined to their JSON: rows skipped by a deep OFFSET (a large export, a list scrolled far)
    // then cost an index step each instead of a read of their version.
    const join = column.includes('h.json') ? 'JOIN heads h ON h.version_id = d.version_id' : '';
    const { sql, params } = observationQuery(filter, `SELECT d.version_id, d.forks, d.doc_id, ${column} AS sort_key`, join);
    const rows = this.db
      .prepare(
        `SELECT h.json, page.forks FROM (${sql} ORDER BY ${column} ${direction}, d.doc_id ${direction} LIMIT ? OFFSET ?) page ` +
          `JOIN heads h ON h.version_id = page.version_id ORDER BY page.sort_key ${direction}, page.doc_id ${direction}`,
      )
      .all(...params, limit, offset) as Array<{ json: string; forks: string }>;
    return rows.map((row) => ({
      version: JSON.parse(row.json) as LocatedVersion<'observation'>,
      forks: JSON.parse(row.forks) as string[],
    }));
  }

  /** How many observations that match are in each category (null: none), most first. */
  countByCategory(filter: ObservationFilter = {}): Array<{ category: string | null; count: number }> {
    const { sql, params } = observationQuery(filter, 'SELECT d.category AS category, count(*) AS count');
    return this.db.prepare(`${sql} GROUP BY d.category ORDER BY count DESC, d.category`).all(...params) as Array<{ category: string | null; count: number }>;
  }

  /** Id, lon, lat and category of every observation that matches, in the order they were indexed. */
  observationPositions(filter: ObservationFilter = {}): ObservationPositions {
    // Without a filter on category or time, one pass over the table in rowid order beats the
    // planner's choice (the by-time index, then sorting a million rowids back: 2.8 times slower
    // once the times are spread over months).
    const scan = filter.category === undefined && filter.from === undefined && filter.to === undefined;
    const { sql, params } = observationQuery(filter, 'SELECT d.doc_id, d.category, d.lon, d.lat', '', scan ? 'NOT INDEXED' : '');
    const rows = this.db.prepare(`${sql} ORDER BY d.rowid`).raw(true).all(...params) as Array<[string, string | null, number, number]>;
    const positions: ObservationPositions = { ids: new Array<string>(rows.length), lon: new Float64Array(rows.length), lat: new Float64Array(rows.length), categories: new Array<string | null>(rows.length) };
    rows.forEach(([id, category, lon, lat], index) => {
      positions.ids[index] = id;
      positions.categories[index] = category;
      positions.lon[index] = lon;
      positions.lat[index] = lat;
    });
    return positions;
  }

  countObservations(filter: ObservationFilter = {}): number {
    const { sql, params } = observationQuery(filter, 'SELECT count(*) AS n');
    return (this.db.prepare(sql).get(...params) as { n: number }).n;
  }

  /** Every document row and head, in a stable order: two indexes of the same cores compare equal. */
  snapshot(): { docs: unknown[]; heads: unknown[]; cores: unknown[] } {
    return {
      docs: this.db.prepare('SELECT type, doc_id, version_id, deleted, created_at, updated_at, category, forks FROM docs ORDER BY type, doc_id').all(),
      heads: this.db.prepare('SELECT version_id, type, doc_id, updated_at, deleted FROM heads ORDER BY version_id').all(),
      cores: this.db.prepare('SELECT core_key, blocks, entries, observations FROM cores ORDER BY core_key').all(),
    };
  }

  /** Records a version; returns it as a head unless a version already known replaces it. */
  private applyVersion(versionId: string, version: StoredVersion): LocatedVersion | null {
    const { statements } = this;
    const superseded = statements.isLinked.get(versionId) !== undefined;
    for (const link of version.links) {
      statements.link.run(link);
      statements.deleteHead.run(link);
    }
    if (superseded) return null;
    const located: LocatedVersion = { ...version, versionId };
    statements.putHead.run(versionId, version.type, version.docId, version.updatedAt, version.deleted ? 1 : 0, JSON.stringify(located));
    return located;
  }

  /** Recomputes a document's winner from its heads and updates its row and search tables. */
  private refreshDocument(document: DirtyDocument): IndexChange | null {
    const { statements } = this;
    const { type, docId } = document;
    const previous = statements.getDocState.get(type, docId) as { rowid: number; deleted: number } | undefined;
    // The common case (a new document, its first version) needs no reading back.
    const fresh = previous === undefined && document.simple && document.heads.length === 1;
    const heads: HeadSummary[] = fresh
      ? document.heads.map((head) => ({ versionId: head.versionId, updatedAt: head.updatedAt, deleted: head.deleted }))
      : (statements.headsOf.all(type, docId) as HeadRow[]).map((row) => ({
          versionId: row.version_id,
          updatedAt: row.updated_at,
          deleted: row.deleted === 1,
        }));
    if (heads.length === 0) return null;
    const winner = pickWinner(heads);
    const headVersion = (versionId: string) =>
      document.heads.find((head) => head.versionId === versionId) ??
      (JSON.parse((statements.headJson.get(versionId) as { json: string }).json) as LocatedVersion);
    const version = headVersion(winner.versionId);
    // A head that says what the winner says is the document written twice (one file imported on
    // two devices), not an edit in conflict: no fork to show, nothing to choose between.
    const forks = heads
      .filter((head) => head !== winner && !sameContent(headVersion(head.versionId), version))
      .map((head) => head.versionId)
      .sort();
    const value = type === 'observation' && version.value ? (version.value as ObservationValue) : null;
    const row = [winner.versionId, winner.deleted ? 1 : 0, version.createdAt, version.updatedAt, value?.category ?? null, value?.lon ?? null, value?.lat ?? null, JSON.stringify(forks)];
    let rowid: number;
    if (previous === undefined) {
      rowid = Number(statements.insertDoc.run(type, docId, ...row).lastInsertRowid);
    } else {
      rowid = previous.rowid;
      statements.updateDoc.run(...row, rowid);
    }
    document.rowid = rowid;

    if (type === 'observation') {
      const wasLive = previous !== undefined && previous.deleted === 0;
      if (wasLive) {
        statements.deleteSpatial.run(rowid);
        statements.deleteText.run(rowid);
      }
      if (!winner.deleted) {
        const value = version.value as ObservationValue;
        statements.putSpatial.run(rowid, value.lon, value.lon, value.lat, value.lat);
        statements.putText.run(rowid, value.notes);
      }
    }

    if (previous === undefined) return winner.deleted ? null : { kind: 'created', type, id: docId };
    if (winner.deleted) return previous.deleted === 1 ? null : { kind: 'deleted', type, id: docId };
    return { kind: previous.deleted === 1 ? 'created' : 'updated', type, id: docId };
  }

  private readVersion(): string | null {
    const exists = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
    if (exists === undefined) return null;
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'version'").get() as { value: string } | undefined;
    return row?.value ?? null;
  }

  private dropTables(): void {
    this.db.exec(`
      DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS cores; DROP TABLE IF EXISTS linked;
      DROP TABLE IF EXISTS heads; DROP TABLE IF EXISTS docs; DROP TABLE IF EXISTS obs_rtree;
      DROP TABLE IF EXISTS obs_fts; DROP TABLE IF EXISTS observation_blocks;
      DROP TABLE IF EXISTS member_records; DROP TABLE IF EXISTS creator_candidates; DROP TABLE IF EXISTS sealed_blocks;
    `);
  }

  private createTables(): void {
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT OR REPLACE INTO meta (key, value) VALUES ('version', '${INDEX_VERSION}');
      CREATE TABLE IF NOT EXISTS cores (
        core_key TEXT PRIMARY KEY, blocks INTEGER NOT NULL, entries INTEGER NOT NULL, observations INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- Versions some known version replaces; they can never be heads again.
      CREATE TABLE IF NOT EXISTS linked (version_id TEXT PRIMARY KEY) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS heads (
        version_id TEXT PRIMARY KEY, type TEXT NOT NULL, doc_id TEXT NOT NULL,
        updated_at TEXT NOT NULL, deleted INTEGER NOT NULL, json TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS heads_by_doc ON heads (type, doc_id);
      CREATE TABLE IF NOT EXISTS docs (
        rowid INTEGER PRIMARY KEY, type TEXT NOT NULL, doc_id TEXT NOT NULL, version_id TEXT NOT NULL,
        deleted INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, category TEXT,
        -- An observation's place, exact (the R-tree rounds to 32-bit floats): maps and sorting read it here.
        lon REAL, lat REAL,
        forks TEXT NOT NULL, UNIQUE (type, doc_id)
      );
      CREATE INDEX IF NOT EXISTS docs_by_created ON docs (type, deleted, created_at);
      CREATE INDEX IF NOT EXISTS docs_by_category ON docs (type, deleted, category, created_at);
      -- The observations (docs rowids, a JSON array) each block of a log has versions of: what a
      -- sync brought is read by device and block. One row a block, not a version, keeps indexing fast.
      CREATE TABLE IF NOT EXISTS observation_blocks (
        core_key TEXT NOT NULL, block INTEGER NOT NULL, docs TEXT NOT NULL, PRIMARY KEY (core_key, block)
      ) WITHOUT ROWID;
      -- Membership records and first versions of the settings as read, judged by the roster each time.
      CREATE TABLE IF NOT EXISTS member_records (
        version_id TEXT PRIMARY KEY, writer TEXT NOT NULL, block INTEGER NOT NULL, subject TEXT NOT NULL,
        updated_at TEXT NOT NULL, json TEXT NOT NULL
      ) WITHOUT ROWID;
      -- Blocks passed over, sealed with a key this device did not hold then.
      CREATE TABLE IF NOT EXISTS sealed_blocks (core_key TEXT NOT NULL, block INTEGER NOT NULL, key_id TEXT NOT NULL, PRIMARY KEY (core_key, block)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS creator_candidates (version_id TEXT PRIMARY KEY, writer TEXT NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID;
      CREATE VIRTUAL TABLE IF NOT EXISTS obs_rtree USING rtree (id, min_lon, max_lon, min_lat, max_lat);
      CREATE VIRTUAL TABLE IF NOT EXISTS obs_fts USING fts5 (notes, content = '', contentless_delete = 1);
    `);
  }

  private prepare() {
    const db = this.db;
    return {
      noteSealed: db.prepare('INSERT OR REPLACE INTO sealed_blocks (core_key, block, key_id) VALUES (?, ?, ?)'),
      sealedKeys: db.prepare('SELECT DISTINCT key_id FROM sealed_blocks'),
      memberRecords: db.prepare('SELECT version_id, writer, block, subject, updated_at, json FROM member_records ORDER BY version_id'),
      putMemberRecord: db.prepare('INSERT OR IGNORE INTO member_records (version_id, writer, block, subject, updated_at, json) VALUES (?, ?, ?, ?, ?, ?)'),
      putCreatorCandidate: db.prepare('INSERT OR IGNORE INTO creator_candidates (version_id, writer, updated_at) VALUES (?, ?, ?)'),
      creator: db.prepare('SELECT writer FROM creator_candidates ORDER BY updated_at, version_id LIMIT 1'),
      getCore: db.prepare('SELECT blocks, entries, observations FROM cores WHERE core_key = ?'),
      putCore: db.prepare('INSERT OR REPLACE INTO cores (core_key, blocks, entries, observations) VALUES (?, ?, ?, ?)'),
      isLinked: db.prepare('SELECT 1 FROM linked WHERE version_id = ?'),
      link: db.prepare('INSERT OR IGNORE INTO linked (version_id) VALUES (?)'),
      deleteHead: db.prepare('DELETE FROM heads WHERE version_id = ?'),
      putHead: db.prepare(
        'INSERT OR REPLACE INTO heads (version_id, type, doc_id, updated_at, deleted, json) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      headsOf: db.prepare('SELECT version_id, updated_at, deleted FROM heads WHERE type = ? AND doc_id = ?'),
      headJson: db.prepare('SELECT json FROM heads WHERE version_id = ?'),
      getDocState: db.prepare('SELECT rowid, deleted FROM docs WHERE type = ? AND doc_id = ?'),
      tombstones: db.prepare('SELECT doc_id, version_id, updated_at FROM docs WHERE type = ? AND deleted = 1 ORDER BY doc_id'),
      knownIds: db.prepare('SELECT doc_id FROM docs WHERE type = ? AND doc_id IN (SELECT value FROM json_each(?))'),
      getDoc: db.prepare(
        'SELECT h.json, d.forks, d.deleted FROM docs d JOIN heads h ON h.version_id = d.version_id WHERE d.type = ? AND d.doc_id = ?',
      ),
      insertDoc: db.prepare(
        'INSERT INTO docs (type, doc_id, version_id, deleted, created_at, updated_at, category, lon, lat, forks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      updateDoc: db.prepare(
        'UPDATE docs SET version_id = ?, deleted = ?, created_at = ?, updated_at = ?, category = ?, lon = ?, lat = ?, forks = ? WHERE rowid = ?',
      ),
      listType: db.prepare(
        'SELECT h.json, d.forks FROM docs d JOIN heads h ON h.version_id = d.version_id WHERE d.type = ? AND d.deleted = 0 ORDER BY d.created_at, d.doc_id',
      ),
      putObservationBlock: db.prepare('INSERT OR REPLACE INTO observation_blocks (core_key, block, docs) VALUES (?, ?, ?)'),
      // The stretches, a JSON array of [core key, from, to], drive the loop: each reads a range of the primary key.
      countObservationsIn: db.prepare(
        'SELECT count(DISTINCT doc.value) AS n FROM json_each(?) stretch ' +
          'JOIN observation_blocks b ON b.core_key = stretch.value ->> 0 AND b.block >= stretch.value ->> 1 AND b.block < stretch.value ->> 2, ' +
          'json_each(b.docs) doc',
      ),
      deleteSpatial: db.prepare('DELETE FROM obs_rtree WHERE id = ?'),
      putSpatial: db.prepare('INSERT INTO obs_rtree (id, min_lon, max_lon, min_lat, max_lat) VALUES (?, ?, ?, ?, ?)'),
      deleteText: db.prepare('DELETE FROM obs_fts WHERE rowid = ?'),
      putText: db.prepare('INSERT INTO obs_fts (rowid, notes) VALUES (?, ?)'),
    };
  }
}

