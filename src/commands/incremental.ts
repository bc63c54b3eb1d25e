/**
 * `push --incremental`, the nightly recompute: before the push, choose the profiles that differ from
 * what the state file says Klaviyo holds; after it, record the ones Klaviyo confirmed. The push itself
 * (batches, run log, resume) is the ordinary one in push.ts.
 */
import { planIncrementalPush, recordFinishedSend } from '../core/confirmed-state.js';
import { definitionsHash, summarizeDefinitions } from '../core/definitions-hash.js';
import { propertyColumns, type Definitions } from '../core/definitions.js';
import { planClears, type PropertyClear } from '../core/emptied-windows.js';
import type { ProfileList } from '../core/profile-list.js';
import type { ProfileRow } from '../core/profiles.js';
import { fromRanges, toRanges } from '../core/push-plan.js';
import { confirmedClears, confirmedRows, pushTotals, type IncrementalStart, type PushRunState } from '../core/push-run-state.js';
import { BackfillError } from '../errors.js';
import { readStateFile, writeStateFile } from '../io/state-file.js';

export interface IncrementalOptions {
  /** Absolute path of the state file. */
  readonly statePath: string;
  /** Send every profile whatever the state says. */
  readonly full: boolean;
  /** Clear the windows that emptied (one Create or Update Profile request per profile) instead of leaving them. */
  readonly clearEmptied?: boolean;
}

/** The rows to send, the emptied windows to clear, and the run log's record of the choice. */
export async function chooseIncrementalRows(
  computed: readonly ProfileRow[],
  withoutProperties: readonly ProfileRow[],
  definitions: Definitions,
  options: IncrementalOptions,
): Promise<{ rows: ProfileRow[]; clears: PropertyClear[]; entry: IncrementalStart }> {
  const state = await readStateFile(options.statePath);
  const hash = definitionsHash(definitions);
  const columns = propertyColumns(definitions);
  const plan = planIncrementalPush(computed, state, hash, columns, options.full, withoutProperties);
  const { diff } = plan;
  const clearing = options.clearEmptied === true ? planClears(computed, withoutProperties, state?.profiles, definitions) : undefined;
  return {
    rows: plan.selection.map((index) => computed[index]!),
    clears: clearing?.clears ?? [],
    entry: {
      statePath: options.statePath,
      definitionsHash: hash,
      definitions: summarizeDefinitions(definitions),
      columns,
      reason: plan.reason,
      selection: toRanges(plan.selection),
      counts: {
        computed: computed.length,
        added: diff.added.length,
        changed: diff.changed.length,
        unchanged: diff.unchangedCount,
        emptied: diff.stale.length,
        onlyInState: diff.onlyInBaseline.length,
        withoutEmail: diff.withoutEmail,
      },
      ...(clearing !== undefined ? { clearEmptied: true, clearsWithoutEmail: clearing.withoutEmail } : {}),
    },
  };
}

/** On resume: the same rows as the run chose, from the table computed again. */
export function reselectRows(computed: readonly ProfileRow[], entry: IncrementalStart, runLog: string): ProfileRow[] {
  const rows: ProfileRow[] = [];
  for (const index of fromRanges(entry.selection)) {
    const row = computed[index];
    if (row === undefined) {
      throw new BackfillError('RUN_LOG_MISMATCH', `the profiles computed now differ from those ${runLog} was pushing`, {
        location: { file: runLog },
        hint: 'The input files changed since the push started. Run backfill push --incremental again instead of resuming.',
      });
    }
    rows.push(row);
  }
  return rows;
}

export interface RecordedState {
  readonly path: string;
  /** Profiles this run confirmed and wrote into the state. */
  readonly recorded: number;
  /** Profiles whose cleared windows the state no longer holds. */
  readonly cleared: number;
}

/**
 * Folds the run's confirmed profiles into the state file. Read just before writing, so a resume
 * applies its results to the newest state; written even after an early stop, so what Klaviyo did
 * confirm is not sent again.
 */
export async function recordIncrementalPush(state: PushRunState, profiles: ProfileList, entry: IncrementalStart, at: string): Promise<RecordedState> {
  const confirmed = confirmedRows(state).map((index) => profiles.row(index));
  const cleared = confirmedClears(state);
  const totals = pushTotals(state);
  const previous = await readStateFile(entry.statePath);
  const next = recordFinishedSend(previous, {
    definitionsHash: entry.definitionsHash,
    definitions: entry.definitions,
    columns: entry.columns,
    confirmed,
    cleared,
    complete: totals.batchesUnsent + totals.batchesProcessing === 0,
    at,
  });
  await writeStateFile(entry.statePath, next);
  return { path: entry.statePath, recorded: confirmed.length, cleared: cleared.length };
}
