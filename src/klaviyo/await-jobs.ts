/**
 * Waiting for submitted jobs to finish, then accounting for every profile in them: imported,
 * rejected with Klaviyo's reason (import errors mapped back to emails through `original_payload`),
 * or unknown when Klaviyo counted a failure it did not attribute. Never "imported" by default.
 *
 * Polls share the 150/min budget with creates, so several outstanding jobs are read from the job
 * list (100 per request, newest first) rather than one GET each; a job the list does not show is
 * read on its own.
 */
import type { BatchState, RejectedProfile } from '../domain/push-run-state.js';
import { BackfillError } from '../errors.js';
import { interrupted } from './http.js';
import type { ImportJob } from './jobs-api.js';
import { batchesWithStatus, type PushContext } from './push-context.js';

export async function awaitJobs(context: PushContext, runLogPath: string): Promise<void> {
  const deadline = context.clock.now() + context.tuning.pollTimeoutMs;
  for (;;) {
    const outstanding = batchesWithStatus(context.state, 'submitted');
    if (outstanding.length === 0) return;
    if (context.stop.aborted) throw interrupted();
    const jobs = await readJobs(context, outstanding);
    for (const batch of outstanding) {
      const job = jobs.get(batch.job!);
      if (job !== undefined && (job.status === 'complete' || job.status === 'cancelled')) await finishBatch(context, batch, job);
    }
    context.onProgress?.();
    const left = batchesWithStatus(context.state, 'submitted').length;
    if (left === 0) return;
    if (context.clock.now() >= deadline) {
      throw new BackfillError('KLAVIYO_UNAVAILABLE', `${left === 1 ? '1 import job was' : `${left} import jobs were`} still processing when the wait ran out`, {
        hint: `Klaviyo keeps working on them; to collect their results later, run: backfill push --resume ${runLogPath}`,
      });
    }
    await context.clock.sleep(context.tuning.pollIntervalMs, context.stop);
  }
}

async function readJobs(context: PushContext, outstanding: readonly BatchState[]): Promise<Map<string, ImportJob>> {
  const wanted = new Set(outstanding.map((batch) => batch.job!));
  const found = new Map<string, ImportJob>();
  if (wanted.size > 1) {
    const times = outstanding.map((batch) => Date.parse(batch.createdAt ?? '')).filter(Number.isFinite);
    // Pages are newest first: past the oldest job we wait for, the list has nothing more for us.
    const oldest = times.length === outstanding.length ? Math.min(...times) : -Infinity;
    for await (const job of context.api.recentJobs()) {
      if (wanted.has(job.id)) found.set(job.id, job);
      if (found.size === wanted.size || Date.parse(job.createdAt) < oldest) break;
    }
  }
  for (const id of wanted) if (!found.has(id)) found.set(id, await context.api.getJob(id));
  return found;
}

async function finishBatch(context: PushContext, batch: BatchState, job: ImportJob): Promise<void> {
  const rejected: RejectedProfile[] = [];
  if (job.failed > 0 || job.status === 'cancelled') {
    const rowByEmail = new Map(batch.rows.map((row) => [context.profiles.email(row), row]));
    const attributed = new Set<number>();
    for await (const error of context.api.importErrors(job.id)) {
      const row = error.email === undefined ? undefined : rowByEmail.get(error.email);
      if (row === undefined || attributed.has(row)) continue;
      attributed.add(row);
      const reason = [error.title, error.detail].filter((part) => part !== '').join(': ');
      rejected.push({ row, email: context.profiles.email(row), code: 'IMPORT_ERROR', reason: `${reason} (job ${job.id})` });
    }
  }
  if (rejected.length > 0) context.record({ type: 'rejected', batch: batch.id, job: job.id, profiles: rejected });
  const sent = batch.rows.length;
  // A job counting fewer profiles than were sent has lost some: they are unknown, not imported.
  const counted = Math.min(job.total, sent);
  const failed = Math.min(counted, Math.max(job.failed, rejected.length));
  // A cancelled job confirms nothing: whatever is not attributed to an error is unknown.
  const imported = job.status === 'complete' ? counted - failed : 0;
  const unknown = sent - imported - rejected.length;
  context.record({ type: 'finished', batch: batch.id, job: job.id, status: job.status === 'complete' ? 'complete' : 'cancelled', total: job.total, failed: job.failed, imported, unknown });
}
