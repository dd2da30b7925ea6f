import { CairnError, ErrorCodes } from '@cairn/sdk/common';

/**
 * Cutting a GeoJSON document into its features as its text arrives (see {@link GeojsonSplitter}).
 */

/** JSON text of a value for messages, cut short. */
export function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Where the splitter is in the document's structure (outside the values it skips over). */
const enum At {
  /** Before the document's first character. */
  Start,
  /** In the top-level object, where a member's key or its closing `}` comes. */
  Key,
  /** After a key, where its `:` comes. */
  Colon,
  /** After a key's `:`, where its value starts. */
  Value,
  /** After a member, where `,` or `}` comes. */
  MemberEnd,
  /** In the feature array, where the first feature or `]` comes. */
  FirstItem,
  /** After a `,` in the feature array, where a feature must come. */
  Item,
  /** After a feature, where `,` or `]` comes. */
  ItemEnd,
  /** After the document's end: only white space may follow. */
  End,
}

/** What the value being scanned is: one of the features, a member's key, or another member's value. */
const enum Role {
  None,
  Feature,
  Key,
  Member,
}

/** The shape of the value being scanned. */
const enum Kind {
  String,
  Container,
  Literal,
}

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BOM = 0xfeff;

function isSpace(code: number): boolean {
  return code === SPACE || code === LF || code === CR || code === TAB;
}

function notGeojson(message: string, cause?: unknown): CairnError {
  return new CairnError(ErrorCodes.INVALID_INPUT, `Not a GeoJSON file: ${message}`, cause === undefined ? undefined : { cause });
}

/** Whether the backslashes just before `index` (back to `from`) escape the character at `index`. */
function isEscaped(text: string, from: number, index: number): boolean {
  let run = 0;
  for (let k = index - 1; k >= from && text.charCodeAt(k) === BACKSLASH; k -= 1) run += 1;
  return run % 2 === 1;
}

/**
 * Cuts a GeoJSON document into its features as its text arrives, in chunks cut anywhere, holding
 * no more than the feature being read (and the document's text outside the feature array). It
 * reads a FeatureCollection (the features of its top-level `features` array), a bare array of
 * features, or a single Feature. Give it each chunk with {@link write}, then call {@link end};
 * each returns the features it completed, parsed, in order. A document that is not JSON, or not
 * one of those three, throws a `CairnError` with `ERR_INVALID_INPUT`; when the top-level `type`
 * comes before `features` (as every exporter writes it), before any feature is returned.
 *
 * It follows only the nesting depth and where strings start and end (a `"` after an odd run of
 * backslashes is escaped), jumping from quote to quote with `indexOf`. Each feature's text is
 * sliced out of the chunk (joined with the previous chunks' slices when it spans several) and
 * parsed by `JSON.parse`, which checks it; the text outside the feature array is parsed at the
 * end, which checks the rest of the document.
 */
export class GeojsonSplitter {
  private at = At.Start;
  /** Nesting depth at the current character: 1 inside the top-level object or array. */
  private depth = 0;
  /** Whether the document is a top-level array. */
  private array = false;
  /** Depth of the feature array's items: 1 for a bare array, 2 for a FeatureCollection's. */
  private itemDepth = -1;
  /** Whether the feature array was found, and whether the text being read is inside it. */
  private streamed = false;
  private inArray = false;

  /** The value being scanned: its role, its kind and the depth it sits at. */
  private role = Role.None;
  private kind = Kind.String;
  private valueDepth = 0;
  /** Inside a string; and whether the last chunk ended on a backslash that escapes the next character. */
  private inString = false;
  private escaped = false;
  /** Whether the value's text is kept (a feature, a key, the `type`), and its earlier chunks' slices. */
  private keeping = false;
  private parts: string[] = [];
  /** Where the kept value starts in the current chunk (0 when it began in an earlier one). */
  private start = -1;

  /** The last key read in the top-level object, and its `type` once read. */
  private key = '';
  private type: unknown = undefined;
  /** The document's text outside the feature array, and where its slice starts in the current chunk. */
  private rest: string[] = [];
  private restStart = -1;
  private features: unknown[] = [];
  private count = 0;

  /** Reads the next chunk of the document; returns the features it completed. */
  write(chunk: string): unknown[] {
    const text = chunk;
    const length = text.length;
    this.features = [];
    let i = 0;
    if (this.at === At.Start && length > 0 && text.charCodeAt(0) === BOM) i = 1;
    this.restStart = this.inArray ? -1 : i;
    this.start = this.keeping ? 0 : -1;
    while (i < length) {
      if (this.inString) {
        i = this.scanString(text, i);
        if (!this.inString && this.kind === Kind.String) this.endValue(text, i);
        continue;
      }
      if (this.role !== Role.None) {
        if (this.kind === Kind.Container) {
          i = this.scanContainer(text, i);
          if (this.depth === this.valueDepth) this.endValue(text, i);
        } else {
          // A number, true, false or null ends where a delimiter or white space starts.
          const code = text.charCodeAt(i);
          if (code === COMMA || code === CLOSE_BRACE || code === CLOSE_BRACKET || isSpace(code)) this.endValue(text, i);
          else i += 1;
        }
        continue;
      }
      const code = text.charCodeAt(i);
      if (isSpace(code)) {
        i += 1;
        continue;
      }
      i = this.structure(text, i, code);
    }
    if (this.keeping && this.start >= 0 && this.start < length) this.parts.push(text.slice(this.start));
    if (this.restStart >= 0 && this.restStart < length) this.rest.push(text.slice(this.restStart));
    return this.features;
  }

  /** Ends the document; returns the features that completes (a single-Feature document's one). */
  end(): unknown[] {
    this.features = [];
    if (this.at === At.Start) throw notGeojson('the file is empty.');
    if (this.at !== At.End) throw notGeojson('the JSON text ends too soon (is the file cut short?).');
    let document: unknown;
    try {
      document = JSON.parse(this.rest.join(''));
    } catch (error) {
      throw notGeojson(`it is not valid JSON (${(error as Error).message}).`, error);
    }
    this.rest = [];
    if (this.array) return this.features;
    const { type } = document as Record<string, unknown>;
    if (this.streamed) {
      if (type === undefined || type === 'FeatureCollection') return this.features;
      throw notGeojson(`its type is ${shown(type)}, not FeatureCollection.`);
    }
    if (type === 'Feature') {
      this.count += 1;
      return [document];
    }
    if (type === 'FeatureCollection') throw notGeojson('its FeatureCollection has no "features" array.');
    throw notGeojson(type === undefined ? 'it has no "type"; a FeatureCollection or a Feature was expected.' : `its type is ${shown(type)}, not FeatureCollection or Feature.`);
  }

  /** A structural character (not white space, not in a value): returns the next index. */
  private structure(text: string, i: number, code: number): number {
    switch (this.at) {
      case At.Start:
        this.depth = 1;
        if (code === OPEN_BRACE) {
          this.at = At.Key;
          return i + 1;
        }
        if (code === OPEN_BRACKET) {
          this.array = true;
          this.streamed = true;
          this.inArray = true;
          this.itemDepth = 1;
          this.at = At.FirstItem;
          this.rest.push('[');
          this.restStart = -1;
          return i + 1;
        }
        throw notGeojson(`it starts with ${shown(text.slice(i, i + 20))}, not with { or [.`);
      case At.Key:
        if (code === QUOTE) return this.openValue(Role.Key, true, code, i);
        if (code === CLOSE_BRACE) {
          this.depth = 0;
          this.at = At.End;
          return i + 1;
        }
        throw this.unexpected(text, i);
      case At.Colon:
        if (code !== COLON) throw this.unexpected(text, i);
        this.at = At.Value;
        return i + 1;
      case At.Value:
        if (this.key === 'features') {
          const type = this.type;
          if (type !== undefined && type !== 'FeatureCollection' && type !== 'Feature') throw notGeojson(`its type is ${shown(type)}, not FeatureCollection.`);
          if (code === OPEN_BRACKET && !this.streamed && type !== 'Feature') {
            // The feature array: its items are cut out; the rest of the document is kept.
            this.streamed = true;
            this.inArray = true;
            this.itemDepth = 2;
            this.depth = 2;
            this.at = At.FirstItem;
            this.rest.push(text.slice(this.restStart, i + 1));
            this.restStart = -1;
            return i + 1;
          }
        }
        return this.openValue(Role.Member, this.key === 'type', code, i);
      case At.MemberEnd:
        if (code === COMMA) {
          this.at = At.Key;
          return i + 1;
        }
        if (code === CLOSE_BRACE) {
          this.depth = 0;
          this.at = At.End;
          return i + 1;
        }
        throw this.unexpected(text, i);
      case At.FirstItem:
      case At.Item:
        if (code === CLOSE_BRACKET && this.at === At.FirstItem) return this.closeArray(i);
        if (code === CLOSE_BRACKET || code === CLOSE_BRACE || code === COMMA || code === COLON) throw this.unexpected(text, i);
        return this.openValue(Role.Feature, true, code, i);
      case At.ItemEnd:
        if (code === COMMA) {
          this.at = At.Item;
          return i + 1;
        }
        if (code === CLOSE_BRACKET) return this.closeArray(i);
        throw this.unexpected(text, i);
      case At.End:
        throw notGeojson(`there is more text after the end of the JSON document: ${shown(text.slice(i, i + 20))}.`);
    }
  }

  /** Starts the value whose first character, `code`, is at `i`; returns the next index. */
  private openValue(role: Role, keep: boolean, code: number, i: number): number {
    this.role = role;
    this.valueDepth = this.depth;
    this.keeping = keep;
    this.parts = [];
    this.start = keep ? i : -1;
    if (code === QUOTE) {
      this.kind = Kind.String;
      this.inString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      this.kind = Kind.Container;
      this.depth += 1;
    } else this.kind = Kind.Literal;
    return i + 1;
  }

  /** The value ends just before `end`: hand it on by its role. */
  private endValue(text: string, end: number): void {
    const role = this.role;
    const kept = this.keeping;
    this.role = Role.None;
    let value = '';
    if (kept) {
      const last = this.start >= 0 ? text.slice(this.start, end) : '';
      value = this.parts.length === 0 ? last : this.parts.join('') + last;
      this.parts = [];
      this.keeping = false;
      this.start = -1;
    }
    if (role === Role.Feature) {
      try {
        this.features.push(JSON.parse(value));
      } catch (error) {
        throw notGeojson(`feature ${this.count} is not valid JSON (${(error as Error).message}).`, error);
      }
      this.count += 1;
      this.at = At.ItemEnd;
      return;
    }
    if (kept) {
      try {
        if (role === Role.Key) this.key = JSON.parse(value) as string;
        else this.type = JSON.parse(value);
      } catch (error) {
        throw notGeojson(`it is not valid JSON (${(error as Error).message}).`, error);
      }
    }
    this.at = role === Role.Key ? At.Colon : At.MemberEnd;
  }

  /** Moves past the string's closing quote, or to the chunk's end; returns the next index. */
  private scanString(text: string, from: number): number {
    let i = from;
    if (this.escaped) {
      this.escaped = false;
      i += 1;
    }
    for (;;) {
      const quote = text.indexOf('"', i);
      if (quote === -1) {
        this.escaped = text.length > i && isEscaped(text, i, text.length);
        return text.length;
      }
      const escaped = isEscaped(text, i, quote);
      i = quote + 1;
      if (!escaped) {
        this.inString = false;
        return i;
      }
    }
  }

  /**
   * Scans a container value (a feature) from `from`; returns the index after its closing bracket
   * (the depth is then back to the value's), or the chunk's end. The hot loop: locals only.
   */
  private scanContainer(text: string, from: number): number {
    const length = text.length;
    const target = this.valueDepth;
    let depth = this.depth;
    let i = from;
    while (i < length) {
      const code = text.charCodeAt(i);
      i += 1;
      if (code === QUOTE) {
        for (;;) {
          const quote = text.indexOf('"', i);
          if (quote === -1) {
            this.inString = true;
            this.escaped = length > i && isEscaped(text, i, length);
            this.depth = depth;
            return length;
          }
          const escaped = isEscaped(text, i, quote);
          i = quote + 1;
          if (!escaped) break;
        }
      } else if (code === OPEN_BRACE || code === OPEN_BRACKET) depth += 1;
      else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        depth -= 1;
        if (depth === target) break;
      }
    }
    this.depth = depth;
    return i;
  }

  /** The feature array's `]`. */
  private closeArray(i: number): number {
    this.depth = this.itemDepth - 1;
    this.inArray = false;
    this.restStart = i;
    this.at = this.array ? At.End : At.MemberEnd;
    return i + 1;
  }

  private unexpected(text: string, i: number): CairnError {
    const where = this.inArray && this.count > 0 ? ` after feature ${this.count - 1}` : '';
    return notGeojson(`it is not valid JSON (unexpected ${shown(text.slice(i, i + 20))}${where}).`);
  }
}

/** The features of a GeoJSON document whose text comes in chunks, one at a time (see {@link GeojsonSplitter}). */
export async function* geojsonFeatures(chunks: AsyncIterable<string> | Iterable<string>): AsyncGenerator<unknown> {
  const splitter = new GeojsonSplitter();
  for await (const chunk of chunks) yield* splitter.write(chunk);
  yield* splitter.end();
}
