/**
 * What the sending and the polling share: the API, the run state and the one way to change it
 * (`record`: append to the run log, then apply), and the clock and stop signal.
 */
import type { ProfileList } from '../domain/profile-list.js';
import type { BatchState, PushRunState, RunLogEntry } from '../domain/push-run-state.js';
import type { Clock } from './clock.js';
import type { JobsApi } from './jobs-api.js';
import type { PushTuning } from './tuning.js';

export interface PushContext {
  readonly api: JobsApi;
  readonly state: PushRunState;
  /** Appends the entry to the run log and applies it to `state`, in that order. */
  readonly record: (entry: RunLogEntry) => void;
  /** The profiles the run log's row numbers index. */
  readonly profiles: ProfileList;
  readonly listId: string | undefined;
  readonly tuning: PushTuning;
  readonly clock: Clock;
  readonly stop: AbortSignal;
  /** Called after every step that changes the totals. */
  readonly onProgress?: () => void;
}

export function batchesWithStatus(state: PushRunState, ...statuses: BatchState['status'][]): BatchState[] {
  return [...state.batches.values()].filter((batch) => statuses.includes(batch.status)).sort((a, b) => a.id - b.id);
}
