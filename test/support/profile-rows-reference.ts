/**
 * The profiles CSV reader as it was before it read into columns: a ProfileRow kept per profile. Kept
 * as the reference the columnar reader is compared with on random files (rows, rejects, errors,
 * fingerprints), as test/io/csv-scanner.test.ts compares the scanner with csv-parse.
 */
import { KeyIndex } from '../../src/core/key-index.js';
import type { ProfileRow, PropertyValue } from '../../src/core/profiles.js';
import { BackfillError } from '../../src/errors.js';
import { scanCsv } from '../../src/io/csv-records.js';
import type { RejectedRecord } from '../../src/io/formats/format.js';
import { displayName, openInput } from '../../src/io/input-files.js';
import { EMAIL_COLUMN } from '../../src/io/profiles-csv.js';

export interface ProfileRowsCsv {
  readonly columns: string[];
  readonly rows: ProfileRow[];
  /** Rows with an email and every property cell blank: nothing to send. */
  readonly rowsWithoutProperties: number;
  /** Rows given to `onReject`: nothing of them is in `rows`. */
  readonly rowsRejected: number;
}

// The writer's number format (formatValue): no exponent, no grouping, no leading zeros. A cell like
// `01234` is text in Klaviyo's own CSV import too, so it stays a string here.
const PLAIN_DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/** What a column must hold, from its name. */
type ColumnKind = 'email' | 'value' | 'date' | 'any';

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
export async function readProfileRowsReference(path: string, onReject?: (rejected: RejectedRecord) => void): Promise<ProfileRowsCsv> {
  const file = displayName(path);
  const input = await openInput(path, undefined);
  let header: string[] | undefined;
  let kinds: ColumnKind[] = [];
  let emailIndex = -1;
  const rows: ProfileRow[] = [];
  // Email to row number (not a Map: see core/key-index.ts), and each row's line for the message.
  const seen = new KeyIndex();
  const lines: number[] = [];
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
          const again = header.findIndex((name, index) => index !== emailIndex && name.toLowerCase() === EMAIL_COLUMN.toLowerCase());
          if (again >= 0) {
            throw new BackfillError('DUPLICATE_COLUMN', `${file}: the header has the Email column twice, at columns ${emailIndex + 1} ("${header[emailIndex]}") and ${again + 1} ("${header[again]}"): which one is the profile's cannot be told`, {
              location: { file, line: record.line, column: again + 1 },
            });
          }
          kinds = header.map((name, index) => columnKind(name, index === emailIndex));
          return;
        }
        if (record.fieldCount !== header.length) {
          reject(record.line, 'FIELD_COUNT', `the row has ${record.fieldCount} cells, the header ${header.length}`, record.raw);
          return;
        }
        const email = fields[emailIndex]!.trim().toLowerCase();
        if (email === '') {
          reject(record.line, 'MISSING_EMAIL', 'the Email cell is blank', record.raw, emailIndex);
          return;
        }
        const properties: Record<string, PropertyValue> = {};
        let empty = true;
        for (let index = 0; index < header.length; index++) {
          const kind = kinds[index]!;
          if (kind === 'email') continue;
          const text = fields[index]!.trim();
          if (text === '') continue;
          let value: PropertyValue = text;
          if (kind === 'date') {
            if (!isDate(text)) {
              reject(record.line, 'BAD_DATE', `${header[index]}: ${JSON.stringify(text)} is not a date in the form yyyy-MM-dd HH:mm:ss`, record.raw, index);
              return;
            }
          } else if (PLAIN_DECIMAL.test(text)) {
            value = Number(text);
          }
          if (kind === 'value' && !(typeof value === 'number' && Number.isFinite(value))) {
            reject(record.line, 'BAD_VALUE', `${header[index]}: ${JSON.stringify(text)} is not a number (plain decimals only, like 1359.5)`, record.raw, index);
            return;
          }
          properties[header[index]!] = value;
          empty = false;
        }
        const known = seen.size;
        const number = seen.add(email);
        if (number < known) throw badRow(file, record.line, `${email} is also on line ${lines[number]}; one row per profile`);
        lines.push(record.line);
        if (empty) rowsWithoutProperties++;
        else rows.push({ email, properties });
      },
      syntax(issue) {
        if (header === undefined) throw badRow(file, issue.line, `the header row is not valid CSV: ${issue.reason}`);
        reject(issue.line, issue.code, issue.reason, issue.raw);
      },
    }));
  } finally {
    input.destroy();
  }
  if (header === undefined) throw new BackfillError('INPUT_EMPTY', `${file} is empty`, { location: { file } });
  const columns = header.filter((_, index) => index !== emailIndex);
  return { columns, rows, rowsWithoutProperties, rowsRejected };
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Two ASCII digits at `at` as a number, or -1. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const ones = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

/** Whether `text` is a `yyyy-MM-dd HH:mm:ss` date that exists (UTC, as compute writes it). */
function isDate(text: string): boolean {
  if (text.length !== 19 || text[4] !== '-' || text[7] !== '-' || text[10] !== ' ' || text[13] !== ':' || text[16] !== ':') return false;
  const century = twoDigits(text, 0);
  const yearOfCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (century < 0 || yearOfCentury < 0 || month < 1 || month > 12 || day < 1) return false;
  const year = century * 100 + yearOfCentury;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1]!)) return false;
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59;
}

function badRow(file: string, line: number, reason: string): BackfillError {
  return new BackfillError('BAD_ROW', reason, {
    location: { file, line },
    hint: 'Fix the row (or recompute the file with backfill compute) and push again.',
  });
}
