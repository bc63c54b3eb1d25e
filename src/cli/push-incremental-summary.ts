/**
 * The words and JSON fields `push --incremental` adds to push's one summary line: why it sent what it
 * sent, how the computed profiles compare with the state, and where the state was recorded.
 */
import type { RecordedState } from '../commands/incremental.js';
import type { SendReason } from '../domain/confirmed-state.js';
import type { IncrementalStart } from '../domain/push-run-state.js';
import { formatCount } from '../text.js';

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

/** Goes after push's own counts. */
export function incrementalTail(entry: IncrementalStart, recorded: RecordedState | undefined): string[] {
  const c = entry.counts;
  const parts: string[] = [];
  if (c.emptied > 0) parts.push(`${formatCount(c.emptied)} emptied properties left as they are in Klaviyo`);
  if (c.onlyInState > 0) parts.push(`${formatCount(c.onlyInState)} profiles not in the export left as they are`);
  if (c.withoutEmail > 0) parts.push(`${formatCount(c.withoutEmail)} profiles known only by phone not sent`);
  if (recorded !== undefined) parts.push(`state ${recorded.path} (${formatCount(recorded.recorded)} recorded)`);
  return parts;
}

export function incrementalJson(entry: IncrementalStart, recorded: RecordedState | undefined): Record<string, unknown> {
  return { reason: entry.reason, ...entry.counts, stateFile: entry.statePath, recorded: recorded?.recorded ?? null };
}
