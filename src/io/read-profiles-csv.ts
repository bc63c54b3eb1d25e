/**
 * Reads a profiles CSV written by `backfill compute` (and perhaps edited by a person) back into
 * profile rows for `push --profiles`: `Email`, then one column per property. A cell that is a plain
 * decimal becomes a JSON number, anything else (the `yyyy-MM-dd HH:mm:ss` dates) stays a string, and a
 * blank cell is no value at all, so it is never sent.
 */
import type { ProfileRow, PropertyValue } from '../core/profiles.js';
import { BackfillError } from '../errors.js';
import { readCsvRecords } from './csv-records.js';
import { openInput } from './input-files.js';
import { EMAIL_COLUMN } from './profiles-csv.js';

export interface ProfilesCsv {
  readonly columns: string[];
  readonly rows: ProfileRow[];
  /** Rows with an email and every property cell blank: nothing to send. */
  readonly rowsWithoutProperties: number;
}

// The writer's number format (formatValue): no exponent, no grouping, no leading zeros. A cell like
// `01234` is text in Klaviyo's own CSV import too, so it stays a string here.
const PLAIN_DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;

export function propertyValue(cell: string): PropertyValue | undefined {
  const text = cell.trim();
  if (text === '') return undefined;
  return PLAIN_DECIMAL.test(text) ? Number(text) : text;
}

export async function readProfilesCsv(path: string): Promise<ProfilesCsv> {
  const input = await openInput(path, undefined);
  let emailIndex = -1;
  let header: string[] | undefined;
  const rows: ProfileRow[] = [];
  const seen = new Map<string, number>();
  let rowsWithoutProperties = 0;
  for await (const item of readCsvRecords(input)) {
    if (item.kind === 'syntax') throw badRow(path, item.line, item.reason);
    if (header === undefined) {
      header = item.fields.map((name) => name.trim());
      emailIndex = header.findIndex((name) => name.toLowerCase() === EMAIL_COLUMN.toLowerCase());
      if (emailIndex < 0) {
        throw new BackfillError('MISSING_COLUMNS', `${path} has no ${EMAIL_COLUMN} column; expected a profiles CSV written by backfill`, {
          location: { file: path, line: item.line },
        });
      }
      continue;
    }
    const email = (item.fields[emailIndex] ?? '').trim().toLowerCase();
    if (email === '') throw badRow(path, item.line, 'the Email cell is blank');
    const previous = seen.get(email);
    if (previous !== undefined) throw badRow(path, item.line, `${email} is also on line ${previous}; one row per profile`);
    seen.set(email, item.line);
    const properties: Record<string, PropertyValue> = {};
    header.forEach((column, index) => {
      if (index === emailIndex) return;
      const value = propertyValue(item.fields[index] ?? '');
      if (value !== undefined) properties[column] = value;
    });
    if (Object.keys(properties).length === 0) rowsWithoutProperties++;
    else rows.push({ email, properties });
  }
  if (header === undefined) throw new BackfillError('INPUT_EMPTY', `${path} is empty`, { location: { file: path } });
  return { columns: header.filter((_, index) => index !== emailIndex), rows, rowsWithoutProperties };
}

function badRow(file: string, line: number, reason: string): BackfillError {
  return new BackfillError('BAD_ROW', reason, {
    location: { file, line },
    hint: 'Fix the row (or recompute the file with backfill compute) and push again.',
  });
}
