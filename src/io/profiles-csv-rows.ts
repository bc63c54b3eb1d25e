/**
 * The rows of a profiles CSV, taken in record by record from the scanner (read-profiles-csv.ts says
 * what the file holds and how it is checked): the header settles the columns, then each row is
 * checked and written into a ProfileColumns, or rejected whole. Cells are read through the engine's
 * cell readers, from their bytes where they lie (trimmed, parsed, the email lower-cased as it is
 * stored): a string of every cell, made only to read its digits, was most of a 1M-row read.
 */
import { isBlankCell, numberEmailCell, profileAnyCell, profileCell, profileCellText } from '../engine/csv/cell-readers.js';
import { ProfileColumns, type PropertyKind } from '../engine/tables/profile-columns.js';
import { propertyKindOfName } from '../domain/definitions.js';
import { BackfillError } from '../errors.js';
import type { CsvItemSink, CsvRecord, CsvSyntaxIssue } from '../engine/csv/csv-records.js';
import type { CsvScanner, StructuredRecords } from '../engine/csv/csv-scanner.js';
import { HeaderIndex, type RejectedRecord } from './formats/format.js';
import { FORMATS } from './formats/registry.js';
import { EMAIL_COLUMN } from './profiles-csv.js';
import type { CellKind, PropertyColumn } from '../domain/reducers/reducer.js';

/** What a column must hold: as the computation's columns say (`known`), else from its name. */
type ColumnKind = 'email' | PropertyKind;

function columnKind(name: string, isEmail: boolean, known: ReadonlyMap<string, CellKind>): ColumnKind {
  if (isEmail) return 'email';
  // The computation's own columns by their kind; any other by the rule compute's names are checked
  // against (domain/definitions.ts), so what it writes reads back.
  return known.get(name) ?? propertyKindOfName(name);
}

export class ProfilesCsvRows implements CsvItemSink {
  readonly #file: string;
  readonly #onReject: ((rejected: RejectedRecord) => void) | undefined;
  readonly #scanner: CsvScanner;
  readonly #known: ReadonlyMap<string, CellKind>;
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

  /**
   * `onReject`: where bad rows go; without it, the first one stops the read. `scanner`: the one feeding
   * these rows. `known`: the columns a computation writes, typed as it types them.
   */
  constructor(file: string, onReject: ((rejected: RejectedRecord) => void) | undefined, scanner: CsvScanner, known: readonly PropertyColumn[] = []) {
    this.#file = file;
    this.#onReject = onReject;
    this.#scanner = scanner;
    this.#known = new Map(known.map((column) => [column.name, column.kind]));
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
    if (isBlankCell(record, this.#emailIndex)) {
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
      if (kind === 'any') {
        const value = profileAnyCell(record, index);
        profiles.setValue(column, value);
        if (value !== undefined) empty = false;
        continue;
      }
      const number = profileCell(record, index, kind);
      if (number !== undefined && !Number.isFinite(number)) {
        const text = JSON.stringify(profileCellText(record, index));
        if (kind === 'date') this.#reject(record.line, 'BAD_DATE', `${header[index]}: ${text} is not a date in the form yyyy-MM-dd HH:mm:ss`, record.raw, index);
        else this.#reject(record.line, 'BAD_VALUE', `${header[index]}: ${text} is not a number (plain decimals only, like 1359.5)`, record.raw, index);
        return;
      }
      profiles.setNumber(column, number ?? NaN);
      if (number !== undefined) empty = false;
    }
    const emails = profiles.emails;
    const known = emails.size;
    const number = numberEmailCell(emails, record, this.#emailIndex);
    if (number < known) throw badRow(this.#file, record.line, `${emails.at(number)} is also on line ${this.#lines[number]}; one row per profile`);
    this.#setLine(number, record.line);
    if (empty) this.rowsWithoutProperties++;
    else profiles.commit(number);
  }

  /** The structural pass's records: read as any other, one object standing for each in turn. */
  records(batch: StructuredRecords): void {
    batch.forEach((record) => this.record(record));
  }

  syntax(issue: CsvSyntaxIssue): void {
    if (this.#header === undefined) throw badRow(this.#file, issue.line, `the header row is not valid CSV: ${issue.reason}`);
    // The rows after it were read into it (see csv-oversized-record.ts): none of them can be used as read.
    if (issue.unrecoverable === true) throw badRow(this.#file, issue.line, issue.reason);
    this.#reject(issue.line, issue.code, issue.reason, issue.raw);
  }

  #readHeader(record: CsvRecord): void {
    const header = record.fields.map((name) => name.trim());
    // An order export has an Email column too, and fails only at its second row of one customer.
    const layout = FORMATS.find((format) => format.name !== 'generic' && format.detect(new HeaderIndex(header)));
    if (layout !== undefined) {
      throw new BackfillError('INPUT_UNREADABLE', `${this.#file} is an order export (its header is a ${layout.name} export's), not a profiles CSV`, {
        location: { file: this.#file, line: record.line },
        hint: `To compute from it, give it as an order file (backfill push ${this.#file}); --profiles and --against take a profiles CSV, as backfill compute writes one.`,
      });
    }
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
    this.#kinds = header.map((name, index) => columnKind(name, index === emailIndex, this.#known));
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
