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
import { POWERS_OF_TEN } from '../core/money.js';
import { ProfileColumns, type PropertyKind } from '../core/profile-columns.js';
import { utcMillis } from '../core/timestamp.js';
import { BackfillError } from '../errors.js';
import { scanCsv } from './csv-records.js';
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

/**
 * `Number(text)` when `text` is a plain decimal, else NaN. Plain is the writer's number format
 * (formatValue), `/^-?(0|[1-9]\d*)(\.\d+)?$/`: no exponent, no grouping, no leading zeros (a cell like
 * `01234` is text in Klaviyo's own CSV import too, so it stays a string here). Read in one pass over the digits
 * instead of a regular expression and then Number's general parser, a tenth of a 1M-row read. Exact:
 * with at most 15 digits the digits are an exact integer and 10^fraction (at most 10^15) an exact
 * power, so their quotient is the correctly rounded value, Number's own; longer texts go to Number.
 */
export function plainDecimal(text: string): number {
  const length = text.length;
  let i = text.charCodeAt(0) === MINUS ? 1 : 0;
  const first = i;
  let digits = 0;
  let point = -1;
  for (; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= DIGIT_0 && code <= DIGIT_9) {
      digits = digits * 10 + (code - DIGIT_0);
      continue;
    }
    if (code !== POINT || point >= 0) return NaN;
    point = i;
  }
  const integerDigits = (point < 0 ? length : point) - first;
  const fractionDigits = point < 0 ? 0 : length - point - 1;
  // No leading zero before other integer digits, a digit on each side of the point.
  if (integerDigits === 0 || (integerDigits > 1 && text.charCodeAt(first) === DIGIT_0) || (point >= 0 && fractionDigits === 0)) return NaN;
  if (integerDigits + fractionDigits > 15) return Number(text);
  const value = fractionDigits === 0 ? digits : digits / POWERS_OF_TEN[fractionDigits]!;
  return first === 1 ? -value : value;
}

const MINUS = 0x2d;
const POINT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

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
 * always stops it: which of the two rows is meant cannot be told.
 */
export async function readProfilesCsv(path: string, onReject?: (rejected: RejectedRecord) => void): Promise<ProfilesCsv> {
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
    await scanCsv(input, { delimiter: ',' }, () => ({
      record(record) {
        const fields = record.fields;
        if (header === undefined) {
          header = fields.map((name) => name.trim());
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
          return;
        }
        const profiles = table!;
        if (record.fieldCount !== header.length) {
          reject(record.line, 'FIELD_COUNT', `the row has ${record.fieldCount} cells, the header ${header.length}`, record.raw);
          return;
        }
        const email = fields[emailIndex]!.trim().toLowerCase();
        if (email === '') {
          reject(record.line, 'MISSING_EMAIL', 'the Email cell is blank', record.raw, emailIndex);
          return;
        }
        // Every cell is written (blank ones too), so nothing of an earlier, uncommitted row stays.
        let empty = true;
        for (let index = 0; index < header.length; index++) {
          const kind = kinds[index]!;
          if (kind === 'email') continue;
          const column = propertyOf[index]!;
          const text = fields[index]!.trim();
          if (text === '') {
            if (kind === 'any') profiles.setValue(column, undefined);
            else profiles.setNumber(column, NaN);
            continue;
          }
          if (kind === 'date') {
            const at = dateMillis(text);
            if (Number.isNaN(at)) {
              reject(record.line, 'BAD_DATE', `${header[index]}: ${JSON.stringify(text)} is not a date in the form yyyy-MM-dd HH:mm:ss`, record.raw, index);
              return;
            }
            profiles.setNumber(column, at);
          } else if (kind === 'value') {
            const value = plainDecimal(text);
            if (!Number.isFinite(value)) {
              reject(record.line, 'BAD_VALUE', `${header[index]}: ${JSON.stringify(text)} is not a number (plain decimals only, like 1359.5)`, record.raw, index);
              return;
            }
            profiles.setNumber(column, value);
          } else {
            const value = plainDecimal(text);
            profiles.setValue(column, Number.isNaN(value) ? text : value);
          }
          empty = false;
        }
        const known = profiles.emails.size;
        const number = profiles.emails.add(email);
        if (number < known) throw badRow(file, record.line, `${email} is also on line ${lines[number]}; one row per profile`);
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
    }));
  } finally {
    input.destroy();
  }
  if (header === undefined || table === undefined) throw new BackfillError('INPUT_EMPTY', `${file} is empty`, { location: { file } });
  return { columns: [...table.names], profiles: table, rowsWithoutProperties, rowsRejected };
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Two ASCII digits at `at` as a number, or -1. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const ones = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

/** The epoch milliseconds of a `yyyy-MM-dd HH:mm:ss` date that exists (UTC, as compute writes it), else NaN. */
function dateMillis(text: string): number {
  if (
    text.length !== 19 ||
    text.charCodeAt(4) !== MINUS ||
    text.charCodeAt(7) !== MINUS ||
    text.charCodeAt(10) !== SPACE ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON
  ) {
    return NaN;
  }
  const century = twoDigits(text, 0);
  const yearOfCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (century < 0 || yearOfCentury < 0 || month < 1 || month > 12 || day < 1) return NaN;
  const year = century * 100 + yearOfCentury;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1]!)) return NaN;
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (!(hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59)) return NaN;
  return monthStart(year, month) + (((day - 1) * 24 + hour) * 60 + minute) * 60_000 + second * 1000;
}

const SPACE = 0x20;
const COLON = 0x3a;

/**
 * Epoch ms of the first of each month of years 0000 to 9999, filled in as met: utcMillis's calendar
 * arithmetic once a month instead of once for each of a million dates.
 */
let monthStarts: Float64Array | undefined;

function monthStart(year: number, month: number): number {
  monthStarts ??= new Float64Array(10_000 * 12).fill(NaN);
  const slot = year * 12 + month - 1;
  let start = monthStarts[slot]!;
  if (Number.isNaN(start)) start = monthStarts[slot] = utcMillis(year, month, 1);
  return start;
}

function badRow(file: string, line: number, reason: string): BackfillError {
  return new BackfillError('BAD_ROW', reason, {
    location: { file, line },
    hint: 'Fix the row (or recompute the file with backfill compute) and push again.',
  });
}
