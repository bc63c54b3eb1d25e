/**
 * `backfill push`: profiles to Klaviyo through bulk import jobs. In two steps so the CLI can ask
 * before anything leaves the machine: `preparePush` loads the profiles, plans the batches and opens
 * (or replays) the run log; `applyPush` sends, polls and accounts for every profile.
 */
import { createHash } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { readConfig } from '../config/config-file.js';
import { resolveRunSettings, restoreSettings } from '../config/run-settings.js';
import type { Definitions } from '../core/definitions.js';
import type { PropertyClear } from '../core/emptied-windows.js';
import { rowList, type ProfileList } from '../core/profile-list.js';
import type { ProfileRow } from '../core/profiles.js';
import { JsonBytes } from '../core/json-bytes.js';
import { KLAVIYO_LIMITS, planBatches, toRanges, type BatchLimits, type PushPlan } from '../core/push-plan.js';
import { applyEntry, pushTotals, replayRunLog, RUN_LOG_VERSION, type PushRunState, type PushSource, type PushTotals, type RunLogEntry, type StartEntry } from '../core/push-run-state.js';
import { BackfillError } from '../errors.js';
import { eventReading, storedEventOrders } from '../io/event-orders.js';
import { EventStore } from '../io/event-store.js';
import { writePushRejects } from '../io/push-rejects.js';
import { readProfilesCsv } from '../io/read-profiles-csv.js';
import { RejectsFile } from '../io/rejects-file.js';
import { readRunLog, RunLogWriter } from '../io/run-log.js';
import { awaitJobs } from '../klaviyo/await-jobs.js';
import { systemClock, type Clock } from '../klaviyo/clock.js';
import { pacedHttp } from '../klaviyo/api-client.js';
import { PROFILE_IMPORT_LIMITS, sendClears } from '../klaviyo/clear-properties.js';
import { KlaviyoHttp, type KlaviyoConnection, type WaitReason } from '../klaviyo/http.js';
import type { RetryWave } from '../klaviyo/retry-policy.js';
import { JobsApi } from '../klaviyo/jobs-api.js';
import type { PushContext } from '../klaviyo/push-context.js';
import { sendBatches } from '../klaviyo/send-batches.js';
import { TokenBucket } from '../klaviyo/token-bucket.js';
import { DEFAULT_TUNING, type PushTuning } from '../klaviyo/tuning.js';
import { checkPushFiles, RunLocks, stateNotRecorded } from './push-files.js';
import { computeProfileTable } from './compute.js';
import { chooseIncrementalRows, recordIncrementalPush, reselectRows, type IncrementalOptions, type RecordedState } from './incremental.js';

export type PushStart =
  | { readonly kind: 'new'; readonly source: PushSource; readonly runLog: string; readonly listId?: string }
  | { readonly kind: 'resume'; readonly runLog: string };

export interface PushOptions {
  readonly start: PushStart;
  /** Default: beside the run log, `<name>.rejects.csv`. */
  readonly rejectsPath?: string;
  readonly dryRun: boolean;
  readonly limits?: BatchLimits;
  /** Nightly: send only the profiles that differ from the state file, and record what Klaviyo confirms. */
  readonly incremental?: IncrementalOptions;
  /** Asked before a new push opens its run log; throws to cancel. Not asked on resume, dry run, or with nothing to send. */
  readonly confirm?: (push: { profiles: number; batches: number; clears: number; dateProperties: readonly string[] }) => Promise<void>;
  /** A line for the operator that is not an error (a stale lock taken over). */
  readonly onNotice?: (message: string) => void;
}

export interface PreparedPush {
  /** The profiles pushed, in run-log row order (after an incremental push's selection). */
  readonly profiles: ProfileList;
  readonly state: PushRunState;
  readonly runLog: string;
  readonly rejectsPath: string;
  /** Order rows that could not be read (pushing orders), or profiles CSV rows that failed its checks, committed beside the run log. */
  readonly inputRejectsFile: string | undefined;
  /** How many such rows there were (0 when there is no such file). */
  readonly inputRowsRejected: number;
  /** Properties holding dates: these can start date-triggered flows. */
  readonly dateProperties: string[];
  readonly resumed: boolean;
  readonly totals: PushTotals;
  /** Open for appending; undefined for a dry run, or an incremental push with nothing to send: no run log. */
  readonly writer: RunLogWriter | undefined;
  /** The plan of a new push (a resume carries on with the batches in its log). */
  readonly plan: PushPlan | undefined;
  /** Held until applyPush has recorded everything: the run log's and, incremental, the state file's. */
  readonly locks: RunLocks;
}

export async function preparePush(options: PushOptions, now: () => number = Date.now): Promise<PreparedPush> {
  const locks = new RunLocks(options.dryRun, options.onNotice ?? (() => {}), now);
  try {
    return await prepareLocked(options, locks, now);
  } catch (error) {
    locks.release();
    throw error;
  }
}

async function prepareLocked(options: PushOptions, locks: RunLocks, now: () => number): Promise<PreparedPush> {
  const { start } = options;
  const runLog = resolve(start.runLog);
  const rejectsPath = options.rejectsPath ?? siblingPath(runLog, '.rejects.csv');
  const inputRejectsPath = siblingPath(runLog, '.input-rejects.csv');
  if (start.kind === 'new') checkPushFiles(start.source, { runLog, rejectsPath, inputRejectsPath, statePath: options.incremental?.statePath });
  // Before the log is read: a resume must not replay a log another run is still appending to.
  locks.take(runLog, 'the run log');
  if (start.kind === 'resume') {
    const entries = await readRunLog(runLog);
    const state = replayRunLog(entries);
    const incremental = state.start.incremental;
    checkPushFiles(state.start.source, { runLog, rejectsPath, inputRejectsPath, statePath: incremental?.statePath });
    if (incremental !== undefined) locks.take(incremental.statePath, 'the state file');
    const loaded = await loadProfiles(state.start.source, inputRejectsPath, runLog, options.onNotice);
    const { inputRejectsFile, inputRowsRejected } = loaded;
    const profiles = incremental === undefined ? loaded.profiles : rowList(reselectRows(computedRows(loaded), incremental, runLog));
    if (fingerprint(profiles) !== state.start.fingerprint) {
      throw new BackfillError('RUN_LOG_MISMATCH', `the profiles computed now differ from those ${runLog} was pushing`, {
        location: { file: runLog },
        hint: 'The input files changed since the push started. Start a new push instead of resuming this one.',
      });
    }
    const writer = options.dryRun ? undefined : await RunLogWriter.open(runLog, false);
    const prepared = { profiles, state, runLog, rejectsPath, inputRejectsFile, inputRowsRejected, dateProperties: profiles.textProperties(), resumed: true, writer, plan: undefined, locks };
    if (writer !== undefined) record(prepared, { type: 'resume', at: new Date(now()).toISOString() });
    return { ...prepared, totals: pushTotals(state) };
  }
  if (options.incremental !== undefined) locks.take(options.incremental.statePath, 'the state file');
  const loaded = await loadProfiles(start.source, inputRejectsPath, runLog, options.onNotice);
  const { inputRejectsFile, inputRowsRejected } = loaded;
  let profiles = loaded.profiles;
  let incremental: StartEntry['incremental'];
  let clears: readonly PropertyClear[] = [];
  if (options.incremental !== undefined) {
    if (loaded.kind !== 'orders') {
      throw new BackfillError('USAGE', '--incremental computes from order exports; it cannot take --profiles', { hint: 'Run backfill push --incremental <orders.csv...>.' });
    }
    const chosen = await chooseIncrementalRows(loaded.rows, loaded.withoutProperties, loaded.definitions, options.incremental);
    profiles = rowList(chosen.rows);
    incremental = chosen.entry;
    clears = chosen.clears;
  }
  const startEntry: StartEntry = {
    type: 'start',
    version: RUN_LOG_VERSION,
    at: new Date(now()).toISOString(),
    source: start.source,
    fingerprint: fingerprint(profiles),
    profiles: profiles.length,
    listId: start.listId ?? null,
    ...(incremental !== undefined ? { incremental } : {}),
  };
  const state = replayRunLog([startEntry]);
  const plan = planBatches(profiles, options.limits ?? KLAVIYO_LIMITS, start.listId);
  const properties = profiles.textProperties();
  // A quiet night (an incremental push with nothing to send or clear) leaves no run log behind.
  const writes = !options.dryRun && (incremental === undefined || profiles.length > 0 || clears.length > 0);
  if (writes) await options.confirm?.({ profiles: profiles.length, batches: plan.batches.length, clears: clears.length, dateProperties: properties });
  const writer = writes ? await RunLogWriter.open(runLog, true) : undefined;
  writer?.append(startEntry);
  const prepared = { profiles, state, runLog, rejectsPath, inputRejectsFile, inputRowsRejected, dateProperties: properties, resumed: false, writer, plan, locks };
  if (clears.length > 0) record(prepared, { type: 'clears', clears });
  if (plan.heldBack.length > 0) record(prepared, { type: 'rejected', batch: null, profiles: plan.heldBack });
  plan.batches.forEach((batch, index) => record(prepared, { type: 'batch', batch: index + 1, rows: toRanges(batch.rows) }));
  return { ...prepared, totals: pushTotals(state) };
}

export interface ApplyOptions {
  readonly connection: KlaviyoConnection;
  readonly tuning?: PushTuning;
  readonly clock?: Clock;
  readonly stop?: AbortSignal;
  readonly onProgress?: (totals: PushTotals) => void;
  readonly onWait?: (ms: number, reason: WaitReason) => void;
  readonly onRetry?: (wave: RetryWave) => void;
}

export interface PushResult {
  readonly totals: PushTotals;
  readonly runLog: string;
  readonly rejectsFile: string | undefined;
  /** Why the run stopped early (interrupted, gave up, refused); the CLI reports it after the summary. */
  readonly stoppedBy: BackfillError | undefined;
  /** An incremental push: the state file and how many profiles this run recorded in it. */
  readonly recordedState: RecordedState | undefined;
}

export async function applyPush(prepared: PreparedPush, options: ApplyOptions): Promise<PushResult> {
  const tuning = options.tuning ?? DEFAULT_TUNING;
  const clock = options.clock ?? systemClock;
  const stop = options.stop ?? new AbortController().signal;
  const bucket = new TokenBucket(clock, tuning.burst, tuning.perMinute);
  const http = new KlaviyoHttp({ connection: options.connection, tuning, clock, bucket, stop, ...(options.onWait ? { onWait: options.onWait } : {}), ...(options.onRetry ? { onRetry: options.onRetry } : {}) });
  const context: PushContext = {
    api: new JobsApi(http),
    state: prepared.state,
    record: (entry) => record(prepared, entry),
    profiles: prepared.profiles,
    listId: prepared.state.start.listId ?? undefined,
    tuning,
    clock,
    stop,
    onProgress: () => options.onProgress?.(pushTotals(prepared.state)),
  };
  let stoppedBy: BackfillError | undefined;
  try {
    await sendBatches(context);
    // While Klaviyo works on the jobs: the clears have limits of their own, so they take none of the polls'.
    await sendClears({ ...clearClient(options, tuning, clock, stop), state: prepared.state, record: context.record, onProgress: context.onProgress });
    await awaitJobs(context, prepared.runLog);
  } catch (error) {
    if (!(error instanceof BackfillError)) throw error;
    stoppedBy = error;
    try {
      record(prepared, { type: 'stopped', at: new Date(clock.now()).toISOString(), reason: `${error.code}: ${error.message}` });
    } catch {
      // The run log itself failed (that is what stopped the run): the stop stays unrecorded.
    }
  } finally {
    prepared.writer?.close();
  }
  let recordedState: RecordedState | undefined;
  let rejectsFile: string | undefined;
  try {
    // Each file is attempted even when another failed: the state must record what Klaviyo confirmed.
    rejectsFile = await writePushRejects(prepared.rejectsPath, prepared.state).catch((error: unknown) => {
      if (!(error instanceof BackfillError)) throw error;
      stoppedBy ??= error;
      return undefined;
    });
    const incremental = prepared.state.start.incremental;
    if (incremental !== undefined) {
      const finished = stoppedBy === undefined;
      const runLog = prepared.writer === undefined ? undefined : prepared.runLog;
      recordedState = await recordIncrementalPush(prepared.state, prepared.profiles, incremental, new Date(clock.now()).toISOString()).catch((error: unknown) => {
        stoppedBy = stateNotRecorded(error, finished, runLog);
        return undefined;
      });
    }
  } finally {
    prepared.locks.release();
  }
  const totals = pushTotals(prepared.state);
  return { totals, runLog: prepared.runLog, rejectsFile, stoppedBy, recordedState };
}

/** The client for the clears: Create or Update Profile's own limits, the push's timeouts, retries and stop. */
function clearClient(options: ApplyOptions, tuning: PushTuning, clock: Clock, stop: AbortSignal): { http: KlaviyoHttp; tuning: PushTuning } {
  const client = { connection: options.connection, tuning, clock, stop, ...(options.onWait ? { onWait: options.onWait } : {}), ...(options.onRetry ? { onRetry: options.onRetry } : {}) };
  return { http: pacedHttp(client, PROFILE_IMPORT_LIMITS), tuning };
}

/** A profiles CSV, read into columns; or order exports, computed into rows by these definitions. */
type LoadedProfiles =
  | { readonly kind: 'profiles'; readonly profiles: ProfileList; readonly inputRejectsFile: string | undefined; readonly inputRowsRejected: number }
  | {
      readonly kind: 'orders';
      readonly profiles: ProfileList;
      readonly rows: ProfileRow[];
      /** Profiles whose orders set nothing (their windows emptied): never sent, perhaps cleared. */
      readonly withoutProperties: ProfileRow[];
      readonly inputRejectsFile: string | undefined;
      readonly inputRowsRejected: number;
      readonly definitions: Definitions;
    };

/** The loaded profiles as rows, for the incremental selection (which only order exports start). */
function computedRows(loaded: LoadedProfiles): readonly ProfileRow[] {
  if (loaded.kind === 'orders') return loaded.rows;
  return Array.from({ length: loaded.profiles.length }, (_, index) => loaded.profiles.row(index));
}

/** Where the profiles come from: order exports computed as `compute` does, or a profiles CSV. */
async function loadProfiles(source: PushSource, inputRejectsPath: string, runLog: string, onNotice: ((message: string) => void) | undefined): Promise<LoadedProfiles> {
  if (source.kind === 'profiles') {
    // A row that fails the checks is not sent: it goes to the input rejects file with its line.
    const rejects = new RejectsFile(inputRejectsPath);
    try {
      const { profiles } = await readProfilesCsv(source.file, (rejected) => rejects.add(rejected));
      return { kind: 'profiles', profiles, inputRejectsFile: await rejects.commit(), inputRowsRejected: rejects.count };
    } catch (error) {
      await rejects.discard();
      throw error;
    }
  }
  const config = source.configPath === null ? undefined : await readConfig(source.configPath);
  const settings = resolveRunSettings(restoreSettings(source.settings, runLog), config);
  const events = source.klaviyo === undefined ? undefined : await EventStore.open(source.klaviyo.store, source.klaviyo.metricId, Date.now(), onNotice ? { onNotice } : {});
  const table = await computeProfileTable({
    files: source.files,
    ...(events !== undefined ? { source: storedEventOrders(events, eventReading(settings.events.itemPaths, settings.input), source.klaviyo!.label) } : {}),
    definitions: settings.definitions,
    input: settings.input,
    asOf: source.asOf,
    strict: false,
    rejectsPath: inputRejectsPath,
  }).finally(() => events?.close());
  return { kind: 'orders', profiles: rowList(table.rows), rows: table.rows, withoutProperties: table.withoutProperties, inputRejectsFile: table.rejectsFile, inputRowsRejected: table.counts.rowsRejected, definitions: settings.definitions };
}

function record(prepared: Pick<PreparedPush, 'state' | 'writer'>, entry: RunLogEntry): void {
  // Log first: a crash between the two leaves a log that says more than memory knew, never less.
  prepared.writer?.append(entry);
  applyEntry(prepared.state, entry);
}

/**
 * sha256 of the table, so resume can tell that row 1234 is still the same profile: over each row's
 * `JSON.stringify([email, properties])` and a line break, the text run logs of every version hold.
 */
export function fingerprint(profiles: ProfileList): string {
  const hash = createHash('sha256');
  // Rows' text written as bytes and handed over some 64 KB at a time: a string and an update per row
  // cost more than the hashing.
  const json = new JsonBytes();
  for (let index = 0; index < profiles.length; index++) {
    json.byte(OPEN_BRACKET);
    profiles.writeEmailJson(index, json);
    json.byte(COMMA);
    profiles.writePropertiesJson(index, json);
    json.byte(CLOSE_BRACKET);
    json.byte(LINE_FEED);
    if (json.length >= FINGERPRINT_CHUNK) {
      hash.update(json.bytes());
      json.clear();
    }
  }
  hash.update(json.bytes());
  return hash.digest('hex');
}

const FINGERPRINT_CHUNK = 1 << 16;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const LINE_FEED = 0x0a;

/** `.backfill/push-20261126T101500Z.ndjson` in the current directory. */
export function defaultRunLogPath(now: number): string {
  // Milliseconds included: two pushes in the same second (scripts, tests) must not share a log.
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '');
  return join('.backfill', `push-${stamp}.ndjson`);
}

function siblingPath(path: string, suffix: string): string {
  return join(dirname(path), `${basename(path).replace(/\.ndjson$/, '')}${suffix}`);
}
