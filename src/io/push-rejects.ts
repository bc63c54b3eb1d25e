/**
 * The push's rejects file: every profile Klaviyo did not take, with the reason, every job that
 * counted failures it did not attribute (those profiles are "unknown": maybe imported, maybe not), and
 * every clear of emptied windows Klaviyo refused (`CLEAR_REFUSED`: tried again the next night).
 * Rebuilt from the run log at the end of every run and resume, and written atomically.
 */
import { stringify } from 'csv-stringify/sync';
import type { PushRunState } from '../core/push-run-state.js';
import { AtomicFile, CUSTOMER_FILE, writeError } from './atomic-file.js';

export const PUSH_REJECTS_HEADER = ['email', 'code', 'reason', 'batch', 'job'] as const;

export async function writePushRejects(path: string, state: PushRunState): Promise<string | undefined> {
  const records: (string | number)[][] = [];
  const batchOfRow = new Map<number, number>();
  // Batches in id order: a row in a split or narrowed batch ends up named by the batch it was last in.
  for (const batch of state.batches.values()) for (const row of batch.rows) batchOfRow.set(row, batch.id);
  const rejected = [...state.rejected.values()].sort((a, b) => a.row - b.row);
  for (const profile of rejected) {
    const batch = batchOfRow.get(profile.row);
    const job = batch === undefined ? '' : (state.batches.get(batch)?.job ?? '');
    records.push([profile.email, profile.code, profile.reason, batch ?? '', job]);
  }
  for (const batch of state.batches.values()) {
    const result = batch.result;
    if (result === undefined || result.unknown === 0) continue;
    const why = result.status === 'cancelled' ? 'the job was cancelled' : 'Klaviyo counted failures it did not attribute to a profile';
    records.push(['', 'UNCONFIRMED', `${result.unknown} of the ${batch.rows.length} profiles in this batch are not confirmed: ${why}`, batch.id, result.job]);
  }
  state.clearOutcomes.forEach((outcome, index) => {
    if (outcome.kind === 'failed') records.push([state.clears[index]!.email, 'CLEAR_REFUSED', outcome.reason, '', '']);
  });
  if (records.length === 0) return undefined;
  const file = new AtomicFile(path, CUSTOMER_FILE);
  try {
    // Klaviyo's messages can quote what was sent, the key included: AtomicFile redacts it.
    await file.write(stringify([[...PUSH_REJECTS_HEADER], ...records]));
    await file.commit();
  } catch (error) {
    await file.discard();
    throw writeError('the rejects file', path, error);
  }
  return path;
}
