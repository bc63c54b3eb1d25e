/**
 * `backfill diff`: what sending the computed profiles would change, against a baseline: a profiles CSV
 * written earlier, the state file of the last incremental push, or Klaviyo itself. It computes and
 * compares only: it never writes the state file and never sends anything (reading Klaviyo is a GET).
 */
import type { Definitions } from '../core/definitions.js';
import { definitionsHash } from '../core/definitions-hash.js';
import { stateRows } from '../core/confirmed-state.js';
import { planClears, type ClearPlan } from '../core/emptied-windows.js';
import { diffProfiles, type ProfileDiff } from '../core/profile-diff.js';
import type { ProfileRow } from '../core/profiles.js';
import { BackfillError } from '../errors.js';
import type { OrderSource } from '../io/order-source.js';
import type { InputSettings } from '../io/read-orders.js';
import { readProfilesCsv, type ProfilesCsv } from '../io/read-profiles-csv.js';
import { RejectsFile } from '../io/rejects-file.js';
import { readStateFile } from '../io/state-file.js';
import { readKlaviyoProfiles, type ProfileReaderOptions } from '../klaviyo/profiles-api.js';
import { assertDistinctFiles } from '../io/file-identity.js';
import { computeProfileTable, orderExports, type ComputeCounts } from './compute.js';

export type Baseline =
  | { readonly kind: 'profiles'; readonly file: string }
  | { readonly kind: 'state'; readonly file: string }
  | { readonly kind: 'klaviyo'; readonly reader: ProfileReaderOptions };

export interface DiffOptions {
  readonly files: readonly string[];
  /** Orders from Klaviyo's events instead of files. */
  readonly source?: OrderSource;
  readonly definitions: Definitions;
  readonly input: InputSettings;
  readonly asOf: number;
  /** Where unreadable order rows go; undefined: counted only, no file written. */
  readonly rejectsPath: string | undefined;
  readonly baseline: Baseline;
  /** Also say which emptied windows `push --incremental --clear-emptied` would clear (against this baseline). */
  readonly clearEmptied?: boolean;
  /** Profiles read from Klaviyo so far, for a progress line. */
  readonly onBaselineProgress?: (read: number, total: number) => void;
}

export interface DiffResult {
  readonly diff: ProfileDiff;
  /** The property columns compared (the current definitions'). */
  readonly columns: readonly string[];
  /** Columns the baseline holds that the current definitions do not compute (renamed or dropped): left in Klaviyo. */
  readonly propertiesOnlyInBaseline: readonly string[];
  /** Against the state: its definitions differ, so `push --incremental` would send every profile. */
  readonly definitionsChanged: boolean | undefined;
  readonly counts: ComputeCounts;
  readonly rejectsFile: string | undefined;
  /** Rows of a profiles CSV baseline that failed its checks: left out of the comparison, in the rejects file. */
  readonly baselineRowsRejected: number;
  /** With `clearEmptied`: the profiles whose emptied windows would be cleared, and the properties. */
  readonly clears?: ClearPlan | undefined;
}

export async function runDiff(options: DiffOptions): Promise<DiffResult> {
  const baselineFile = options.baseline.kind === 'klaviyo' ? [] : [{ path: options.baseline.file, role: '--against' }];
  const rejectsFiles = options.rejectsPath !== undefined ? [{ path: options.rejectsPath, role: 'the rejects file' }] : [];
  assertDistinctFiles([...orderExports(options.files), ...baselineFile], rejectsFiles);
  const rejects = new RejectsFile(options.rejectsPath);
  // A profiles CSV baseline is read first, so its bad rows and the export's share one rejects file.
  let baselineCsv: ProfilesCsv | undefined;
  if (options.baseline.kind === 'profiles') {
    try {
      baselineCsv = await readProfilesCsv(options.baseline.file, (rejected) => rejects.add(rejected));
    } catch (error) {
      await rejects.discard();
      throw error;
    }
  }
  const table = await computeProfileTable({
    files: options.files,
    ...(options.source !== undefined ? { source: options.source } : {}),
    definitions: options.definitions,
    input: options.input,
    asOf: options.asOf,
    strict: false,
    rejectsPath: options.rejectsPath,
    rejects,
  });
  // Profiles whose orders set nothing are looked up too: what Klaviyo holds for them is emptied.
  const baseline = await readBaseline(options, [...table.rows, ...table.withoutProperties], table.columns, baselineCsv);
  const held = options.clearEmptied === true ? new Map(baseline.rows.filter((row) => row.email !== '').map((row) => [row.email.toLowerCase(), row.properties])) : undefined;
  return {
    baselineRowsRejected: baselineCsv?.rowsRejected ?? 0,
    diff: diffProfiles(table.rows, baseline.rows, table.columns, table.withoutProperties),
    clears: held === undefined ? undefined : planClears(table.rows, table.withoutProperties, held, options.definitions),
    columns: table.columns,
    propertiesOnlyInBaseline: baseline.columns.filter((column) => !table.columns.includes(column)),
    definitionsChanged: baseline.definitionsHash === undefined ? undefined : baseline.definitionsHash !== definitionsHash(options.definitions),
    counts: table.counts,
    rejectsFile: table.rejectsFile,
  };
}

interface BaselineRows {
  readonly rows: ProfileRow[];
  readonly columns: readonly string[];
  /** The state's definitions hash (null: its last full send did not finish); undefined for other baselines. */
  readonly definitionsHash?: string | null;
}

async function readBaseline(options: DiffOptions, computed: readonly ProfileRow[], columns: readonly string[], read: ProfilesCsv | undefined): Promise<BaselineRows> {
  const baseline = options.baseline;
  switch (baseline.kind) {
    case 'profiles': {
      const csv = read ?? (await readProfilesCsv(baseline.file));
      return { rows: csv.profiles.toRows(), columns: csv.columns.filter((column) => column !== 'Phone Number') };
    }
    case 'state': {
      const state = await readStateFile(baseline.file);
      if (state === undefined) {
        throw new BackfillError('INPUT_NOT_FOUND', 'no state file yet', {
          location: { file: baseline.file },
          hint: 'backfill push --incremental writes it after its first run (or pass --state <file>).',
        });
      }
      const stateColumns = new Set([...state.profiles.values()].flatMap((properties) => Object.keys(properties)));
      return { rows: stateRows(state), columns: [...stateColumns].sort(), definitionsHash: state.definitionsHash };
    }
    case 'klaviyo': {
      // Only the computed emails are asked for: Klaviyo's other profiles are not this tool's business.
      const emails = computed.map((row) => row.email).filter((email) => email !== '');
      const rows: ProfileRow[] = [];
      for await (const page of readKlaviyoProfiles(emails, columns, baseline.reader)) {
        rows.push(...page);
        options.onBaselineProgress?.(rows.length, emails.length);
      }
      return { rows, columns: [] };
    }
  }
}
