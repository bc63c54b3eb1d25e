/**
 * The words and JSON fields `push --incremental` adds to push's one summary line: why it sent what it
 * sent, how the computed profiles compare with the state, what became of the emptied windows (left,
 * or cleared), and where the state was recorded.
 */
import type { RecordedState } from '../commands/incremental.js';
import type { SendReason } from '../domain/confirmed-state.js';
import type { PropertyClear } from '../domain/emptied-windows.js';
import type { ClearTotals, IncrementalStart } from '../domain/push-run-state.js';
import { formatCount } from '../wording.js';

const REASONS: Readonly<Record<SendReason, string>> = {
  changes: 'changed profiles only',
  'no-state': 'no state file yet, sending every profile',
  'definitions-changed': 'definitions changed, sending every profile',
  unfinished: 'the last full send did not finish, sending every profile',
  full: '--full, sending every profile',
};


/** Goes before push's own counts: `incremental push (changed profiles only): 1 added, 2 changed, 17 unchanged`. */
export function incrementalHead(entry: IncrementalStart): string {
  const c = entry.counts;
  return `incremental push (${REASONS[entry.reason]}): ${formatCount(c.added)} added, ${formatCount(c.changed)} changed, ${formatCount(c.unchanged)} unchanged`;
}

/** Goes after push's own counts; `clears` with `--clear-emptied`. */
export function incrementalTail(entry: IncrementalStart, recorded: RecordedState | undefined, clears: ClearTotals | undefined): string[] {
  const c = entry.counts;
  const parts: string[] = [];
  if (entry.clearEmptied === true && clears !== undefined) {
    if (clears.planned > 0) parts.push(clearsText(clears));
    if ((entry.clearsWithoutEmail ?? 0) > 0) parts.push(`${formatCount(entry.clearsWithoutEmail!)} profiles known only by phone with an emptied window not cleared`);
  } else if (c.emptied > 0) parts.push(`${formatCount(c.emptied)} emptied properties left as they are in Klaviyo`);
  if (c.onlyInState > 0) parts.push(`${formatCount(c.onlyInState)} profiles not in the export left as they are`);
  if (c.withoutEmail > 0) parts.push(`${formatCount(c.withoutEmail)} profiles known only by phone not sent`);
  if (recorded !== undefined) parts.push(`state ${recorded.path} (${formatCount(recorded.recorded)} recorded${recorded.cleared > 0 ? `, ${formatCount(recorded.cleared)} cleared` : ''})`);
  return parts;
}

/** `emptied windows cleared on 3 profiles: 3 sent, 2 confirmed, 1 failed (in the rejects file; ...)`; unsent ones are in push's resume note. */
function clearsText(t: ClearTotals): string {
  const failed = t.failed > 0 ? ' (in the rejects file; tried again next night)' : '';
  return `emptied windows cleared on ${formatCount(t.planned)} profiles: ${formatCount(t.sent)} sent, ${formatCount(t.confirmed)} confirmed, ${formatCount(t.failed)} failed${failed}`;
}

export function incrementalJson(entry: IncrementalStart, recorded: RecordedState | undefined, clears: ClearTotals | undefined, planned?: readonly PropertyClear[]): Record<string, unknown> {
  const clear =
    entry.clearEmptied === true && clears !== undefined
      ? { clear: { ...clears, withoutEmail: entry.clearsWithoutEmail ?? 0, ...(planned !== undefined ? { profiles: planned } : {}) } }
      : {};
  return { reason: entry.reason, ...entry.counts, stateFile: entry.statePath, recorded: recorded?.recorded ?? null, cleared: recorded?.cleared ?? null, ...clear };
}

/** A dry run's list of the clears it would send: `  clear ann@example.com: highest_order_value, highest_order_date`. */
export function clearLines(clears: readonly PropertyClear[], limit: number): string[] {
  const lines = clears.slice(0, limit).map((clear) => `  clear ${clear.email}: ${clear.properties.join(', ')}`);
  if (clears.length > limit) lines.push(`  ... and ${formatCount(clears.length - limit)} more (--json lists them all)`);
  return lines;
}
