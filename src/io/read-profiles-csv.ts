/**
 * Reads a profiles CSV written by `backfill compute` (and perhaps edited by a person) back into
 * profiles for `push --profiles` and `diff --against FILE`: `Email`, then one column per property.
 * A cell that is a plain decimal becomes a JSON number, anything else (the `yyyy-MM-dd HH:mm:ss`
 * dates) stays a string, and a blank cell is no value at all, so it is never sent. The profiles are
 * kept as columns (core/profile-columns.ts), not as a row object each: keeping a million of those was
 * most of the time of a read.
 *
 * Each row is checked before anything from it is used, because a hand edit that shifts one cell
 * would otherwise send a date as a value or a value as a date: the row must have the header's width,
 * a `..._value` column a finite plain decimal, a `..._date` column a `yyyy-MM-dd HH:mm:ss` date (the
 * names compute writes by default). A row that fails goes to the rejects callback with its line and
 * reason, and nothing of it is kept. Read through the same byte scanner as the order exports, with a
 * callback per record and no promise per row.
 */
import { hasAsciiCapital, lowerCaseAsciiInto, trimmedEnd, trimmedStart } from '../core/ascii-bytes.js';
import { dateMillis, dateMillisOfBytes, plainDecimal, plainDecimalOfBytes } from '../core/profile-cells.js';
import { ProfileColumns, type PropertyKind } from '../core/profile-columns.js';
import { BackfillError } from '../errors.js';
import { scanCsv } from './csv-records.js';
import type { ScannerOptions } from './csv-scanner.js';
import type { RejectedRecord } from './formats/format.js';
import { displayName, openInput } from './input-files.js';
import { EMAIL_COLUMN } from './profiles-csv.js';

export interface ProfilesCsv {
  readonly columns: string[];
  /** The rows with at least one property, in file order. */
  readonly profiles: ProfileColumns;
  /** Rows with an email and every property cell blank: nothing to send. */
  readonly rowsWithoutProperties: number;
  /** Rows given to `onReject`: nothing of them is in `profiles`. */
  readonly rowsRejected: number;
}

/** What a column must hold, from its name. */
type ColumnKind = 'email' | PropertyKind;

function columnKind(name: string, isEmail: boolean): ColumnKind {
  if (isEmail) return 'email';
  const lower = name.toLowerCase();
  if (lower.endsWith('_value')) return 'value';
  if (lower.endsWith('_date')) return 'date';
  return 'any';
}

/**
 * Reads `path`; a bad row is passed to `onReject` (without one, it stops the read). A duplicate email
 * always stops it: which of the two rows is meant cannot be told. `scanning`: the scanner's options
 * (tests have the structural pass run on files of any size).
 */
export async function readProfilesCsv(path: string, onReject?: (rejected: RejectedRecord) => void, scanning: ScannerOptions = {}): Promise<ProfilesCsv> {
  const file = displayName(path);
  const input = await openInput(path, undefined);
  let header: string[] | undefined;
  let kinds: ColumnKind[] = [];
  let emailIndex = -1;
  let table: ProfileColumns | undefined;
  // Per file column, its property column in the table (-1 for the email).
  let propertyOf: number[] = [];
  // Each email's line, by its number in the table's index, for the duplicate's message.
  let lines = new Float64Array(1 << 10);
  // A lower-cased copy of an ASCII email's bytes, when it has capitals.
  let lowered = Buffer.alloc(256);
  let rowsWithoutProperties = 0;
  let rowsRejected = 0;
  const reject = (line: number, code: string, reason: string, raw: string, column?: number) => {
    const rejected: RejectedRecord = {
      file,
      line,
      code,
      reason,
      raw,
      ...(column === undefined ? {} : { column: header![column]!, columnNumber: column + 1 }),
    };
    if (onReject === undefined) throw badRow(file, line, reason);
    rowsRejected++;
    onReject(rejected);
  };
  try {
    await scanCsv(
      input,
      { delimiter: ',' },
      (scanner) => ({
        record(record) {
          if (header === undefined) {
            header = record.fields.map((name) => name.trim());
            emailIndex = header.findIndex((name) => name.toLowerCase() === EMAIL_COLUMN.toLowerCase());
            if (emailIndex < 0) {
              throw new BackfillError('MISSING_COLUMNS', `${file} has no ${EMAIL_COLUMN} column; expected a profiles CSV written by backfill`, {
                location: { file, line: record.line },
              });
            }
            kinds = header.map((name, index) => columnKind(name, index === emailIndex));
            let next = 0;
            propertyOf = kinds.map((kind) => (kind === 'email' ? -1 : next++));
            table = new ProfileColumns(
              header.filter((_, index) => index !== emailIndex),
              kinds.filter((kind): kind is PropertyKind => kind !== 'email'),
            );
            // Every column is read, but asked for by number: records then come from the scanner's
            // structural pass, with each field's place in the bytes (see asciiBytes).
            scanner.decodeOnly(header.map((_, index) => index));
            return;
          }
          const profiles = table!;
          if (record.fieldCount !== header.length) {
            reject(record.line, 'FIELD_COUNT', `the row has ${record.fieldCount} cells, the header ${header.length}`, record.raw);
            return;
          }
          // A plain ASCII cell is read from its bytes (trimmed, parsed, an email lower-cased and
          // stored as they lie); any other cell as its text, as it always was. The two give the same
          // (core/ascii-bytes.ts, core/profile-cells.ts), so which one a cell takes is never seen.
          const bytes = record.asciiBytes;
          let email: string | undefined;
          let emailBytes: Uint8Array | undefined;
          let emailStart = bytes === undefined ? -1 : record.asciiStart(emailIndex);
          let emailEnd = 0;
          if (emailStart >= 0) {
            emailEnd = trimmedEnd(bytes!, emailStart, record.asciiEnd(emailIndex));
            emailStart = trimmedStart(bytes!, emailStart, emailEnd);
            emailBytes = bytes!;
            if (hasAsciiCapital(bytes!, emailStart, emailEnd)) {
              if (lowered.length < emailEnd - emailStart) lowered = Buffer.alloc(2 * (emailEnd - emailStart));
              lowerCaseAsciiInto(bytes!, emailStart, emailEnd, lowered);
              emailBytes = lowered;
              emailEnd -= emailStart;
              emailStart = 0;
            }
          } else email = record.text(emailIndex)!.trim().toLowerCase();
          if (email === undefined ? emailStart === emailEnd : email === '') {
            reject(record.line, 'MISSING_EMAIL', 'the Email cell is blank', record.raw, emailIndex);
            return;
          }
          // Every cell is written (blank ones too), so nothing of an earlier, uncommitted row stays.
          let empty = true;
          for (let index = 0; index < header.length; index++) {
            const kind = kinds[index]!;
            if (kind === 'email') continue;
            const column = propertyOf[index]!;
            if (kind === 'any') {
              const text = record.text(index)!.trim();
              if (text === '') {
                profiles.setValue(column, undefined);
                continue;
              }
              const value = plainDecimal(text);
              profiles.setValue(column, Number.isNaN(value) ? text : value);
              empty = false;
              continue;
            }
            let number: number;
            let start = bytes === undefined ? -1 : record.asciiStart(index);
            if (start >= 0) {
              const end = trimmedEnd(bytes!, start, record.asciiEnd(index));
              start = trimmedStart(bytes!, start, end);
              if (start === end) {
                profiles.setNumber(column, NaN);
                continue;
              }
              number = kind === 'date' ? dateMillisOfBytes(bytes!, start, end) : plainDecimalOfBytes(bytes!, start, end);
            } else {
              const text = record.text(index)!.trim();
              if (text === '') {
                profiles.setNumber(column, NaN);
                continue;
              }
              number = kind === 'date' ? dateMillis(text) : plainDecimal(text);
            }
            if (kind === 'date' && Number.isNaN(number)) {
              const text = record.text(index)!.trim();
              reject(record.line, 'BAD_DATE', `${header[index]}: ${JSON.stringify(text)} is not a date in the form yyyy-MM-dd HH:mm:ss`, record.raw, index);
              return;
            }
            if (kind === 'value' && !Number.isFinite(number)) {
              const text = record.text(index)!.trim();
              reject(record.line, 'BAD_VALUE', `${header[index]}: ${JSON.stringify(text)} is not a number (plain decimals only, like 1359.5)`, record.raw, index);
              return;
            }
            profiles.setNumber(column, number);
            empty = false;
          }
          const known = profiles.emails.size;
          const number = email === undefined ? profiles.emails.addLatin1(emailBytes!, emailStart, emailEnd) : profiles.emails.add(email);
          if (number < known) throw badRow(file, record.line, `${email ?? profiles.emails.at(number)} is also on line ${lines[number]}; one row per profile`);
          if (number >= lines.length) {
            const grown = new Float64Array(2 * lines.length);
            grown.set(lines);
            lines = grown;
          }
          lines[number] = record.line;
          if (empty) rowsWithoutProperties++;
          else profiles.commit(number);
        },
        syntax(issue) {
          if (header === undefined) throw badRow(file, issue.line, `the header row is not valid CSV: ${issue.reason}`);
          reject(issue.line, issue.code, issue.reason, issue.raw);
        },
      }),
      { scanning },
    );
  } finally {
    input.destroy();
  }
  if (header === undefined || table === undefined) throw new BackfillError('INPUT_EMPTY', `${file} is empty`, { location: { file } });
  return { columns: [...table.names], profiles: table, rowsWithoutProperties, rowsRejected };
}

function badRow(file: string, line: number, reason: string): BackfillError {
  return new BackfillError('BAD_ROW', reason, {
    location: { file, line },
    hint: 'Fix the row (or recompute the file with backfill compute) and push again.',
  });
}
