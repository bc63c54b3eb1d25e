/**
 * Sending planned batches as bulk import jobs, one create request at a time, so that at most one
 * batch is ever "sending" without a known job: after a crash that is the only one to reconcile.
 *
 * Never the same batch twice: a create that timed out, was reset or got a 5xx may have made a job.
 * Before resending, the recent jobs are listed and one that is not already in the run log, has the
 * batch's profile count and was created since the request went out is taken as the batch's job.
 * (This assumes nothing else creates same-sized import jobs on the account during the push.)
 */
import { importJobRequest, profileResource, toRanges } from '../domain/push-plan.js';
import { nextBatchId, type BatchState, type RejectedProfile } from '../domain/push-run-state.js';
import { BackfillError } from '../errors.js';
import { describeErrors, type ApiError } from './error-envelope.js';
import { gaveUp, interrupted } from './http.js';
import { batchesWithStatus, type PushContext } from './push-context.js';

export async function sendBatches(context: PushContext): Promise<void> {
  for (;;) {
    const batch = batchesWithStatus(context.state, 'planned', 'sending')[0];
    if (batch === undefined) return;
    if (context.stop.aborted) throw interrupted();
    await sendBatch(context, batch);
    context.onProgress?.();
  }
}

async function sendBatch(context: PushContext, batch: BatchState): Promise<void> {
  // Left "sending" by an earlier run: its request may have created a job.
  if (batch.status === 'sending' && (await recoverJob(context, batch))) return;
  // One batch's rows at a time: a columnar table makes them here, and they die with the request.
  const profiles = batch.rows.map((row) => profileResource(context.profiles.row(row)));
  const body = JSON.stringify(importJobRequest(profiles, context.listId));
  for (let attempt = 1; ; attempt++) {
    if (context.stop.aborted) throw interrupted();
    context.record({ type: 'sending', batch: batch.id, at: context.clock.now() });
    const outcome = await context.api.createOnce(body);
    switch (outcome.kind) {
      case 'created':
        context.record({ type: 'submitted', batch: batch.id, job: outcome.job.id, createdAt: outcome.job.createdAt });
        return;
      case 'too-large':
        splitBatch(context, batch);
        return;
      case 'invalid-profiles':
        narrowBatch(context, batch, outcome.byProfile);
        return;
      case 'refused':
        throw outcome.error;
      case 'ambiguous':
        if (await recoverJob(context, batch)) return;
        break;
      case 'retry':
        break;
    }
    if (attempt >= context.tuning.maxAttempts) throw gaveUp('POST', context.api.http.url('/api/profile-bulk-import-jobs'), outcome.attempt, attempt);
    await context.api.http.backoff(attempt, outcome.attempt, 'POST /api/profile-bulk-import-jobs');
  }
}

/** Finds the job an ambiguous create made, if it made one, and records it as the batch's. */
async function recoverJob(context: PushContext, batch: BatchState): Promise<boolean> {
  const since = (batch.sendingAt ?? context.clock.now()) - context.tuning.createdAtToleranceMs;
  for await (const job of context.api.recentJobs()) {
    if (Date.parse(job.createdAt) < since) break; // newest first: the rest are older still
    if (context.state.claimedJobs.has(job.id) || job.total !== batch.rows.length) continue;
    context.record({ type: 'submitted', batch: batch.id, job: job.id, createdAt: job.createdAt, recovered: true });
    return true;
  }
  return false;
}

/** 413: the request was too big after all. Halves go back in the queue; a lone profile is rejected. */
function splitBatch(context: PushContext, batch: BatchState): void {
  if (batch.rows.length === 1) {
    const row = batch.rows[0]!;
    reject(context, batch, [{ row, email: context.profiles.email(row), code: 'PROFILE_TOO_LARGE', reason: 'Klaviyo refused the profile as too large (413)' }]);
    context.record({ type: 'replaced', batch: batch.id, by: [], reason: '413 for a single profile' });
    return;
  }
  const half = Math.ceil(batch.rows.length / 2);
  const parts = [batch.rows.slice(0, half), batch.rows.slice(half)];
  const ids = plan(context, batch, parts, batch.narrowed);
  context.record({ type: 'replaced', batch: batch.id, by: ids, reason: '413 payload too large: split in two' });
}

/**
 * A 400 whose every error names a profile: those profiles go to the rejects file with Klaviyo's
 * words, and the rest is sent once more as a new batch. A second such 400 stops the run.
 */
function narrowBatch(context: PushContext, batch: BatchState, byProfile: Map<number, ApiError[]>): void {
  const refusedRows = [...byProfile.keys()].filter((index) => index < batch.rows.length);
  if (batch.narrowed || refusedRows.length !== byProfile.size) {
    const errors = [...byProfile.values()].flat();
    throw new BackfillError('KLAVIYO_REFUSED', `Klaviyo refused batch ${batch.id} again after its invalid profiles were removed: ${describeErrors(errors)}`, {
    });
  }
  const rejected: RejectedProfile[] = refusedRows.map((index) => {
    const row = batch.rows[index]!;
    return { row, email: context.profiles.email(row), code: 'KLAVIYO_INVALID', reason: describeErrors(byProfile.get(index)!) };
  });
  reject(context, batch, rejected);
  const refused = new Set(rejected.map((profile) => profile.row));
  const rest = batch.rows.filter((row) => !refused.has(row));
  const ids = rest.length > 0 ? plan(context, batch, [rest], true) : [];
  context.record({ type: 'replaced', batch: batch.id, by: ids, reason: `400: ${rejected.length} profiles refused, the rest resent` });
}

function plan(context: PushContext, parent: BatchState, parts: readonly (readonly number[])[], narrowed: boolean): number[] {
  return parts.map((rows) => {
    const id = nextBatchId(context.state);
    context.record({ type: 'batch', batch: id, rows: toRanges(rows), parent: parent.id, ...(narrowed ? { narrowed } : {}) });
    return id;
  });
}

function reject(context: PushContext, batch: BatchState, profiles: RejectedProfile[]): void {
  context.record({ type: 'rejected', batch: batch.id, profiles });
}
