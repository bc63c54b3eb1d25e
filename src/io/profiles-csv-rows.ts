/**
 * The rows of a profiles CSV, taken in record by record from the scanner (read-profiles-csv.ts says
 * what the file holds and how it is checked): the header settles the columns, then each row is
 * checked and written into a ProfileColumns, or rejected whole.
 *
 * Two ways in. A record the scanner's own code read comes to `record` and is read from its
 * fields' text, as every row always was; it is the one place where rows are rejected and repeats
 * reported. The records the structural pass found come in batches to `records`: a plain row
 * (ASCII, the header's width, every cell good, a new email) is read there from its bytes where they
 * lie (trimmed, parsed, the email lower-cased as it is stored), and anything else is handed to
 * `record`. The byte readers give what the text readers give (core/ascii-bytes.ts,
 * core/profile-cells.ts, core/email-column.ts), so which way a row took is never seen: a string of
 * every cell, made only to read its digits, was most of a 1M-row read.
 */
import { trimmedEnd, trimmedStart } from '../core/ascii-bytes.js';
import { dateMillis, dateMillisOfBytes, plainDecimal, plainDecimalOfBytes } from '../core/profile-cells.js';
import { ProfileColumns, type PropertyKind } from '../core/profile-columns.js';
import { propertyKindOfName } from '../core/definitions.js';
import { BackfillError } from '../errors.js';
import type { CsvItemSink, CsvRecord, CsvSyntaxIssue } from './csv-records.js';
import type { CsvScanner, StructuredRecords } from './csv-scanner.js';
import { RECORD_HEADER_SLOTS } from './csv-structure.js';
import type { RejectedRecord } from './formats/format.js';
import { EMAIL_COLUMN } from './profiles-csv.js';

/** What a column must hold, from its name. */
type ColumnKind = 'email' | PropertyKind;

function columnKind(name: string, isEmail: boolean): ColumnKind {
  // The rule compute's property names are checked against (core/definitions.ts), so what it writes reads back.
  return isEmail ? 'email' : propertyKindOfName(name);
}

export class ProfilesCsvRows implements CsvItemSink {
  readonly #file: string;
  readonly #onReject: ((rejected: RejectedRecord) => void) | undefined;
  readonly #scanner: CsvScanner;
  #header: string[] | undefined;
  #kinds: ColumnKind[] = [];
  #emailIndex = -1;
  #table: ProfileColumns | undefined;
  /** Per file column, its property column in the table (-1 for the email). */
  #propertyOf: number[] = [];
  /** Each email's line, by its number in the table's emails, for the duplicate's message. */
  #lines = new Float64Array(1 << 10);
  rowsWithoutProperties = 0;
  rowsRejected = 0;

  /** `onReject`: where bad rows go; without it, the first one stops the read. `scanner`: the one feeding these rows. */
  constructor(file: string, onReject: ((rejected: RejectedRecord) => void) | undefined, scanner: CsvScanner) {
    this.#file = file;
    this.#onReject = onReject;
    this.#scanner = scanner;
  }

  /** The header's names, once read. */
  get header(): readonly string[] | undefined {
    return this.#header;
  }

  /** The rows read, once the header is. */
  get table(): ProfileColumns | undefined {
    return this.#table;
  }

  record(record: CsvRecord): void {
    const header = this.#header;
    if (header === undefined) {
      this.#readHeader(record);
      return;
    }
    const profiles = this.#table!;
    if (record.fieldCount !== header.length) {
      this.#reject(record.line, 'FIELD_COUNT', `the row has ${record.fieldCount} cells, the header ${header.length}`, record.raw);
      return;
    }
    const email = record.text(this.#emailIndex)!.trim().toLowerCase();
    if (email === '') {
      this.#reject(record.line, 'MISSING_EMAIL', 'the Email cell is blank', record.raw, this.#emailIndex);
      return;
    }
    // Every cell is written (blank ones too), so nothing of an earlier, uncommitted row stays.
    const kinds = this.#kinds;
    let empty = true;
    for (let index = 0; index < header.length; index++) {
      const kind = kinds[index]!;
      if (kind === 'email') continue;
      const column = this.#propertyOf[index]!;
      const text = record.text(index)!.trim();
      if (text === '') {
        if (kind === 'any') profiles.setValue(column, undefined);
        else profiles.setNumber(column, NaN);
        continue;
      }
      if (kind === 'date') {
        const at = dateMillis(text);
        if (Number.isNaN(at)) {
          this.#reject(record.line, 'BAD_DATE', `${header[index]}: ${JSON.stringify(text)} is not a date in the form yyyy-MM-dd HH:mm:ss`, record.raw, index);
          return;
        }
        profiles.setNumber(column, at);
      } else if (kind === 'value') {
        const value = plainDecimal(text);
        if (!Number.isFinite(value)) {
          this.#reject(record.line, 'BAD_VALUE', `${header[index]}: ${JSON.stringify(text)} is not a number (plain decimals only, like 1359.5)`, record.raw, index);
          return;
        }
        profiles.setNumber(column, value);
      } else {
        const value = plainDecimal(text);
        profiles.setValue(column, Number.isNaN(value) ? text : value);
      }
      empty = false;
    }
    const emails = profiles.emails;
    const known = emails.size;
    const number = emails.add(email);
    if (number < known) throw badRow(this.#file, record.line, `${email} is also on line ${this.#lines[number]}; one row per profile`);
    this.#setLine(number, record.line);
    if (empty) this.rowsWithoutProperties++;
    else profiles.commit(number);
  }

  /**
   * The structural pass's records: a plain row (ASCII, the header's width, every cell as its
   * bytes, good, and a new email) is read here straight from the slots; any other goes to `record`,
   * which reads it again whole and reports what is wrong with it.
   */
  records(batch: StructuredRecords): void {
    const { slots, stride, count, source } = batch;
    const width = this.#header === undefined ? -1 : this.#header.length;
    let line = batch.firstLine;
    for (let index = 0, at = 0; index < count; index++, at += stride) {
      if (slots[at + 4] !== 0 || slots[at + 2] !== width || !this.#plainRow(slots, at + RECORD_HEADER_SLOTS, source, line)) this.record(batch.record(index, line));
      line += slots[at + 3]!;
    }
  }

  /**
   * Reads the row whose fields' slots start at `fields`, all ASCII, when nothing in it needs telling:
   * every cell good, the email new. False when something does; then only cells of the next row,
   * which `record` writes again, were written.
   */
  #plainRow(slots: Int32Array, fields: number, source: Buffer, line: number): boolean {
    const profiles = this.#table!;
    const kinds = this.#kinds;
    const width = kinds.length;
    let empty = true;
    for (let index = 0; index < width; index++) {
      const kind = kinds[index]!;
      if (kind === 'email') continue;
      let start = slots[fields + 2 * index]!;
      let end = slots[fields + 2 * index + 1]!;
      if (end < 0) return false; // a quoted field holding "": its bytes are not its text
      end = trimmedEnd(source, start, end);
      start = trimmedStart(source, start, end);
      const column = this.#propertyOf[index]!;
      if (kind === 'any') {
        if (start === end) {
          profiles.setValue(column, undefined);
          continue;
        }
        const value = plainDecimalOfBytes(source, start, end);
        profiles.setValue(column, Number.isNaN(value) ? source.toString('latin1', start, end) : value);
      } else {
        if (start === end) {
          profiles.setNumber(column, NaN);
          continue;
        }
        const number = kind === 'date' ? dateMillisOfBytes(source, start, end) : plainDecimalOfBytes(source, start, end);
        if (kind === 'date' ? Number.isNaN(number) : !Number.isFinite(number)) return false;
        profiles.setNumber(column, number);
      }
      empty = false;
    }
    const emailSlot = fields + 2 * this.#emailIndex;
    if (slots[emailSlot + 1]! < 0) return false;
    const end = trimmedEnd(source, slots[emailSlot]!, slots[emailSlot + 1]!);
    const start = trimmedStart(source, slots[emailSlot]!, end);
    if (start === end) return false;
    const emails = profiles.emails;
    const known = emails.size;
    const number = emails.addAsciiLowerCased(source, start, end);
    if (number < known) return false; // a repeat: `record` finds it again and stops the read
    this.#setLine(number, line);
    if (empty) this.rowsWithoutProperties++;
    else profiles.commit(number);
    return true;
  }

  syntax(issue: CsvSyntaxIssue): void {
    if (this.#header === undefined) throw badRow(this.#file, issue.line, `the header row is not valid CSV: ${issue.reason}`);
    // The rows after it were read into it (see csv-oversized-record.ts): none of them can be used as read.
    if (issue.unrecoverable === true) throw badRow(this.#file, issue.line, issue.reason);
    this.#reject(issue.line, issue.code, issue.reason, issue.raw);
  }

  #readHeader(record: CsvRecord): void {
    const header = record.fields.map((name) => name.trim());
    const emailIndex = header.findIndex((name) => name.toLowerCase() === EMAIL_COLUMN.toLowerCase());
    if (emailIndex < 0) {
      throw new BackfillError('MISSING_COLUMNS', `${this.#file} has no ${EMAIL_COLUMN} column; expected a profiles CSV written by backfill`, {
        location: { file: this.#file, line: record.line },
      });
    }
    // A second Email column in another case (`email` beside `Email`) would be sent as a property.
    const again = header.findIndex((name, index) => index !== emailIndex && name.toLowerCase() === EMAIL_COLUMN.toLowerCase());
    if (again >= 0) {
      throw new BackfillError('DUPLICATE_COLUMN', `${this.#file}: the header has the Email column twice, at columns ${emailIndex + 1} ("${header[emailIndex]}") and ${again + 1} ("${header[again]}"): which one is the profile's cannot be told`, {
        location: { file: this.#file, line: record.line, column: again + 1 },
        hint: 'Remove or rename one of them, then run again.',
      });
    }
    this.#header = header;
    this.#emailIndex = emailIndex;
    this.#kinds = header.map((name, index) => columnKind(name, index === emailIndex));
    let next = 0;
    this.#propertyOf = this.#kinds.map((kind) => (kind === 'email' ? -1 : next++));
    this.#table = new ProfileColumns(
      header.filter((_, index) => index !== emailIndex),
      this.#kinds.filter((kind): kind is PropertyKind => kind !== 'email'),
    );
    // Every column is read, but asked for by number: records then come from the scanner's
    // structural pass, with each field's place in the bytes (see `records`).
    this.#scanner.decodeOnly(header.map((_, index) => index));
  }

  #setLine(number: number, line: number): void {
    if (number >= this.#lines.length) {
      const grown = new Float64Array(Math.max(2 * this.#lines.length, number + 1));
      grown.set(this.#lines);
      this.#lines = grown;
    }
    this.#lines[number] = line;
  }

  #reject(line: number, code: string, reason: string, raw: string, column?: number): void {
    const rejected: RejectedRecord = {
      file: this.#file,
      line,
      code,
      reason,
      raw,
      ...(column === undefined ? {} : { column: this.#header![column]!, columnNumber: column + 1 }),
    };
    if (this.#onReject === undefined) throw badRow(this.#file, line, reason);
    this.rowsRejected++;
    this.#onReject(rejected);
  }
}

function badRow(file: string, line: number, reason: string): BackfillError {
  return new BackfillError('BAD_ROW', reason, {
    location: { file, line },
    hint: 'Fix the row (or recompute the file with backfill compute) and push again.',
  });
}
