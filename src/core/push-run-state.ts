/**
 * The push run log's entries and the state they add up to. The log is append-only NDJSON; replaying
 * it is the only way the state is built, on the first run and on `--resume` alike, so a crash at any
 * point leaves a state this module can read. Pure: no files, no clock.
 */
import type { SendReason } from './confirmed-state.js';

/** Settings in the JSON form the run log keeps them in (see config/run-settings.ts). */
export type StoredSettingsJson = { readonly [key: string]: unknown };
import type { DefinitionsSummary } from './definitions-hash.js';
import type { PropertyClear } from './emptied-windows.js';
import { fromRanges, type RowRanges } from './push-plan.js';

export const RUN_LOG_VERSION = 1;

/** Where the profiles came from, enough to compute the same table again on resume. */
export type PushSource =
  | {
      readonly kind: 'orders';
      readonly files: readonly string[];
      readonly asOf: number;
      /**
       * The reading and definition settings given by flags or environment, as src/config stores them:
       * kept for a resume, never read here.
       */
      readonly settings: StoredSettingsJson;
      /** The backfill.config.json used, absolute; null when there was none. */
      readonly configPath: string | null;
      /** `--from klaviyo`: the event store the orders were read from (`files` is empty); a resume reads it again, without fetching. */
      readonly klaviyo?: { readonly store: string; readonly metricId: string; readonly label: string };
    }
  | { readonly kind: 'profiles'; readonly file: string };

export interface RejectedProfile {
  /** Index into the profile table. */
  readonly row: number;
  readonly email: string;
  readonly code: string;
  readonly reason: string;
}

export type JobStatus = 'queued' | 'processing' | 'complete' | 'cancelled';

export interface FinishedEntry {
  readonly type: 'finished';
  readonly batch: number;
  readonly job: string;
  readonly status: 'complete' | 'cancelled';
  readonly total: number;
  readonly failed: number;
  /** Profiles Klaviyo confirmed: the job's total less every failure, attributed or not. */
  readonly imported: number;
  /** Failures Klaviyo counted but did not attribute to a profile (or a cancelled job's remainder). */
  readonly unknown: number;
}

export interface StartEntry {
  readonly type: 'start';
  readonly version: number;
  readonly at: string;
  readonly source: PushSource;
  /** sha256 of the profile table; resume refuses a table that changed. */
  readonly fingerprint: string;
  readonly profiles: number;
  readonly listId: string | null;
  /** Set by `push --incremental`: which computed profiles were chosen, and where to record them. */
  readonly incremental?: IncrementalStart;
}

/** What a nightly push chose to send and why; kept in the run log so `--resume` sends and records the same. */
export interface IncrementalStart {
  /** Absolute path of the state file to update once the jobs are done. */
  readonly statePath: string;
  readonly definitionsHash: string;
  readonly definitions: DefinitionsSummary;
  /** The property columns of these definitions: the state keeps only these. */
  readonly columns: readonly string[];
  readonly reason: SendReason;
  /** The profiles sent, as indices into the computed table (the run's own rows are these, in order). */
  readonly selection: RowRanges;
  readonly counts: IncrementalCounts;
  /** `--clear-emptied`: emptied windows are cleared (the profiles are in a `clears` entry), not left. */
  readonly clearEmptied?: boolean;
  /** With `clearEmptied`: profiles known only by phone with a blank window, skipped. */
  readonly clearsWithoutEmail?: number;
}

export interface IncrementalCounts {
  readonly computed: number;
  readonly added: number;
  readonly changed: number;
  readonly unchanged: number;
  /** Properties the computation left blank (a window emptied) that the state holds: left as they are. */
  readonly emptied: number;
  /** Profiles the state has and the export does not: left as they are. */
  readonly onlyInState: number;
  /** Profiles known only by phone: not sent (the import keys on email). */
  readonly withoutEmail: number;
}

export type RunLogEntry =
  | StartEntry
  | { readonly type: 'resume'; readonly at: string }
  | { readonly type: 'batch'; readonly batch: number; readonly rows: RowRanges; readonly parent?: number; readonly narrowed?: boolean }
  | { readonly type: 'replaced'; readonly batch: number; readonly by: readonly number[]; readonly reason: string }
  | { readonly type: 'rejected'; readonly batch: number | null; readonly job?: string; readonly profiles: readonly RejectedProfile[] }
  /** Written before a create request goes out: from here on a job may exist that the log does not name. */
  | { readonly type: 'sending'; readonly batch: number; readonly at: number }
  | { readonly type: 'submitted'; readonly batch: number; readonly job: string; readonly createdAt: string; readonly recovered?: boolean }
  | FinishedEntry
  /** The profiles whose emptied windows this run clears, written once after the start; later entries name them by index. */
  | { readonly type: 'clears'; readonly clears: readonly PropertyClear[] }
  /** Klaviyo answered 2xx: the properties are gone, and the state may forget them. */
  | { readonly type: 'cleared'; readonly clear: number }
  /** Klaviyo refused this profile's clear: not recorded, so the next night tries again. */
  | { readonly type: 'clear-failed'; readonly clear: number; readonly reason: string }
  | { readonly type: 'stopped'; readonly at: string; readonly reason: string };

export type BatchStatus = 'planned' | 'sending' | 'submitted' | 'finished' | 'replaced';

export interface BatchState {
  readonly id: number;
  readonly rows: readonly number[];
  /** Made from a batch Klaviyo refused for some of its profiles; refused again, the run stops. */
  readonly narrowed: boolean;
  status: BatchStatus;
  /** When the last create request for it went out (epoch ms, local clock). */
  sendingAt?: number;
  job?: string;
  createdAt?: string;
  result?: FinishedEntry;
}

export interface PushRunState {
  readonly start: StartEntry;
  readonly batches: Map<number, BatchState>;
  readonly rejected: Map<number, RejectedProfile>;
  /** Every job id the log names: a job found by listing is only ours if it is not one of these. */
  readonly claimedJobs: Set<string>;
  /** `--clear-emptied`: the clears planned, and Klaviyo's answer to each (by index) once there is one. */
  readonly clears: PropertyClear[];
  readonly clearOutcomes: Map<number, ClearOutcome>;
}

export type ClearOutcome = { readonly kind: 'cleared' } | { readonly kind: 'failed'; readonly reason: string };

export function replayRunLog(entries: readonly RunLogEntry[]): PushRunState {
  const first = entries[0];
  if (first === undefined || first.type !== 'start') throw new Error('the run log does not begin with a start entry');
  const state: PushRunState = { start: first, batches: new Map(), rejected: new Map(), claimedJobs: new Set(), clears: [], clearOutcomes: new Map() };
  for (const entry of entries.slice(1)) applyEntry(state, entry);
  return state;
}

export function applyEntry(state: PushRunState, entry: RunLogEntry): void {
  switch (entry.type) {
    case 'batch':
      state.batches.set(entry.batch, { id: entry.batch, rows: fromRanges(entry.rows), narrowed: entry.narrowed === true, status: 'planned' });
      break;
    case 'replaced':
      batchOf(state, entry.batch).status = 'replaced';
      break;
    case 'rejected':
      for (const profile of entry.profiles) state.rejected.set(profile.row, profile);
      break;
    case 'sending': {
      const batch = batchOf(state, entry.batch);
      batch.status = 'sending';
      batch.sendingAt = entry.at;
      break;
    }
    case 'submitted': {
      const batch = batchOf(state, entry.batch);
      batch.status = 'submitted';
      batch.job = entry.job;
      batch.createdAt = entry.createdAt;
      state.claimedJobs.add(entry.job);
      break;
    }
    case 'finished': {
      const batch = batchOf(state, entry.batch);
      batch.status = 'finished';
      batch.result = entry;
      break;
    }
    case 'clears':
      state.clears.push(...entry.clears);
      break;
    case 'cleared':
      state.clearOutcomes.set(entry.clear, { kind: 'cleared' });
      break;
    case 'clear-failed':
      state.clearOutcomes.set(entry.clear, { kind: 'failed', reason: entry.reason });
      break;
    case 'start':
    case 'resume':
    case 'stopped':
      break;
  }
}

/** Clears Klaviyo has not answered yet, by index: what this run (or a `--resume`) still sends. */
export function pendingClears(state: PushRunState): number[] {
  return state.clears.flatMap((_, index) => (state.clearOutcomes.has(index) ? [] : [index]));
}

/** Clears Klaviyo confirmed (2xx): the state forgets their properties. */
export function confirmedClears(state: PushRunState): PropertyClear[] {
  return state.clears.filter((_, index) => state.clearOutcomes.get(index)?.kind === 'cleared');
}

export interface ClearTotals {
  readonly planned: number;
  /** Answered by Klaviyo, either way. */
  readonly sent: number;
  readonly confirmed: number;
  readonly failed: number;
  /** Not answered yet (the run stopped first): `--resume` sends them. */
  readonly unsent: number;
}

export function clearTotals(state: PushRunState): ClearTotals {
  let confirmed = 0;
  let failed = 0;
  for (const outcome of state.clearOutcomes.values()) {
    if (outcome.kind === 'cleared') confirmed++;
    else failed++;
  }
  const planned = state.clears.length;
  return { planned, sent: confirmed + failed, confirmed, failed, unsent: planned - confirmed - failed };
}

function batchOf(state: PushRunState, id: number): BatchState {
  const batch = state.batches.get(id);
  if (batch === undefined) throw new Error(`the run log names batch ${id} before planning it`);
  return batch;
}

export function nextBatchId(state: PushRunState): number {
  return state.batches.size === 0 ? 1 : Math.max(...state.batches.keys()) + 1;
}

/**
 * Rows Klaviyo confirmed: in a job that completed and whose every failure was attributed, and not
 * rejected. A job with failures it did not attribute confirms none of its rows: which ones failed is unknown.
 */
export function confirmedRows(state: PushRunState): number[] {
  const rows: number[] = [];
  for (const batch of state.batches.values()) {
    const result = batch.result;
    if (batch.status !== 'finished' || result === undefined || result.status !== 'complete' || result.unknown > 0) continue;
    for (const row of batch.rows) if (!state.rejected.has(row)) rows.push(row);
  }
  return rows.sort((a, b) => a - b);
}

export interface PushTotals {
  readonly profiles: number;
  readonly batches: number;
  /** Profiles in batches that reached Klaviyo as a job. */
  readonly sent: number;
  readonly imported: number;
  readonly rejected: number;
  readonly unknown: number;
  /** Batches not yet sent, or sent and not yet finished: what `--resume` would still do. */
  readonly batchesUnsent: number;
  readonly batchesProcessing: number;
}

export function pushTotals(state: PushRunState): PushTotals {
  let sent = 0;
  let imported = 0;
  let unknown = 0;
  let batches = 0;
  let batchesUnsent = 0;
  let batchesProcessing = 0;
  for (const batch of state.batches.values()) {
    if (batch.status === 'replaced') continue;
    batches++;
    if (batch.status === 'planned' || batch.status === 'sending') batchesUnsent++;
    if (batch.status === 'submitted') batchesProcessing++;
    if (batch.status === 'submitted' || batch.status === 'finished') sent += batch.rows.length;
    if (batch.result !== undefined) {
      imported += batch.result.imported;
      unknown += batch.result.unknown;
    }
  }
  return { profiles: state.start.profiles, batches, sent, imported, rejected: state.rejected.size, unknown, batchesUnsent, batchesProcessing };
}
