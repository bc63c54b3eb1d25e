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
 * callback per record and no promise per row (profiles-csv-rows.ts).
 */
import type { ProfileColumns } from '../core/profile-columns.js';
import { BackfillError } from '../errors.js';
import { scanCsv } from './csv-records.js';
import type { ScannerOptions } from './csv-scanner.js';
import type { RejectedRecord } from './formats/format.js';
import { assertInputsUnchanged, displayName, openInput, snapshotInput } from './input-files.js';
import { ProfilesCsvRows } from './profiles-csv-rows.js';

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
 * Reads `path`; a bad row is passed to `onReject` (without one, it stops the read). A duplicate email
 * always stops it: which of the two rows is meant cannot be told. `scanning`: the scanner's options
 * (tests have the structural pass run on files of any size).
 */
export async function readProfilesCsv(path: string, onReject?: (rejected: RejectedRecord) => void, scanning: ScannerOptions = {}): Promise<ProfilesCsv> {
  const file = displayName(path);
  const before = await snapshotInput(path);
  const input = await openInput(path, undefined);
  let rows: ProfilesCsvRows | undefined;
  try {
    await scanCsv(input, { delimiter: ',' }, (scanner) => (rows = new ProfilesCsvRows(file, onReject, scanner)), { scanning });
  } finally {
    input.destroy();
  }
  // A file cut short while read would be pushed as fewer profiles without a word.
  await assertInputsUnchanged([before]);
  const table = rows?.table;
  if (rows === undefined || table === undefined) throw new BackfillError('INPUT_EMPTY', `${file} is empty`, { location: { file } });
  return { columns: [...table.names], profiles: table, rowsWithoutProperties: rows.rowsWithoutProperties, rowsRejected: rows.rowsRejected };
}
