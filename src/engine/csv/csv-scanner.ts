/**
 * An RFC 4180 scanner that knows nothing about streams: it is handed bytes and calls back with records.
 *
 * Written for this tool rather than taken from csv-parse for three reasons. Positions: every record
 * carries the line it starts on and its exact raw text, which the rejects file needs (csv-parse counts
 * `\r\n` inside quotes twice and drops the `\n` of CRLF from its raw text). Recovery: a malformed
 * record costs one physical line, not the rest of the file; after a stray or unclosed quote the
 * scanner rejects the line where the record began and reads on from the next line. Speed: it works on
 * bytes and decodes only the columns the reader asked for, so a Shopify export's 79 columns cost the
 * price of the five the flow needs (csv-parse decodes every field of every row into a string).
 * csv-parse stays the reference: test/io/csv-scanner.test.ts compares the two on random CSV.
 *
 * Dialect: one-byte delimiter, `"` quotes, `""` for a quote inside quotes, records end at `\n` or
 * `\r\n`, or at `\r` in a file whose first line ends with a lone `\r` (old Mac exports, some
 * spreadsheet tools), blank lines are skipped. A quote inside an unquoted field is kept as text (Excel writes such
 * fields). A UTF-8 byte-order mark at the start is dropped.
 */

import { MAX_STRUCTURED_COLUMN, OUTPUT_FULL, RECORD_HEADER_SLOTS, StructurePass } from './csv-structure.js';
import { GOES_ON, MALFORMED as OVERSIZED_MALFORMED, OversizedRecord } from './csv-oversized-record.js';
import { formatCount } from '../../wording.js';

export class ScannedRecord {
  readonly kind = 'record' as const;
  #fieldCount: number;
  #line: number;
  // The record's bytes, line break included, as offsets into the input chunk: decoded only when asked
  // for (rejects), and without a Buffer view object per record.
  readonly #source: Buffer;
  #start: number;
  #end: number;
  /** The decoded fields: given (the scanner's own code decodes as it reads), or decoded when first asked for. */
  #fields: string[] | undefined;
  /** For a record the structural pass found: its pass's slots, where its own begin, and the columns decoded. */
  #slots: Int32Array | undefined;
  #at = 0;
  #columns: DecodedColumns | undefined;

  constructor(fields: string[] | undefined, fieldCount: number, line: number, source: Buffer, start: number, end: number) {
    this.#fields = fields;
    this.#fieldCount = fieldCount;
    this.#line = line;
    this.#source = source;
    this.#start = start;
    this.#end = end;
  }

  /** A record the structural pass found, decoded field by field when asked (see csv-structure.ts for the slots). */
  static structured(slots: Int32Array, at: number, columns: DecodedColumns, line: number, source: Buffer): ScannedRecord {
    const record = new ScannedRecord(undefined, slots[at + 2]!, line, source, slots[at]!, slots[at + 1]!);
    record.#slots = slots;
    record.#at = at;
    record.#columns = columns;
    return record;
  }

  /** Makes a structured record the one whose slots start at `at` of the same slots, on line `line`. */
  static moveTo(record: ScannedRecord, at: number, line: number): void {
    const slots = record.#slots!;
    record.#at = at;
    record.#line = line;
    record.#fields = undefined;
    record.#fieldCount = slots[at + 2]!;
    record.#start = slots[at]!;
    record.#end = slots[at + 1]!;
  }

  /** How many fields the record has (the header's width, when it is well formed). */
  get fieldCount(): number {
    return this.#fieldCount;
  }

  /** 1-based line on which the record starts. */
  get line(): number {
    return this.#line;
  }

  /**
   * Field texts by column. When the reader asked for some columns only, the others are left
   * undefined (never read them); `fieldCount` is the record's true width either way.
   */
  get fields(): string[] {
    if (this.#fields === undefined) {
      const columns = this.#columns!;
      const fields = new Array<string>(columns.list.length === 0 ? 0 : columns.last + 1);
      for (const column of columns.list) if (column < this.fieldCount) fields[column] = this.#decode(column);
      this.#fields = fields;
    }
    return this.#fields;
  }

  /**
   * One field's text, as `fields[column]` gives it, without decoding the others: for readers that
   * need some columns only on some rows (a Shopify order's total is on its first row only).
   */
  text(column: number): string | undefined {
    if (this.#fields !== undefined) return this.#fields[column];
    if (column >= this.fieldCount || this.#columns!.wanted[column] !== true) return undefined;
    return this.#decode(column);
  }

  /** The input bytes that `asciiStart` and `asciiEnd` point into. */
  get bytes(): Buffer {
    return this.#source;
  }

  /**
   * Where the text of `column` starts in `bytes`, when its bytes are its characters one for one (the
   * record is ASCII and the field holds no `""`); -1 when it is to be read with `text`. With
   * `asciiEnd`, for readers that parse a cell once per order of millions without making a string of it.
   */
  asciiStart(column: number): number {
    const slots = this.#slots;
    // A quoted field holding `""` (its slot's end is negative): its bytes are not its characters.
    if (slots === undefined || slots[this.#at + 4] !== 0 || column >= this.fieldCount || this.#columns!.wanted[column] !== true) return -1;
    const slot = this.#at + RECORD_HEADER_SLOTS + 2 * column;
    return slots[slot + 1]! < 0 ? -1 : slots[slot]!;
  }

  /** Where the text of `column` ends in `bytes`; only where `asciiStart` is not -1. */
  asciiEnd(column: number): number {
    return this.#slots![this.#at + RECORD_HEADER_SLOTS + 2 * column + 1]!;
  }

  #decode(column: number): string {
    const slots = this.#slots!;
    const slot = this.#at + RECORD_HEADER_SLOTS + 2 * column;
    const start = slots[slot]!;
    const end = slots[slot + 1]!;
    // The slot's top bit marks a quoted field holding `""`. An ASCII record's fields decode as Latin-1: the same text, without UTF-8's checks.
    const text = (slots[this.#at + 4] === 0 ? decodeLatin1 : decodeUtf8)(this.#source, start, end & 0x7fffffff);
    return end < 0 ? text.replaceAll('""', '"') : text;
  }

  /** The record's length in the file, in bytes, line break included. */
  get byteLength(): number {
    return this.#end - this.#start;
  }

  /** The record's text as it was in the file, line break included. */
  get raw(): string {
    return this.#source.toString('utf8', this.#start, this.#end);
  }
}

/** The columns a scanner decodes: by column, in order, and the last. */
interface DecodedColumns {
  readonly wanted: readonly boolean[];
  readonly list: readonly number[];
  readonly last: number;
}

export type SyntaxIssueCode = 'CSV_INVALID_CLOSING_QUOTE' | 'CSV_QUOTE_NOT_CLOSED' | 'CSV_RECORD_TOO_LARGE';

export interface ScanIssue {
  readonly code: SyntaxIssueCode;
  readonly line: number;
  /** 1-based column (in bytes) of the offending quote on its line. */
  readonly column: number;
  readonly reason: string;
  /** The physical line(s) rejected, line break included; of a record over the size limit, its first bytes. */
  readonly raw: string;
  /**
   * Set when the rows after the issue cannot be told apart from it: a record over the size limit
   * that is not well-formed (see csv-oversized-record.ts). A reader of orders stops there.
   */
  readonly unrecoverable?: boolean;
}

export interface ScanSink {
  record(record: ScannedRecord): void;
  issue(issue: ScanIssue): void;
  /**
   * Records the structural pass found, all at once instead of through `record` one by one: for a
   * reader that keeps no record, so one object can stand for each in turn (StructuredRecords.forEach).
   * It must take in every record of the batch, in order, and not change the columns to decode.
   */
  records?(batch: StructuredRecords): void;
}

/**
 * Records the structural pass found (see csv-structure.ts), given to a sink all at once. Valid during
 * the sink's call only: the pass writes its next records over them.
 */
export class StructuredRecords {
  readonly count: number;
  readonly #slots: Int32Array;
  readonly #stride: number;
  readonly #source: Buffer;
  readonly #firstLine: number;
  readonly #columns: DecodedColumns;

  constructor(slots: Int32Array, stride: number, count: number, source: Buffer, firstLine: number, columns: DecodedColumns) {
    this.#slots = slots;
    this.#stride = stride;
    this.count = count;
    this.#source = source;
    this.#firstLine = firstLine;
    this.#columns = columns;
  }

  /**
   * Each record in turn, as `record` would have been given it, but as one object moved from record
   * to record: `visit` must not keep it. No object per record, for a reader of millions of rows
   * that keeps none of them (a profiles CSV).
   */
  forEach(visit: (record: ScannedRecord) => void): void {
    if (this.count === 0) return;
    const slots = this.#slots;
    const record = ScannedRecord.structured(slots, 0, this.#columns, this.#firstLine, this.#source);
    let line = this.#firstLine;
    for (let index = 0, at = 0; index < this.count; index++, at += this.#stride) {
      ScannedRecord.moveTo(record, at, line);
      visit(record);
      line += slots[at + 3]!;
    }
  }
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * The size limit of a record: one still open after this many bytes is rejected whole, read on to its
 * end without being kept (csv-oversized-record.ts). No order row comes near it.
 */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/** How much of a record over the size limit the rejects file shows. */
const OVERSIZED_RAW_BYTES = 1024;

/** Below this many bytes left, copying them into the structural pass costs more than it saves. */
const MIN_STRUCTURED_BYTES = 4096;

/** Result of scanning one record; `end` is where the next one starts, or -1 when more input is needed. */
const INCOMPLETE = -1;

export interface ScannerOptions {
  /**
   * The structural pass (csv-structure.ts): 'auto' where a chunk is long enough to pay for it, 'off'
   * never, 'every-chunk' on chunks of any length (for tests, which hold it to the scanner's own code).
   */
  readonly structurePass?: 'auto' | 'off' | 'every-chunk';
  /** The size limit of a record (MAX_RECORD_BYTES); tests set it low. */
  readonly maxRecordBytes?: number;
}

/** A record over the size limit being read on to its end (see csv-oversized-record.ts). */
interface OpenOversized {
  readonly record: OversizedRecord;
  /** The line it starts on. */
  readonly line: number;
  /** Its first bytes, for the rejects file. */
  readonly raw: string;
}

export class CsvScanner {
  readonly #delimiter: number;
  readonly #sink: ScanSink;
  /** Bytes of the record still open at the end of the last chunk. */
  #carry: Buffer = Buffer.alloc(0);
  #line = 1;
  #started = false;
  /** Set by #scanRecord when a closing quote is followed by stray text. */
  #badQuoteAt = -1;
  /**
   * How lines end, settled from the first line break: 'cr' for a file of lone `\r`s, which are then
   * read as `\n` (copied chunks, so offsets and lengths stay those of the file).
   */
  #lineBreaks: 'unsettled' | 'lf' | 'cr' = 'unsettled';
  /** The bytes before the first line break, while `#lineBreaks` is unsettled. */
  #head: Buffer = Buffer.alloc(0);

  /** The structural pass in WebAssembly, where it can run (see ScannerOptions). */
  readonly #structure: StructurePass | undefined;
  readonly #structureMinBytes: number;
  readonly #maxRecordBytes: number;
  /** A record over the size limit being read on to its end, the line it starts on, and its first bytes. */
  #oversized: OpenOversized | undefined;

  constructor(delimiter: string, sink: ScanSink, { structurePass = 'auto', maxRecordBytes = MAX_RECORD_BYTES }: ScannerOptions = {}) {
    const bytes = Buffer.from(delimiter, 'utf8');
    if (bytes.length !== 1 || bytes[0] === QUOTE || bytes[0] === LF || bytes[0] === CR) {
      throw new Error(`unsupported CSV delimiter ${JSON.stringify(delimiter)}`);
    }
    this.#delimiter = bytes[0]!;
    this.#sink = sink;
    this.#structure = structurePass === 'off' ? undefined : StructurePass.create();
    this.#structureMinBytes = structurePass === 'every-chunk' ? 0 : MIN_STRUCTURED_BYTES;
    this.#maxRecordBytes = maxRecordBytes;
  }

  /**
   * Decodes only these columns from the next record on (the header is read whole, then the reader
   * says what it needs). Undefined: every column.
   */
  decodeOnly(columns: readonly number[] | undefined): void {
    if (columns === undefined) {
      this.#decodedColumns = undefined;
      this.#lastWanted = Infinity;
      return;
    }
    const wanted: boolean[] = [];
    for (const column of columns) wanted[column] = true;
    this.#lastWanted = Math.max(-1, ...columns);
    this.#decodedColumns = { wanted, list: [...new Set(columns)].sort((a, b) => a - b), last: this.#lastWanted };
  }

  /** Which columns to decode (for the scanner's own code and the structural pass's records); undefined: all of them. */
  #decodedColumns: DecodedColumns | undefined;

  /** The last column decoded: the fields after it are only counted (see #scanRecord). */
  #lastWanted = Infinity;

  push(chunk: Buffer): void {
    if (this.#lineBreaks === 'unsettled') {
      const head = Buffer.concat([this.#head, chunk]);
      const settled = lineBreakStyle(head, false);
      if (settled === undefined && head.length <= this.#maxRecordBytes) {
        this.#head = head;
        return;
      }
      this.#lineBreaks = settled ?? 'lf';
      this.#head = Buffer.alloc(0);
      chunk = head;
    }
    if (this.#lineBreaks === 'cr') chunk = this.#crAsLf(chunk);
    // The record left open by the last chunk usually ends at this chunk's first line break: complete
    // it from that head alone, so the rest of the chunk is scanned where it lies instead of being
    // copied to follow the carried bytes (a copy of every byte of the file, ~5% of a run). A record
    // that runs on (a quoted line break) is joined to the rest as usual.
    if (this.#carry.length > 0) {
      const lineEnd = chunk.indexOf(LF);
      if (lineEnd >= 0 && lineEnd + 1 < chunk.length) {
        this.#pushJoined(chunk.subarray(0, lineEnd + 1));
        this.#pushJoined(chunk.subarray(lineEnd + 1));
        return;
      }
    }
    this.#pushJoined(chunk);
  }

  #pushJoined(chunk: Buffer): void {
    if (this.#oversized !== undefined) {
      // A record over the size limit is being read on to its end (nothing is carried meanwhile).
      const rest = this.#readOversized(chunk);
      if (rest === undefined || rest.length === 0) return;
      chunk = rest;
    }
    let bytes = this.#carry.length === 0 ? chunk : Buffer.concat([this.#carry, chunk]);
    if (!this.#started) {
      if (bytes.length < BOM.length && bytes.length > 0 && bytes.every((b, i) => b === BOM[i])) {
        this.#carry = bytes; // could still be a BOM: wait for more
        return;
      }
      this.#started = true;
      if (bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2]) bytes = bytes.subarray(3);
    }
    this.#carry = bytes.subarray(this.#scan(bytes, false));
  }

  /** The line the next record starts on. */
  get line(): number {
    return this.#line;
  }

  /** Bytes of a record still open (0: everything pushed so far ended in whole records). */
  get pendingBytes(): number {
    return this.#carry.length + this.#head.length + (this.#oversized === undefined ? 0 : this.#oversized.record.bytes);
  }

  /**
   * A copy of `chunk` with each lone `\r` made a `\n`. A `\r` at the end is left for the next chunk
   * to settle (it may start with `\n`): it is still in the carried record then, a copy of ours.
   */
  #crAsLf(chunk: Buffer): Buffer {
    const carry = this.#carry;
    if (carry.length > 0 && carry[carry.length - 1] === CR && chunk[0] !== LF) carry[carry.length - 1] = LF;
    const copy = Buffer.from(chunk);
    for (let i = copy.indexOf(CR); i >= 0 && i + 1 < copy.length; i = copy.indexOf(CR, i + 1)) {
      if (copy[i + 1] !== LF) copy[i] = LF;
    }
    return copy;
  }

  /**
   * Goes on as if the input so far had ended at line `line - 1`: for reading a part of a file that
   * starts there (the header was pushed first; see io/file-cut.ts).
   */
  continueAtLine(line: number): void {
    this.#line = line;
  }

  /** End of input: an open record is complete if its quotes are balanced, and malformed if not. */
  end(): void {
    if (this.#lineBreaks === 'unsettled') {
      const head = this.#head;
      this.#lineBreaks = lineBreakStyle(head, true) ?? 'lf';
      this.#head = Buffer.alloc(0);
      if (head.length > 0) this.push(head);
    }
    if (this.#lineBreaks === 'cr' && this.#carry[this.#carry.length - 1] === CR) this.#carry[this.#carry.length - 1] = LF;
    this.#started = true;
    const oversized = this.#oversized;
    if (oversized !== undefined) {
      this.#oversized = undefined;
      // The end of the file ends the record, unless a quoted field in it never closed.
      if (oversized.record.closedAtEnd) this.#rejectOversized(oversized);
      else this.#unrecoverable(oversized, 'CSV_QUOTE_NOT_CLOSED', 'runs on to the end of the file and never closes');
    }
    const bytes = this.#carry;
    this.#carry = Buffer.alloc(0);
    this.#scan(bytes, true);
  }

  /**
   * Reads on through a record over the size limit (see csv-oversized-record.ts): returns what follows
   * its end in `chunk`, or undefined when it goes on past the chunk.
   */
  #readOversized(chunk: Buffer): Buffer | undefined {
    const oversized = this.#oversized!;
    let end = oversized.record.feed(chunk, 0);
    if (end === OVERSIZED_MALFORMED) {
      this.#unrecoverable(oversized, 'CSV_INVALID_CLOSING_QUOTE', `is closed at line ${oversized.line + oversized.record.malformedLine} by a quote followed by more text`);
      end = oversized.record.feed(chunk, oversized.record.malformedAt);
    }
    if (end === GOES_ON) return undefined;
    this.#oversized = undefined;
    this.#rejectOversized(oversized);
    return chunk.subarray(end);
  }

  /** Starts reading on through the record from `start`, over the size limit: nothing of it is kept but its first bytes. */
  #startOversized(bytes: Buffer, start: number): number {
    const prefixEnd = utf8Boundary(bytes, start, Math.min(bytes.length, start + OVERSIZED_RAW_BYTES));
    this.#oversized = { record: new OversizedRecord(this.#delimiter), line: this.#line, raw: bytes.toString('utf8', start, prefixEnd) };
    const rest = this.#readOversized(bytes.subarray(start));
    return rest === undefined ? bytes.length : bytes.length - rest.length;
  }

  /** The one reject of a record over the size limit, once its end is found; reading goes on after it. */
  #rejectOversized({ record, line, raw }: OpenOversized): void {
    this.#rejectTooLarge(line, record.bytes, record.lineBreaks, record.endedByLineFeed, raw);
  }

  /**
   * A record over the size limit that came whole in the bytes at hand (it is held already, but it is
   * no order row all the same): rejected as one read on to its end would be, whatever the chunking.
   */
  #rejectWholeOversized(bytes: Buffer, start: number, end: number, lineBreaks: number): void {
    const raw = bytes.toString('utf8', start, utf8Boundary(bytes, start, Math.min(end, start + OVERSIZED_RAW_BYTES)));
    this.#rejectTooLarge(this.#line, end - start, lineBreaks, bytes[end - 1] === LF, raw);
  }

  #rejectTooLarge(line: number, size: number, lineBreaks: number, endedByLineFeed: boolean, raw: string): void {
    // Its last line: the one its final line feed ends (at the end of the file, the one it stops on).
    const lastLine = line + Math.max(0, lineBreaks - (endedByLineFeed ? 1 : 0));
    this.#sink.issue({
      code: 'CSV_RECORD_TOO_LARGE',
      line,
      column: 1,
      reason: `the record is longer than ${limitText(this.#maxRecordBytes)} (${formatCount(size)} bytes, lines ${formatCount(line)} to ${formatCount(lastLine)}): rejected whole without reading its rows (the rejects file shows its first ${OVERSIZED_RAW_BYTES} bytes), and reading went on after it`,
      raw,
    });
    this.#line += lineBreaks;
  }

  /**
   * A record over the size limit that is not well-formed: its last quoted field `how` (never closes,
   * or is closed by a quote followed by text), so where its rows end cannot be told (see csv-oversized-record.ts).
   */
  #unrecoverable({ record, line, raw }: OpenOversized, code: SyntaxIssueCode, how: string): void {
    const opened = line + record.quoteLine;
    this.#sink.issue({
      code,
      line: opened,
      column: record.quoteColumn,
      reason: `a quoted field opened at line ${formatCount(opened)}, column ${record.quoteColumn}, ${how}: the rows after it were read into one record longer than ${limitText(this.#maxRecordBytes)}, and which of them are orders cannot be told`,
      raw,
      unrecoverable: true,
    });
  }

  /** Scans whole records from `bytes`; returns where the unfinished tail starts. */
  #scan(bytes: Buffer, atEnd: boolean): number {
    let start = 0;
    try {
      while (start < bytes.length) {
        if (this.#structure !== undefined && this.#lastWanted <= MAX_STRUCTURED_COLUMN && bytes.length - start >= this.#structureMinBytes) {
          start = this.#scanStructured(this.#structure, bytes, start);
          if (start >= bytes.length || this.#structure.stopKind === OUTPUT_FULL) continue;
        }
        const next = this.#scanOne(bytes, start, atEnd);
        if (next === INCOMPLETE) return start;
        start = next;
      }
      return start;
    } finally {
      this.#structure?.release();
    }
  }

  /**
   * Records found by the structural pass, from `start`, delivered as #scanRecord would deliver them;
   * returns where the pass stopped (see StructureStop). Stops early when the sink changes the
   * columns to decode, as a reader does after the header: the pass found the offsets for the old ones.
   */
  #scanStructured(structure: StructurePass, bytes: Buffer, start: number): number {
    const columns = this.#decodedColumns!;
    const found = structure.scan(bytes, start, this.#delimiter, this.#lastWanted);
    const max = this.#maxRecordBytes;
    const sinkOfBatches = this.#sink.records;
    if (sinkOfBatches !== undefined) {
      const slots = structure.records;
      const stride = structure.stride;
      // Up to the first record over the size limit, if one is found whole (a record of up to a chunk more than the limit can be).
      let count = 0;
      while (count < found && slots[count * stride + 1]! - slots[count * stride]! <= max) count++;
      sinkOfBatches.call(this.#sink, new StructuredRecords(slots, stride, count, bytes, this.#line, columns));
      for (let at = 0; at < count * stride; at += stride) this.#line += slots[at + 3]!;
      if (count === found) return structure.stopAt;
      const at = count * stride;
      this.#rejectWholeOversized(bytes, slots[at]!, slots[at + 1]!, slots[at + 3]!);
      return slots[at + 1]!;
    }
    // The pass's output is overwritten by its next call: the records keep a copy (one per pass, not per record).
    const slots = structure.records.slice(0, found * structure.stride);
    for (let at = 0; at < slots.length; at += structure.stride) {
      if (slots[at + 1]! - slots[at]! > max) {
        this.#rejectWholeOversized(bytes, slots[at]!, slots[at + 1]!, slots[at + 3]!);
        continue;
      }
      const record = ScannedRecord.structured(slots, at, columns, this.#line, bytes);
      this.#sink.record(record);
      this.#line += slots[at + 3]!;
      if (this.#decodedColumns !== columns) return slots[at + 1]!;
    }
    return structure.stopAt;
  }

  /** One step of scanning from `start`: a blank line, a record or a rejected one; INCOMPLETE when the bytes end first. */
  #scanOne(bytes: Buffer, start: number, atEnd: boolean): number {
    const first = bytes[start];
    if (first === LF) {
      this.#line++;
      return start + 1; // blank line
    }
    if (first === CR) {
      if (start + 1 === bytes.length && !atEnd) return INCOMPLETE;
      if (bytes[start + 1] === LF) {
        this.#line++;
        return start + 2; // blank CRLF line
      }
    }
    // Sized for the columns decoded: filling a sparse array from empty gives it more than twice the room.
    const fields = this.#decodedColumns === undefined ? [] : new Array<string>(this.#lastWanted + 1);
    const end = this.#scanRecord(bytes, start, atEnd, fields);
    if (end === INCOMPLETE) {
      const tooLarge = !atEnd && bytes.length - start > this.#maxRecordBytes;
      if (this.#badQuoteAt >= 0) {
        const quoteAt = this.#badQuoteAt;
        this.#badQuoteAt = -1;
        const recovered = this.#recoveredEnd(bytes, start, atEnd, atEnd || tooLarge);
        if (recovered === INCOMPLETE && !atEnd && !tooLarge) return INCOMPLETE; // the rest of the row is still to come
        // A malformed row that, read with its bad quote as text, runs on past the limit too.
        if (recovered === INCOMPLETE && tooLarge) return this.#startOversized(bytes, start);
        return this.#reject(bytes, start, 'CSV_INVALID_CLOSING_QUOTE', quoteAt, recovered);
      }
      if (!atEnd && !tooLarge) return INCOMPLETE;
      // Over the size limit: one reject for the whole record, wherever it ends (never its inside read as rows).
      if (tooLarge) return this.#startOversized(bytes, start);
      return this.#reject(bytes, start, 'CSV_QUOTE_NOT_CLOSED', openingQuote(bytes, start, this.#delimiter), this.#recoveredEnd(bytes, start, atEnd, true));
    }
    if (end - start > this.#maxRecordBytes) {
      this.#rejectWholeOversized(bytes, start, end, this.#recordLineBreaks);
      return end;
    }
    this.#sink.record(new ScannedRecord(fields, this.#fieldCount, this.#line, bytes, start, end));
    this.#line += this.#recordLineBreaks;
    return end;
  }

  // Side results of #scanRecord, kept in fields rather than returned in an object per record.
  #fieldCount = 0;
  #recordLineBreaks = 0;

  /**
   * One record from `start` into `fields`; returns where the next record begins, or INCOMPLETE when
   * the input ends first (or a quote is malformed: then `#badQuoteAt` says where).
   */
  #scanRecord(bytes: Buffer, start: number, atEnd: boolean, fields: string[]): number {
    const delimiter = this.#delimiter;
    const wanted = this.#decodedColumns?.wanted;
    const length = bytes.length;
    const lastWanted = this.#lastWanted;
    let column = 0;
    let lineBreaks = 0;
    let i = start;
    for (;;) {
      if (column > lastWanted) {
        const end = this.#countFieldsToLineEnd(bytes, i, column);
        if (end >= 0) {
          this.#fieldCount = this.#countedFields;
          this.#recordLineBreaks = lineBreaks + 1;
          return end;
        }
        i = this.#countedTo;
        column = this.#countedFields;
      }
      const decode = wanted === undefined || wanted[column] === true;
      if (bytes[i] === QUOTE) {
        const close = this.#closingQuote(bytes, i, atEnd);
        if (close === INCOMPLETE) return INCOMPLETE;
        if (decode) {
          const text = decodeUtf8(bytes, i + 1, close);
          fields[column] = this.#quotedEscaped ? text.replaceAll('""', '"') : text;
        }
        for (let lf = bytes.indexOf(LF, i + 1); lf >= 0 && lf < close; lf = bytes.indexOf(LF, lf + 1)) lineBreaks++;
        i = this.#afterQuotedField(bytes, close, atEnd);
        if (i === INCOMPLETE) return INCOMPLETE;
      } else {
        // Unquoted field: runs to the next delimiter or line break.
        let j = i;
        while (j < length) {
          const b = bytes[j];
          if (b === delimiter || b === LF) break;
          j++;
        }
        if (j === length && !atEnd) return INCOMPLETE;
        if (decode) {
          const fieldEnd = j < length && bytes[j] === LF && j > i && bytes[j - 1] === CR ? j - 1 : j;
          fields[column] = fieldEnd === i ? '' : decodeUtf8(bytes, i, fieldEnd);
        }
        i = j;
      }
      column++;
      if (i >= length) {
        this.#fieldCount = column;
        this.#recordLineBreaks = lineBreaks;
        return length; // end of input without a final line break
      }
      if (bytes[i] === delimiter) {
        i++;
        continue;
      }
      this.#fieldCount = column;
      this.#recordLineBreaks = lineBreaks + 1;
      return i + 1; // past the line feed
    }
  }

  /** Set by #countFieldsToLineEnd: the fields counted, and where counting stopped. */
  #countedFields = 0;
  #countedTo = 0;

  /**
   * Past the last column decoded (a Shopify row's last 60 of 79) fields are only counted, from field
   * `column` at `start`, in one loop over the bytes instead of one pass of #scanRecord's loop per
   * field. Returns where the record ends (past its line feed); or -1 at a field that opens with a
   * quote, or at the end of the bytes at hand, which #scanRecord's loop reads on from (#countedTo).
   */
  #countFieldsToLineEnd(bytes: Buffer, start: number, column: number): number {
    const delimiter = this.#delimiter;
    const length = bytes.length;
    let fieldStart = start;
    let counted = column;
    let j = start;
    for (; j < length; j++) {
      const b = bytes[j];
      if (b === delimiter) {
        counted++;
        fieldStart = j + 1;
      } else if (b === LF) break;
      else if (b === QUOTE && j === fieldStart) break;
    }
    if (j < length && bytes[j] === LF) {
      this.#countedFields = counted + 1;
      return j + 1;
    }
    this.#countedFields = counted;
    this.#countedTo = fieldStart;
    return -1;
  }

  /** Set by #closingQuote: the quoted field holds `""`. */
  #quotedEscaped = false;

  /**
   * The quote that closes the quoted field opening at `open`: the first one not followed by another
   * (`""` is a quote inside); INCOMPLETE when the bytes at hand do not settle it.
   */
  #closingQuote(bytes: Buffer, open: number, atEnd: boolean): number {
    this.#quotedEscaped = false;
    let close = bytes.indexOf(QUOTE, open + 1);
    for (;;) {
      if (close < 0) return INCOMPLETE;
      if (close + 1 === bytes.length) return atEnd ? close : INCOMPLETE;
      if (bytes[close + 1] !== QUOTE) return close;
      this.#quotedEscaped = true;
      close = bytes.indexOf(QUOTE, close + 2);
    }
  }

  /**
   * Where reading goes on after the closing quote at `close`: at the delimiter or line feed that must
   * follow it (a CR before the line feed skipped). INCOMPLETE when the bytes at hand end first, or when
   * stray text follows the quote (#badQuoteAt says where).
   */
  #afterQuotedField(bytes: Buffer, close: number, atEnd: boolean): number {
    const length = bytes.length;
    let i = close + 1;
    const next = bytes[i];
    if (next === CR) {
      if (i + 1 === length) {
        if (!atEnd) return INCOMPLETE;
      } else if (bytes[i + 1] !== LF) {
        this.#badQuoteAt = close;
        return INCOMPLETE;
      }
      i++;
    } else if (next !== this.#delimiter && next !== LF && i < length) {
      this.#badQuoteAt = close;
      return INCOMPLETE;
    }
    return i;
  }

  /** Set by #recoveredEnd: the first quote it read as text, and where the field it opens ends. */
  #textQuoteAt = -1;
  #textFieldEnd = -1;

  /**
   * Where a malformed record from `start` ends when each quote that does not make a well-formed
   * quoted field is read as text, as in an unquoted field: the row as its writer meant it, so that a
   * well-formed quoted field later in the row (a multi-line note) is skipped whole, not read on from
   * its second line as if that were a record. INCOMPLETE when the bytes at hand do not settle it;
   * `unclosedAsText`: a quote that does not close in them is text.
   */
  #recoveredEnd(bytes: Buffer, start: number, atEnd: boolean, unclosedAsText: boolean): number {
    const delimiter = this.#delimiter;
    const length = bytes.length;
    this.#textQuoteAt = -1;
    this.#textFieldEnd = -1;
    let i = start;
    for (;;) {
      if (bytes[i] === QUOTE) {
        const after = quotedFieldEnd(bytes, i, delimiter, atEnd, unclosedAsText);
        if (after === INCOMPLETE) return INCOMPLETE;
        if (after === MALFORMED) {
          if (this.#textQuoteAt < 0) this.#textQuoteAt = i;
        } else i = after;
      }
      while (i < length && bytes[i] !== delimiter && bytes[i] !== LF) i++;
      if (this.#textQuoteAt >= 0 && this.#textFieldEnd < 0) this.#textFieldEnd = i;
      if (i === length) return atEnd ? length : INCOMPLETE;
      if (bytes[i] === LF) return i + 1;
      i++;
    }
  }

  /**
   * Rejects a malformed record and resumes after it: up to `recovered` (see #recoveredEnd), or where
   * that is unsettled, the end of the line with the bad quote. For an unclosed quote that keeps the
   * rest of the file readable instead of swallowing it into one field.
   */
  #reject(bytes: Buffer, start: number, code: SyntaxIssueCode, quoteAt: number, recovered: number): number {
    let end = recovered;
    if (end === INCOMPLETE) {
      const lineEnd = bytes.indexOf(LF, code === 'CSV_INVALID_CLOSING_QUOTE' ? quoteAt : start);
      end = lineEnd < 0 ? bytes.length : lineEnd + 1;
    } else if (this.#textQuoteAt >= 0 && !(quoteAt > this.#textQuoteAt && quoteAt < this.#textFieldEnd)) {
      // The quote that looked like a bad closing one opens a later field (a note) or is in a later
      // row: the culprit is the quote read as text, which never closes within its own field.
      if (code === 'CSV_INVALID_CLOSING_QUOTE') code = 'CSV_QUOTE_NOT_CLOSED';
      quoteAt = this.#textQuoteAt;
    }
    const rejected = bytes.subarray(start, end);
    const quoteLine = this.#line + countLineBreaks(bytes.subarray(start, quoteAt));
    const quoteLineStart = Math.max(start, bytes.lastIndexOf(LF, quoteAt - 1) + 1);
    this.#sink.issue({
      code,
      line: this.#line,
      column: quoteAt - quoteLineStart + 1,
      reason: describe(code, quoteLine),
      raw: rejected.toString('utf8'),
    });
    this.#line += countLineBreaks(rejected);
    return end;
  }
}

/** A quoted field's closing quote found no well-formed end: the opening quote is text. */
const MALFORMED = -2;

/**
 * Where the quoted field opening at `open` ends (just past its closing quote, at a delimiter, a line
 * break or the end), MALFORMED when it has no well-formed end, INCOMPLETE when more input may settle it.
 */
function quotedFieldEnd(bytes: Buffer, open: number, delimiter: number, atEnd: boolean, unclosedAsText: boolean): number {
  const length = bytes.length;
  let close = bytes.indexOf(QUOTE, open + 1);
  for (;;) {
    if (close < 0) return atEnd || unclosedAsText ? MALFORMED : INCOMPLETE;
    if (close + 1 === length) return atEnd ? length : INCOMPLETE;
    if (bytes[close + 1] !== QUOTE) break;
    close = bytes.indexOf(QUOTE, close + 2);
  }
  const next = bytes[close + 1];
  if (next === delimiter || next === LF) return close + 1;
  if (next !== CR) return MALFORMED;
  if (close + 2 === length) return atEnd ? close + 1 : INCOMPLETE;
  return bytes[close + 2] === LF ? close + 1 : MALFORMED;
}

/**
 * How the lines of a file starting with `head` end, from its first line break outside quotes: 'cr'
 * when that is a `\r` not followed by `\n`. Undefined while `head` holds none yet (or, `atEnd`
 * false, ends in `\r`).
 */
export function lineBreakStyle(head: Uint8Array, atEnd: boolean): 'lf' | 'cr' | undefined {
  let quoted = false;
  for (let i = 0; i < head.length; i++) {
    if (head[i] === QUOTE) quoted = !quoted;
    else if (quoted) continue;
    else if (head[i] === LF) return 'lf';
    else if (head[i] === CR) {
      if (i + 1 === head.length) return atEnd ? 'cr' : undefined;
      return head[i + 1] === LF ? 'lf' : 'cr';
    }
  }
  return undefined;
}

/** Node's own UTF-8 decoder of a Buffer (undocumented, present since Node 0.x and used by its own modules). */
interface Utf8Slicing {
  utf8Slice(start: number, end: number): string;
}

/**
 * A field's text. Goes straight to Buffer's decoder where it exists: `toString` checks its arguments and
 * switches on the encoding first, which for a field of twenty bytes costs a third of the decoding.
 */
const decodeUtf8: (bytes: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as Partial<Utf8Slicing>).utf8Slice === 'function'
    ? (bytes, start, end) => (bytes as Buffer & Utf8Slicing).utf8Slice(start, end)
    : (bytes, start, end) => bytes.toString('utf8', start, end);

/** Node's own Latin-1 decoder of a Buffer, for bytes known to be ASCII (see decodeUtf8 for why not `toString`). */
const decodeLatin1: (bytes: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as Partial<Latin1Slicing>).latin1Slice === 'function'
    ? (bytes, start, end) => (bytes as Buffer & Latin1Slicing).latin1Slice(start, end)
    : (bytes, start, end) => bytes.toString('latin1', start, end);

interface Latin1Slicing {
  latin1Slice(start: number, end: number): string;
}

/** Where the unclosed quote of a record starting at `start` opens: the last field-opening quote. */
function openingQuote(bytes: Buffer, start: number, delimiter: number): number {
  let at = start;
  let quoted = false;
  for (let i = start; i < bytes.length; i++) {
    if (bytes[i] === QUOTE) {
      if (!quoted && (i === start || bytes[i - 1] === delimiter || bytes[i - 1] === LF)) at = i;
      quoted = !quoted;
    }
  }
  return at;
}

/** Line feeds in `bytes`: line breaks, `\r\n` included. */
export function countLineBreaks(bytes: Buffer): number {
  let count = 0;
  for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) count++;
  return count;
}

function describe(code: SyntaxIssueCode, quoteLine: number): string {
  switch (code) {
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `a quote at line ${quoteLine} ends a quoted field but is followed by more text: quotes inside a quoted field must be doubled ("")`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field opened in this row is never closed; the row (read with that quote as text) was rejected and reading went on after it';
    case 'CSV_RECORD_TOO_LARGE':
      return 'the record is over the size limit'; // said by #rejectOversized, with its size and lines
  }
}

/** `8 MB`, or the exact bytes of a limit that is no whole number of megabytes (tests set such). */
function limitText(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `the ${bytes / (1024 * 1024)} MB limit of a record` : `the limit of a record, ${formatCount(bytes)} bytes`;
}

/** `end`, or where the last character before it starts when `end` cuts it: a prefix of whole characters. */
function utf8Boundary(bytes: Uint8Array, start: number, end: number): number {
  let lead = end - 1;
  while (lead > start && (bytes[lead]! & 0xc0) === 0x80) lead--;
  if (lead < start) return end;
  const first = bytes[lead]!;
  const length = first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 1;
  return lead + length <= end ? end : lead;
}
