/**
 * Runs a push in-process against the stand-in, on the virtual clock with Klaviyo's real pacing, and
 * checks the one property every scenario must keep: each profile imported exactly once with the
 * values it was computed with, or rejected with a reason, and the client's counts saying so.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { applyPush, preparePush, type PreparedPush, type PushResult } from '../../src/commands/push.js';
import type { ProfileRow } from '../../src/domain/profile-row.js';
import type { BatchLimits } from '../../src/domain/push-plan.js';
import type { PushTotals } from '../../src/domain/push-run-state.js';
import { DEFAULT_TUNING, type PushTuning } from '../../src/klaviyo/tuning.js';
import type { KlaviyoStandIn } from './klaviyo-stand-in.js';
import { tempDir } from './cli.js';
import { writeProfiles } from './profiles.js';
import { VirtualClock } from './virtual-clock.js';

export const API_KEY = 'pk_test_0123456789abcdef0123456789';
export const SMALL_JOBS: BatchLimits = { profilesPerJob: 10, bytesPerJob: 4_500_000, bytesPerProfile: 100_000 };

export interface PushRun {
  readonly result: PushResult;
  readonly prepared: PreparedPush;
  readonly clock: VirtualClock;
  readonly runLog: string;
}

export async function pushTo(
  standIn: KlaviyoStandIn,
  rows: readonly ProfileRow[],
  options: { listId?: string; tuning?: Partial<PushTuning>; limits?: BatchLimits; resume?: string; stopAfterBatches?: number } = {},
): Promise<PushRun> {
  let runLog = options.resume;
  let prepared: PreparedPush;
  if (runLog === undefined) {
    const dir = await tempDir();
    runLog = join(dir, 'push.ndjson');
    const file = await writeProfiles(dir, rows);
    const start = { kind: 'new' as const, runLog, source: { kind: 'profiles' as const, file }, ...(options.listId ? { listId: options.listId } : {}) };
    prepared = await preparePush({ start, dryRun: false, limits: options.limits ?? SMALL_JOBS });
  } else {
    prepared = await preparePush({ start: { kind: 'resume', runLog }, dryRun: false });
  }
  const clock = new VirtualClock();
  const stop = new AbortController();
  const result = await applyPush(prepared, {
    connection: { baseUrl: standIn.baseUrl, apiKey: API_KEY, revision: '2026-07-15' },
    // Klaviyo's pacing and back-off, in virtual time; only the request timeout is real, and short.
    tuning: { ...DEFAULT_TUNING, requestTimeoutMs: 300, ...options.tuning },
    clock,
    stop: stop.signal,
    onProgress: (totals) => {
      if (options.stopAfterBatches !== undefined && totals.batches - totals.batchesUnsent >= options.stopAfterBatches) stop.abort();
    },
  });
  return { result, prepared, clock, runLog };
}

/** Every profile once in Klaviyo with its values, or in the rejects file; the summary agrees. */
export async function assertAccounted(standIn: KlaviyoStandIn, rows: readonly ProfileRow[], outcome: { totals: PushTotals; rejectsFile: string | undefined }): Promise<void> {
  assert.deepEqual(standIn.violations, [], 'every request matched the API schema');
  const byEmail = new Map(rows.map((row) => [row.email, row]));
  const importedCount = new Map<string, number>();
  for (const profile of standIn.imported) {
    importedCount.set(profile.email, (importedCount.get(profile.email) ?? 0) + 1);
    assert.deepEqual(profile.properties, byEmail.get(profile.email)?.properties, `${profile.email} imported with its computed values`);
  }
  for (const [email, count] of importedCount) assert.equal(count, 1, `${email} imported ${count} times`);
  const jobsPerEmail = new Map<string, number>();
  for (const job of standIn.jobs) for (const p of job.profiles) jobsPerEmail.set(p.email, (jobsPerEmail.get(p.email) ?? 0) + 1);
  for (const [email, count] of jobsPerEmail) assert.equal(count, 1, `${email} sent in ${count} jobs: a batch was created twice`);

  const rejected = await rejectsByEmail(outcome.rejectsFile);
  for (const row of rows) {
    const imported = importedCount.has(row.email);
    assert.notEqual(imported, rejected.has(row.email), `${row.email}: imported=${imported}, rejected=${rejected.has(row.email)}`);
    if (!imported) assert.ok(rejected.get(row.email)!.length > 0, `${row.email} rejected with a reason`);
  }
  const totals = outcome.totals;
  assert.equal(totals.rejected, rejected.size);
  assert.equal(totals.imported + totals.unknown, standIn.imported.length, 'confirmed + unknown = what Klaviyo holds');
  assert.equal(totals.imported + totals.rejected + totals.unknown, rows.length);
  assert.equal(totals.batchesUnsent + totals.batchesProcessing, 0);
}

export async function rejectsByEmail(path: string | undefined): Promise<Map<string, string>> {
  if (path === undefined) return new Map();
  const records = parse(await readFile(path, 'utf8'), { columns: true }) as Record<string, string>[];
  return new Map(records.filter((r) => r.email !== '').map((r) => [r.email!, r.reason!]));
}

/** Fast pacing for child processes (the in-process tests use a virtual clock instead). */
const FAST_TUNING = JSON.stringify({ pollIntervalMs: 5, backoffBaseMs: 5, backoffMaxMs: 20, retryAfterUnitMs: 5, requestTimeoutMs: 5000 });

/** A child's environment with fast push pacing, for CLI tests against the stand-in. */
export function fastPushEnv(env: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { BACKFILL_PUSH_TUNING: FAST_TUNING, ...env };
}
