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
 *
 * A large file is read in two parts at once, the second on a worker thread (profiles-csv-cut.ts says
 * where it is cut and why a cut is only a guess). The second part's rows are taken only when reading
 * in turn would have read them so: the first part ended a record at the cut, and the second had no
 * rejected row and no repeated email of its own. Otherwise the second part is read here after the
 * first, as the whole file always was; either way the result is the one reading in turn gives.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ProfileColumns } from '../core/profile-columns.js';
import { BackfillError } from '../errors.js';
import { pushAll, scanCsv } from './csv-records.js';
import { CsvScanner, type ScannerOptions } from './csv-scanner.js';
import { fileRange } from './file-cut.js';
import type { RejectedRecord } from './formats/format.js';
import { displayName, openInput, STDIN_PATH } from './input-files.js';
import { findProfilesCut } from './profiles-csv-cut.js';
import { ProfilesCsvRows, type ProfilesCsvPart } from './profiles-csv-rows.js';

export interface ProfilesCsv {
  readonly columns: string[];
  /** The rows with at least one property, in file order. */
  readonly profiles: ProfileColumns;
  /** Rows with an email and every property cell blank: nothing to send. */
  readonly rowsWithoutProperties: number;
  /** Rows given to `onReject`: nothing of them is in `profiles`. */
  readonly rowsRejected: number;
}

/** How a file is read; the defaults are for real files, the rest for tests of the parts. */
export interface ProfilesReading extends ScannerOptions {
  /** 1: one part on this thread; 2 (default where there are two cores or more): a cut file's second part on a worker. */
  readonly parts?: number;
  /** The smallest file that is cut (see profiles-csv-cut.ts). */
  readonly minBytes?: number;
}

/**
 * Reads `path`; a bad row is passed to `onReject` (without one, it stops the read). A duplicate email
 * always stops it: which of the two rows is meant cannot be told.
 */
export async function readProfilesCsv(path: string, onReject?: (rejected: RejectedRecord) => void, reading: ProfilesReading = {}): Promise<ProfilesCsv> {
  const file = displayName(path);
  const { parts = Math.min(2, availableParallelism()), minBytes, structurePass } = reading;
  const scanning: ScannerOptions = structurePass === undefined ? {} : { structurePass };
  // A file that cannot be looked at is not cut; opening it says why it cannot be read.
  const cut = path === STDIN_PATH || parts < 2 ? undefined : await findProfilesCut(path, minBytes === undefined ? {} : { minBytes }).catch(() => undefined);
  const input = await openInput(path, undefined, cut === undefined ? undefined : { end: cut.offset });
  const second = cut === undefined ? undefined : startSecondPart({ path, header: cut.header, offset: cut.offset, scanning });
  let rows: ProfilesCsvRows | undefined;
  try {
    const scanner = await scanCsv(input, { delimiter: ',' }, (scanner) => (rows = new ProfilesCsvRows(file, onReject, scanner)), { final: false, scanning });
    if (cut !== undefined && (second === undefined || !(await tookSecondPart(rows!, scanner, second)))) await pushAll(fileRange(path, cut.offset), scanner);
    scanner.end();
  } finally {
    input.destroy();
    await second?.cancel();
  }
  const table = rows?.table;
  if (rows === undefined || table === undefined) throw new BackfillError('INPUT_EMPTY', `${file} is empty`, { location: { file } });
  return { columns: [...table.names], profiles: table, rowsWithoutProperties: rows.rowsWithoutProperties, rowsRejected: rows.rowsRejected };
}

/**
 * Takes in the second part's rows if reading in turn would have read them so: the first part's
 * reading ended a record exactly at the cut, and the part was read with the same header and had no
 * rejected row or repeated email of its own. False: the second part is to be read here.
 */
async function tookSecondPart(rows: ProfilesCsvRows, scanner: CsvScanner, second: StartedPart): Promise<boolean> {
  if (scanner.pendingBytes !== 0 || rows.header === undefined) return false;
  const outcome = await second.outcome;
  if (!outcome.ok || outcome.header.length !== rows.header.length || outcome.header.some((name, index) => name !== rows.header![index])) return false;
  // Its lines were counted from 1 at the cut; the scanner is at the cut's line.
  rows.absorb(outcome.part, scanner.line);
  return true;
}

/** What the worker is started with. */
export interface ProfilesPartTask {
  readonly path: string;
  readonly header: Uint8Array;
  readonly offset: number;
  readonly scanning: ScannerOptions;
}

/** What the worker sends back: the part's rows, or why they cannot be used. */
export type ProfilesPartOutcome = { readonly ok: true; readonly header: readonly string[]; readonly part: ProfilesCsvPart } | { readonly ok: false; readonly reason: string };

/**
 * Reads the part of `task.path` from `task.offset` on, as its own file with `task.header` for
 * header: without a rejects callback, so that a rejected row (or a repeated email) stops it, and
 * the part is then read in turn by the first part's reader, which reports it rightly.
 */
export async function readProfilesPart(task: ProfilesPartTask): Promise<ProfilesPartOutcome> {
  let rows: ProfilesCsvRows | undefined;
  const scanner = new CsvScanner(
    ',',
    {
      record: (record) => rows!.record(record),
      issue: (issue) => rows!.syntax({ kind: 'syntax', ...issue }),
      records: (batch) => rows!.records(batch),
    },
    task.scanning,
  );
  rows = new ProfilesCsvRows(displayName(task.path), undefined, scanner);
  scanner.push(Buffer.from(task.header));
  scanner.continueAtLine(1);
  await pushAll(fileRange(task.path, task.offset), scanner);
  scanner.end();
  if (rows.header === undefined || rows.table === undefined) return { ok: false, reason: 'the header was not read' };
  return { ok: true, header: rows.header, part: rows.handOver() };
}

interface StartedPart {
  readonly outcome: Promise<ProfilesPartOutcome>;
  cancel(): Promise<void>;
}

function startSecondPart(task: ProfilesPartTask): StartedPart | undefined {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./profiles-csv-part-worker.js', import.meta.url), { workerData: task });
  } catch {
    return undefined; // no thread to be had: the file is read in turn
  }
  const outcome = new Promise<ProfilesPartOutcome>((resolve) => {
    worker.once('message', resolve);
    worker.once('error', (error) => resolve({ ok: false, reason: error.message }));
    worker.once('exit', (code) => resolve({ ok: false, reason: `the worker stopped (exit code ${code})` }));
  });
  return {
    outcome,
    cancel: async () => {
      await worker.terminate();
    },
  };
}
