/**
 * The profile-properties CSV that Klaviyo's CSV import accepts as is: `Email` then one column per
 * property, numbers as plain decimals, dates as `yyyy-MM-dd HH:mm:ss` UTC, blank where there is no value.
 */
import { extname } from 'node:path';
import { formatValue, writeCentsValue } from '../domain/money.js';
import type { ProfileValues, ProfileValuesSource } from '../engine/profiles/profile-accumulator.js';
import type { PropertySchema } from '../domain/computation.js';
import { formatUtc } from '../domain/timestamp.js';
import { AtomicFile, CUSTOMER_FILE } from './atomic-file.js';
import { UtcDateBytes } from '../engine/tables/utc-date-bytes.js';

export const EMAIL_COLUMN = 'Email';
/** Klaviyo's import column for a profile's phone; written only when some profile has no email. */
export const PHONE_COLUMN = 'Phone Number';

/** Klaviyo's upload limit is 50 MB per CSV; parts stay under it with room to spare. */
export const KLAVIYO_UPLOAD_LIMIT_BYTES = 50_000_000;

/**
 * The profiles CSV from the accumulator's numbers, in the schema's column order: what `compute` writes.
 * Written by hand rather than with csv-stringify (the tests hold it to csv-stringify's output): one line
 * per profile, millions of them, and only an email or a column name can ever need quoting. Written as bytes straight into buffers of about a megabyte: for millions of profiles, a string per
 * cell and per line, joined and then encoded again on the way to the file, was most of the writing.
 */
export function* profileValuesCsvChunks(source: ProfileValuesSource): Generator<string | Buffer> {
  yield profilesCsvHeader(source.schema, source.withPhone);
  for (const lines of profileCsvLines(source, source.withPhone)) yield lines.bytes;
}

/** The header line of a profiles CSV of these columns, with its line break. */
export function profilesCsvHeader(schema: PropertySchema, withPhone: boolean): string {
  return headerLine(schema.names, withPhone);
}

/**
 * Lines of a profiles CSV, about a megabyte at a time, with the key of each line beside it when
 * `keyed` (for merging the sorted lines of several shards by key, see keyed-lines.ts). `withPhone`
 * is whether the whole CSV has a phone column, which need not be this source's own `withPhone`.
 */
export function* profileCsvLines(source: Iterable<ProfileValues> & { readonly schema: PropertySchema }, withPhone: boolean, { keyed = false }: { readonly keyed?: boolean } = {}): Generator<CsvLines> {
  const columns = source.schema.columns;
  const isDate = Uint8Array.from(columns, (column) => (column.kind === 'date' ? 1 : 0));
  const dates = new UtcDateBytes();
  let out = new CsvBytes(dates, keyed);
  for (const profile of source) {
    out.reserve(BYTES_PER_CELL * (columns.length + 2));
    if (withPhone && profile.byPhone) out.byte(COMMA);
    out.key(profile);
    if (withPhone && !profile.byPhone) out.byte(COMMA);
    const cells = profile.cells;
    for (let c = 0; c < isDate.length; c++) {
      const cell = cells[c]!;
      out.byte(COMMA);
      if (Number.isNaN(cell)) continue;
      if (isDate[c] === 1) out.date(cell);
      else out.value(cell);
    }
    out.endLine(profile);
    if (out.full) {
      yield out.lines();
      out = new CsvBytes(dates, keyed);
    }
  }
  if (out.count > 0) yield out.lines();
}

/**
 * Whole lines of a profiles CSV; when keyed, line i ends at `lineEnds[i]` of `bytes` and its key's
 * UTF-16 units are `keyUnits[keyEnds[i - 1], keyEnds[i])` (from 0 for the first).
 */
export interface CsvLines {
  readonly bytes: Buffer;
  readonly count: number;
  readonly lineEnds: Uint32Array;
  readonly keyUnits: Uint16Array;
  readonly keyEnds: Uint32Array;
}

const COMMA = 0x2c;
const LF = 0x0a;
const QUOTE = 0x22;
const CR = 0x0d;
const FIRST_NON_ASCII = 0x80;
/** A chunk is handed on once it holds this much; a line is far shorter than the room left. */
const CHUNK_BYTES = 1 << 20;
const CHUNK_ROOM = 64 * 1024;
/** Enough for a comma and any number or date this writes. */
const BYTES_PER_CELL = 40;
/** Room a keyed chunk starts with, grown when its lines are shorter or its keys longer. */
const LINES_PER_CHUNK = 1 << 14;
const KEY_UNITS_PER_CHUNK = 1 << 19;

/** A copy of `array` with room for `needed` or twice as many. */
function grown<T extends Uint32Array | Uint16Array>(array: T, needed: number): T {
  const copy = new (array.constructor as new (length: number) => T)(Math.max(needed, 2 * array.length));
  copy.set(array);
  return copy;
}

/** One chunk of CSV being written as bytes. */
class CsvBytes {
  #buffer = Buffer.allocUnsafe(CHUNK_BYTES + CHUNK_ROOM);
  readonly #dates: UtcDateBytes;
  readonly #keyed: boolean;
  length = 0;
  count = 0;
  #lineEnds: Uint32Array;
  #keyEnds: Uint32Array;
  #keyUnits: Uint16Array;
  #keyUnitsUsed = 0;

  constructor(dates: UtcDateBytes, keyed: boolean) {
    this.#dates = dates;
    this.#keyed = keyed;
    this.#lineEnds = new Uint32Array(keyed ? LINES_PER_CHUNK : 0);
    this.#keyEnds = new Uint32Array(keyed ? LINES_PER_CHUNK : 0);
    this.#keyUnits = new Uint16Array(keyed ? KEY_UNITS_PER_CHUNK : 0);
  }

  get full(): boolean {
    return this.length >= CHUNK_BYTES;
  }

  lines(): CsvLines {
    return {
      bytes: this.#buffer.subarray(0, this.length),
      count: this.count,
      lineEnds: this.#lineEnds.subarray(0, this.#keyed ? this.count : 0),
      keyUnits: this.#keyUnits.subarray(0, this.#keyUnitsUsed),
      keyEnds: this.#keyEnds.subarray(0, this.#keyed ? this.count : 0),
    };
  }

  /** Ends the line of `profile`: a line break, and when keyed, where the line ends and its key. */
  endLine(profile: ProfileValues): void {
    this.#buffer[this.length++] = LF;
    if (this.#keyed) {
      if (this.count === this.#lineEnds.length) {
        this.#lineEnds = grown(this.#lineEnds, this.count + 1);
        this.#keyEnds = grown(this.#keyEnds, this.count + 1);
      }
      let written = profile.writeKeyUnits(this.#keyUnits, this.#keyUnitsUsed);
      if (written < 0) {
        this.#keyUnits = grown(this.#keyUnits, this.#keyUnitsUsed + profile.key.length);
        written = profile.writeKeyUnits(this.#keyUnits, this.#keyUnitsUsed);
      }
      this.#keyUnitsUsed += written;
      this.#lineEnds[this.count] = this.length;
      this.#keyEnds[this.count] = this.#keyUnitsUsed;
    }
    this.count++;
  }

  byte(value: number): void {
    this.#buffer[this.length++] = value;
  }

  /** A property value as formatValue writes it. */
  value(value: number): void {
    const written = writeCentsValue(value, this.#buffer, this.length);
    if (written < 0) this.ascii(formatValue(value));
    else this.length += written;
  }

  /** Text known to be ASCII (a number). */
  ascii(text: string): void {
    for (let i = 0; i < text.length; i++) this.#buffer[this.length++] = text.charCodeAt(i);
  }

  /** Makes room for `bytes` more (a line's numbers and dates need well under a hundred bytes each). */
  reserve(bytes: number): void {
    if (this.length + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(this.length + bytes + CHUNK_ROOM);
    this.#buffer.copy(grown, 0, 0, this.length);
    this.#buffer = grown;
  }

  /**
   * The profile's email or phone, quoted if it must be. Nearly every key is ASCII that needs no
   * quotes: its bytes are copied as they are (they are its UTF-8); any other key goes through `field`.
   */
  key(profile: ProfileValues): void {
    const copied = profile.writeKeyLatin1(this.#buffer, this.length);
    if (copied >= 0 && isPlainAscii(this.#buffer, this.length, copied)) this.length += copied;
    else this.field(profile.key);
  }

  /** An email or phone, quoted if it must be. */
  field(text: string): void {
    const cell = csvField(text);
    this.reserve(cell.length * 3); // UTF-8 takes at most 3 bytes per UTF-16 unit
    this.length += this.#buffer.write(cell, this.length, 'utf8');
  }

  /** `yyyy-MM-dd HH:mm:ss` in UTC, as formatUtc writes it. */
  date(epochMs: number): void {
    const written = this.#dates.write(epochMs, this.#buffer, this.length);
    if (written < 0) this.ascii(formatUtc(epochMs));
    else this.length += written;
  }
}

/** Whether `bytes[at, at + count)` are ASCII and none of them makes csvField quote the cell. */
function isPlainAscii(bytes: Uint8Array, at: number, count: number): boolean {
  for (let i = at; i < at + count; i++) {
    const byte = bytes[i]!;
    if (byte >= FIRST_NON_ASCII || byte === QUOTE || byte === COMMA || byte === CR || byte === LF) return false;
  }
  return true;
}

function headerLine(columns: readonly string[], withPhone: boolean): string {
  return `${[EMAIL_COLUMN, ...(withPhone ? [PHONE_COLUMN] : []), ...columns].map(csvField).join(',')}\n`;
}

const NEEDS_QUOTES = /[",\r\n]/;

/** A field as RFC 4180 writes it: quoted, with quotes doubled, only when it has to be. */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The parts of a profiles CSV, complete under temporary names: committed or discarded together. */
export interface StagedProfilesCsv {
  /** Where the parts go on commit: `path`, or `name-1.csv`, `name-2.csv`, ... */
  readonly paths: readonly string[];
  /** The header line every part starts with (without its line break). */
  readonly header: string;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/**
 * Writes the CSV to `path`, or, when it would exceed `maxBytes`, to `name-1.csv`, `name-2.csv`, ...,
 * each with the header. `chunks` is the CSV text, header first (`profileCsvChunks`,
 * `profileValuesCsvChunks`). All parts are renamed into place only once every part is complete.
 * Returns the paths written.
 */
export async function writeProfilesCsv(path: string, chunks: Iterator<string | Buffer> | AsyncIterator<string | Buffer>, maxBytes = KLAVIYO_UPLOAD_LIMIT_BYTES): Promise<string[]> {
  const staged = await stageProfilesCsv(path, chunks, maxBytes);
  await staged.commit();
  return [...staged.paths];
}

/** Writes the parts as writeProfilesCsv does, leaving them under their temporary names until commit. */
export async function stageProfilesCsv(
  path: string,
  chunks: Iterator<string | Buffer> | AsyncIterator<string | Buffer>,
  maxBytes = KLAVIYO_UPLOAD_LIMIT_BYTES,
): Promise<StagedProfilesCsv> {
  const header = (await chunks.next()).value as string;
  const headerBytes = Buffer.byteLength(header);
  const parts = [new AtomicFile(path, CUSTOMER_FILE)];
  const discard = async () => {
    await Promise.all(parts.map((part) => part.discard()));
  };
  try {
    await parts[0]!.write(header);
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) {
      const chunk = next.value;
      // Whole chunks while they fit (the common case: one file under 50 MB); line by line at a split.
      if (parts.at(-1)!.bytesWritten + Buffer.byteLength(chunk) <= maxBytes) {
        await parts.at(-1)!.write(chunk);
        continue;
      }
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      let start = 0;
      // Emails and dates never contain line breaks, so every record is exactly one line.
      for (let end = bytes.indexOf(0x0a); end >= 0; end = bytes.indexOf(0x0a, start)) {
        const line = bytes.subarray(start, end + 1);
        start = end + 1;
        let current = parts.at(-1)!;
        if (current.bytesWritten + line.length > maxBytes && current.bytesWritten > headerBytes) {
          // Too big for one upload: what was written so far becomes part 1.
          if (parts.length === 1) current.retarget(partPath(path, 1));
          current = new AtomicFile(partPath(path, parts.length + 1), CUSTOMER_FILE);
          parts.push(current);
          await current.write(header);
        }
        await current.write(line);
      }
    }
    for (const part of parts) await part.finish();
  } catch (error) {
    await discard();
    throw error;
  }
  return {
    paths: parts.map((part) => part.path),
    header: header.replace(/\n$/, ''),
    commit: async () => {
      try {
        for (const part of parts) await part.commit();
      } catch (error) {
        await discard();
        throw error;
      }
    },
    discard,
  };
}

/** `profiles.csv` -> `profiles-2.csv`. */
export function partPath(path: string, part: number): string {
  const extension = extname(path);
  return `${path.slice(0, path.length - extension.length)}-${part}${extension}`;
}
