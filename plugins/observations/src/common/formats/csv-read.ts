import { CairnError, ErrorCodes, type ImportRecord, type ObservationInput, type TagValue } from '@cairn/sdk/common';
import { CSV_BASE_COLUMNS } from './csv.js';
import { setTag, toCreatedAt, type SourceRecord } from './geojson-read.js';

/**
 * Reading CSV back into observations: Cairn's own export (whose columns round-trip) and any
 * spreadsheet with a latitude and a longitude column. {@link CsvParser} cuts the text into
 * records as it arrives; {@link csvHeader} reads the first record; {@link rowToRecord} maps the
 * others.
 */

/** One record of a CSV file: its cells, and the line it starts on (1 for the first). */
export interface CsvRecord {
  cells: string[];
  line: number;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BOM = 0xfeff;

/** The delimiters a header may use, most likely first. */
const DELIMITERS = [',', ';', '\t'] as const;

/**
 * An RFC 4180 reader that takes the text in chunks cut anywhere: fields quoted or not, `""` for a
 * quote inside quotes, line breaks (CR, LF or CRLF) inside quoted fields, CR, LF or CRLF between
 * records, and a byte-order mark before the first. It is lenient where spreadsheets are: a quote
 * inside an unquoted field is taken as it is, and text after a closing quote joins the field.
 * Blank lines are skipped.
 *
 * The delimiter is `,` unless given; with `'auto'` it is whichever of `,`, `;` and tab occurs most
 * often (outside quotes) in the first record, as a spreadsheet set to a decimal comma writes `;`.
 * Fields are sliced from the chunk, never built a character at a time.
 */
export class CsvParser {
  private delimiter: number;
  /** The text of the first record while the delimiter is still being chosen. */
  private pending: string[] | null;
  private started = false;

  /** Line of the character being read (1-based), and the line the current record started on. */
  private line = 1;
  private recordLine = 1;
  private cells: string[] = [];
  private field = '';
  /** Whether the current field has begun (so a quote in it is not an opening quote). */
  private fieldStarted = false;
  private inQuotes = false;
  /** The chunk ended on a quote inside quotes: a closing quote, or the first of a `""`. */
  private quoteAtEnd = false;
  /** The chunk ended on a CR between records: an LF starting the next one is the same line break. */
  private crAtEnd = false;
  /** The quoted text so far ends with a CR: an LF next is the same line break (for counting lines). */
  private quotedCR = false;
  /** While the delimiter is chosen: whether the first record's text so far ends inside quotes. */
  private pendingQuoted = false;
  /** Line where the open quoted field started, for the message when it is never closed. */
  private quoteLine = 0;
  private records: CsvRecord[] = [];

  constructor(delimiter: ',' | ';' | '\t' | 'auto' = ',') {
    this.delimiter = delimiter === 'auto' ? -1 : delimiter.charCodeAt(0);
    this.pending = delimiter === 'auto' ? [] : null;
  }

  /** Reads the next chunk; returns the records it completed. */
  write(chunk: string): CsvRecord[] {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
    }
    if (this.pending !== null) {
      this.pending.push(text);
      const end = this.firstRecordEnd(text);
      if (end === -1) return [];
      const length = this.pending.reduce((sum, part) => sum + part.length, 0) - text.length + end;
      text = this.pending.join('');
      this.pending = null;
      this.delimiter = chooseDelimiter(text.slice(0, length)).charCodeAt(0);
    }
    this.records = [];
    this.parse(text);
    return this.records;
  }

  /** Ends the text; returns the last record, if the text did not end with a line break. */
  end(): CsvRecord[] {
    this.records = [];
    if (this.pending !== null) {
      const buffered = this.pending.join('');
      this.pending = null;
      this.delimiter = chooseDelimiter(buffered).charCodeAt(0);
      this.parse(buffered);
    }
    if (this.quoteAtEnd) {
      this.quoteAtEnd = false;
      this.inQuotes = false;
    }
    if (this.inQuotes) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `Not a valid CSV file: the quoted field that starts on line ${this.quoteLine} is never closed (a missing ").`);
    }
    this.endRecord();
    return this.records;
  }

  /**
   * The hot loop. The next delimiter, quote, CR and LF are found with `indexOf` (native, much
   * faster than a loop over the characters) and each is searched again only once passed; the
   * current field, its cells and the records are locals, written back at the end.
   */
  private parse(text: string): void {
    const length = text.length;
    const delimiter = this.delimiter;
    const delimiterChar = String.fromCharCode(delimiter);
    const records = this.records;
    let field = this.field;
    let started = this.fieldStarted;
    let cells = this.cells;
    // Where the next of each is (-1: none left in this chunk; -2: not searched yet).
    let nextDelimiter = -2;
    let nextQuote = -2;
    let nextCR = -2;
    let nextLF = -2;
    let i = 0;
    if (this.quoteAtEnd) {
      this.quoteAtEnd = false;
      if (length > 0 && text.charCodeAt(0) === QUOTE) {
        field += '"';
        i = 1;
      } else this.inQuotes = false;
    }
    if (this.crAtEnd && length > 0) {
      this.crAtEnd = false;
      if (text.charCodeAt(i) === LF) i += 1;
    }
    while (i < length) {
      if (nextQuote !== -1 && nextQuote < i) nextQuote = text.indexOf('"', i);
      if (nextCR !== -1 && nextCR < i) nextCR = text.indexOf('\r', i);
      if (nextLF !== -1 && nextLF < i) nextLF = text.indexOf('\n', i);
      if (this.inQuotes) {
        const quote = nextQuote;
        const end = quote === -1 ? length : quote;
        if ((nextCR !== -1 && nextCR < end) || (nextLF !== -1 && nextLF < end)) this.countLines(text, i, end);
        else this.quotedCR = false;
        field += text.slice(i, end);
        if (quote === -1) break;
        if (quote + 1 === length) {
          this.quoteAtEnd = true;
          break;
        }
        if (text.charCodeAt(quote + 1) === QUOTE) {
          field += '"';
          i = quote + 2;
        } else {
          this.inQuotes = false;
          i = quote + 1;
        }
        continue;
      }
      // Unquoted: up to the next delimiter, quote or line break.
      if (nextDelimiter !== -1 && nextDelimiter < i) nextDelimiter = text.indexOf(delimiterChar, i);
      let j = length;
      if (nextDelimiter !== -1) j = nextDelimiter;
      if (nextQuote !== -1 && nextQuote < j) j = nextQuote;
      if (nextCR !== -1 && nextCR < j) j = nextCR;
      if (nextLF !== -1 && nextLF < j) j = nextLF;
      if (j > i) {
        field = started ? field + text.slice(i, j) : text.slice(i, j);
        started = true;
      }
      if (j === length) break;
      const code = text.charCodeAt(j);
      i = j + 1;
      if (code === delimiter) {
        cells.push(field);
        field = '';
        started = false;
      } else if (code === QUOTE) {
        if (started) field += '"';
        else {
          this.inQuotes = true;
          started = true;
          this.quoteLine = this.line;
        }
      } else {
        // A line break ends the record; a blank line is no record.
        if (cells.length > 0 || started) {
          cells.push(field);
          records.push({ cells, line: this.recordLine });
          cells = [];
        }
        field = '';
        started = false;
        this.line += 1;
        this.recordLine = this.line;
        if (code === CR) {
          if (i === length) this.crAtEnd = true;
          else if (text.charCodeAt(i) === LF) i += 1;
        }
      }
    }
    this.field = field;
    this.fieldStarted = started;
    this.cells = cells;
  }

  /** Counts the line breaks in `text` from `from` to `to` (inside a quoted field). */
  private countLines(text: string, from: number, to: number): void {
    let cr = this.quotedCR;
    let line = this.line;
    for (let k = from; k < to; k += 1) {
      const code = text.charCodeAt(k);
      if (code === LF) {
        if (!cr) line += 1;
        cr = false;
      } else if (code === CR) {
        line += 1;
        cr = true;
      } else cr = false;
    }
    this.line = line;
    // A CR that ends this chunk's part of the field and an LF that starts the next are one break.
    this.quotedCR = to === text.length && cr;
  }

  /**
   * Where the first record ends in this chunk (its first line break outside quotes), or -1 if it
   * goes on past it, quotes followed from the chunks before.
   */
  private firstRecordEnd(text: string): number {
    let quoted = this.pendingQuoted;
    for (let i = 0; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      if (code === QUOTE) quoted = !quoted;
      else if (!quoted && (code === CR || code === LF)) return i;
    }
    this.pendingQuoted = quoted;
    return -1;
  }

  /** Ends the last record, at the end of the text. */
  private endRecord(): void {
    if (this.cells.length > 0 || this.fieldStarted) {
      this.cells.push(this.field);
      this.records.push({ cells: this.cells, line: this.recordLine });
    }
    this.cells = [];
    this.field = '';
    this.fieldStarted = false;
  }
}

/** The delimiter that occurs most often outside quotes in a header line (`,` on a tie). */
function chooseDelimiter(header: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((delimiter) => [delimiter, 0]));
  let quoted = false;
  for (const char of header) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  let best: string = ',';
  for (const delimiter of DELIMITERS) if (counts.get(delimiter)! > counts.get(best)!) best = delimiter;
  return best;
}

/** What a column holds. */
export type CsvColumn =
  | { role: 'lat' | 'lon' | 'category' | 'notes' | 'createdAt' | 'photos' | 'skip' }
  | { role: 'tag'; key: string }
  /** The record's own id; in a file that is not Cairn's export, also kept as a tag (`tag`). */
  | { role: 'id'; tag?: string };

/** A CSV file's header, read: what each column holds. */
export interface CsvHeader {
  columns: CsvColumn[];
  /** The indexes of the latitude and longitude columns, and their names as the file has them. */
  lat: number;
  lon: number;
  latName: string;
  lonName: string;
}

const LAT_NAMES = ['lat', 'latitude', 'y'];
const LON_NAMES = ['lon', 'lng', 'long', 'longitude', 'x'];
/** Columns of Cairn's own export that describe the record, not what was observed. */
const CAIRN_METADATA = ['version', 'updatedAt', 'createdBy'];
const TAG_PREFIX = 'tag:';

/**
 * The first column named one of `names`: by exact name first (in the order given), then ignoring
 * case; -1 if none. Exact names first, so in Cairn's export, which always has `lat` and `lon`, a
 * tag named `Lat` or `x` stays a tag.
 */
function findColumn(names: readonly string[], candidates: readonly string[], taken: ReadonlySet<number>): number {
  for (const candidate of candidates) {
    const index = names.findIndex((name, at) => name === candidate && !taken.has(at));
    if (index !== -1) return index;
  }
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    const index = names.findIndex((name, at) => name.toLowerCase() === lower && !taken.has(at));
    if (index !== -1) return index;
  }
  return -1;
}

/**
 * Reads a header row: the latitude column (`lat`, `latitude` or `y`) and the longitude column
 * (`lon`, `lng`, `long`, `longitude` or `x`), any case; the category (`category`, else
 * `categoryId`), `notes` (else `note`, Mapeo's universal field), `createdAt` and `id` columns;
 * and a tag for every other column, named as the column (`tag:<key>`, which Cairn's writer uses
 * for a tag named like one of its columns, is read as `<key>`). The `id` is the record's own id
 * (its `sourceId`). The columns Cairn's export adds about the record itself (`version`,
 * `updatedAt`, `createdBy`) are skipped and its `attachments` read as photo names when the header
 * is Cairn's (has every one of its columns); in another file they are tags like any other, and
 * so is `id` too, so a spreadsheet's own id stays in view.
 * Throws `ERR_INVALID_INPUT` when there is no latitude or no longitude column.
 */
export function csvHeader(cells: readonly string[]): CsvHeader {
  const names = cells.map((cell) => cell.trim());
  const taken = new Set<number>();
  const lat = findColumn(names, LAT_NAMES, taken);
  if (lat !== -1) taken.add(lat);
  const lon = findColumn(names, LON_NAMES, taken);
  if (lat === -1 || lon === -1) {
    const missing = lat === -1 ? 'latitude column (lat, latitude or y)' : 'longitude column (lon, lng, long, longitude or x)';
    throw new CairnError(
      ErrorCodes.INVALID_INPUT,
      `The CSV file has no ${missing}; its first row names the columns: ${names.slice(0, 12).join(', ') || '(none)'}${names.length > 12 ? '…' : ''}.`,
    );
  }
  taken.add(lon);
  const roles = new Map<number, CsvColumn>([
    [lat, { role: 'lat' }],
    [lon, { role: 'lon' }],
  ]);
  const cairn = CSV_BASE_COLUMNS.every((column) => names.includes(column));
  const claim = (candidates: readonly string[], column: CsvColumn): boolean => {
    const index = findColumn(names, candidates, taken);
    if (index === -1) return false;
    taken.add(index);
    roles.set(index, column.role === 'id' && !cairn ? { role: 'id', tag: names[index] } : column);
    return true;
  };
  claim(['category', 'categoryId'], { role: 'category' });
  if (!claim(['notes'], { role: 'notes' })) claim(['note'], { role: 'notes' });
  claim(['createdAt', 'created_at'], { role: 'createdAt' });
  claim(['id'], { role: 'id' });
  if (cairn) claim(['attachments'], { role: 'photos' });
  const prefixed = new Set<string>(CSV_BASE_COLUMNS);
  const columns = names.map((name, index): CsvColumn => {
    const role = roles.get(index);
    if (role !== undefined) return role;
    if (cairn && CAIRN_METADATA.includes(name)) return { role: 'skip' };
    if (name.startsWith(TAG_PREFIX) && prefixed.has(name.slice(TAG_PREFIX.length))) return { role: 'tag', key: name.slice(TAG_PREFIX.length) };
    return { role: 'tag', key: name === '' ? `column ${index + 1}` : name };
  });
  return { columns, lat, lon, latName: names[lat]!, lonName: names[lon]! };
}

/** A coordinate as a spreadsheet may write it: `-3.46`, ` 12 `, `1e-3`, or with a decimal comma, `-3,46`. */
const NUMBER = /^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:e[+-]?\d+)?$/i;

function coordinate(cell: string | undefined, name: string, what: 'latitude' | 'longitude', limit: number): number | string {
  const text = (cell ?? '').trim();
  if (text === '') return `It has no ${what} (column ${name} is empty).`;
  if (!NUMBER.test(text)) return `Its ${what} ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)} (column ${name}) is not a number.`;
  const value = Number(text.includes(',') ? text.replace(',', '.') : text);
  if (value < -limit || value > limit) return `Its ${what} ${value} is out of range (-${limit} to ${limit}).`;
  return value;
}

/**
 * One CSV row (cells in the header's order) as an observation to create, or the reason it
 * cannot be one, `line` being where the row starts. Every cell is text: a tag is kept as the
 * string it is (a number or a list written as JSON included), and an empty cell sets no tag.
 */
export function rowToRecord(header: CsvHeader, cells: readonly string[], line: number): ImportRecord {
  return readRow(header, cells, line).record;
}

/** {@link rowToRecord}, and the names of the photos the row refers to (Cairn's `attachments`, `;` between them). */
export function readRow(header: CsvHeader, cells: readonly string[], line: number): SourceRecord {
  const position = { line };
  const reject = (error: string): SourceRecord => ({ record: { position, error }, photos: [] });
  const { columns } = header;
  for (let index = columns.length; index < cells.length; index += 1) {
    if (cells[index]!.trim() !== '') {
      return reject(`It has ${cells.length} cells but the header names ${columns.length} columns (is a field with a comma not quoted?).`);
    }
  }
  const lat = coordinate(cells[header.lat], header.latName, 'latitude', 90);
  if (typeof lat === 'string') return reject(lat);
  const lon = coordinate(cells[header.lon], header.lonName, 'longitude', 180);
  if (typeof lon === 'string') return reject(lon);
  const input: ObservationInput = { lat, lon, category: null };
  let sourceId: string | undefined;
  let photos: string[] = [];
  const tags: Record<string, TagValue> = {};
  for (let index = 0; index < columns.length; index += 1) {
    const cell = cells[index];
    if (cell === undefined || cell === '') continue;
    const column = columns[index]!;
    switch (column.role) {
      case 'category':
        if (cell.trim() !== '') input.category = cell.trim();
        break;
      case 'notes':
        input.notes = cell;
        break;
      case 'createdAt': {
        if (cell.trim() === '') break;
        const created = toCreatedAt(cell, 'createdAt');
        if ('error' in created) return reject(created.error);
        input.createdAt = created.createdAt;
        break;
      }
      case 'id':
        if (cell.trim() !== '') sourceId = cell.trim();
        if (column.tag !== undefined && !Object.hasOwn(tags, column.tag)) setTag(tags, column.tag, cell);
        break;
      case 'photos':
        photos = cell.split(';').filter((name) => name !== '');
        break;
      case 'tag':
        // Two columns of one name: the first with a value wins.
        if (!Object.hasOwn(tags, column.key)) setTag(tags, column.key, cell);
        break;
      default:
        break;
    }
  }
  input.tags = tags;
  return { record: sourceId === undefined ? { position, input } : { position, input, sourceId }, photos };
}
