/**
 * The plan: what sending the computed profiles would change, compared with a baseline (a profiles CSV
 * written earlier, the state of the last push, or Klaviyo itself). Pure; `diff` prints it, `push
 * --incremental` applies it.
 */
import type { ProfileRow, PropertyValue } from './profiles.js';
import { compareCodeUnits } from './profiles.js';
import { parseTimestamp } from './timestamp.js';

export interface PropertyChange {
  readonly property: string;
  /** Undefined when the baseline has no value. */
  readonly from: PropertyValue | undefined;
  readonly to: PropertyValue;
}

export interface ProfileChange {
  readonly email: string;
  readonly changes: readonly PropertyChange[];
}

export interface StaleProperty {
  readonly email: string;
  readonly property: string;
  /** The baseline's value, which a push leaves in place: blanks are never sent. */
  readonly value: PropertyValue;
}

export interface ProfileDiff {
  /** Profiles the baseline does not have, with everything they would set. */
  readonly added: readonly ProfileRow[];
  /** Profiles with at least one property whose value would change. */
  readonly changed: readonly ProfileChange[];
  readonly unchangedCount: number;
  /** Emails only the baseline has (no order in the export): left as they are. */
  readonly onlyInBaseline: readonly string[];
  /**
   * Properties the computation leaves blank but the baseline holds (window mode, a window emptied),
   * also of profiles whose orders set nothing any more: left as they are in Klaviyo (a segment's own
   * date condition already drops them), or cleared by `push --incremental --clear-emptied`.
   */
  readonly stale: readonly StaleProperty[];
  /** Computed profiles known only by phone: not compared, since Klaviyo's bulk import and Get Profiles key on email here. */
  readonly withoutEmail: number;
}

/**
 * Compares computed rows with a baseline over the given property columns, keyed by lower-cased email.
 * Properties outside `columns` (another definition's names) are not compared. `withoutProperties` are
 * the computed profiles whose orders set nothing: never added, but what the baseline holds for them is
 * stale (their windows emptied), not "only in the baseline".
 */
export function diffProfiles(current: readonly ProfileRow[], baseline: readonly ProfileRow[], columns: readonly string[], withoutProperties: readonly ProfileRow[] = []): ProfileDiff {
  const baselineByEmail = new Map(baseline.filter((row) => row.email !== '').map((row) => [row.email.toLowerCase(), row]));
  const added: ProfileRow[] = [];
  const changed: ProfileChange[] = [];
  const stale: StaleProperty[] = [];
  let unchangedCount = 0;
  let withoutEmail = 0;
  const seen = new Set<string>();
  for (const row of current) {
    const email = row.email.toLowerCase();
    if (email === '') {
      withoutEmail++;
      continue;
    }
    seen.add(email);
    const before = baselineByEmail.get(email);
    if (before === undefined) {
      added.push(row);
      continue;
    }
    const changes: PropertyChange[] = [];
    for (const property of columns) {
      const to = row.properties[property];
      const from = before.properties[property];
      if (to === undefined) {
        if (from !== undefined) stale.push({ email, property, value: from });
      } else if (from === undefined || !samePropertyValue(from, to)) {
        changes.push({ property, from, to });
      }
    }
    if (changes.length > 0) changed.push({ email, changes });
    else unchangedCount++;
  }
  for (const row of withoutProperties) {
    const email = row.email.toLowerCase();
    const before = email === '' ? undefined : baselineByEmail.get(email);
    if (before === undefined) continue;
    seen.add(email);
    for (const property of columns) {
      const from = before.properties[property];
      if (from !== undefined) stale.push({ email, property, value: from });
    }
  }
  stale.sort((a, b) => compareCodeUnits(a.email, b.email));
  const onlyInBaseline = [...baselineByEmail.keys()].filter((email) => !seen.has(email)).sort(compareCodeUnits);
  return { added, changed, unchangedCount, onlyInBaseline, stale, withoutEmail };
}

/**
 * Equal by value, not by text: `129.5` equals `129.50`, and `2025-06-10 16:00:00` equals
 * `2025-06-10T16:00:00+00:00` (Klaviyo may return dates in another of its accepted forms).
 */
export function samePropertyValue(a: PropertyValue, b: PropertyValue): boolean {
  const numberA = asNumber(a);
  const numberB = asNumber(b);
  if (numberA !== undefined || numberB !== undefined) return numberA === numberB;
  const timeA = parseTimestamp(String(a), true);
  const timeB = parseTimestamp(String(b), true);
  if (timeA.ok && timeB.ok) return Math.floor(timeA.epochMs / 1000) === Math.floor(timeB.epochMs / 1000);
  return String(a) === String(b);
}

function asNumber(value: PropertyValue): number | undefined {
  if (typeof value === 'number') return value;
  const text = value.trim();
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(text)) return undefined;
  return Number(text);
}

export function hasChanges(diff: ProfileDiff): boolean {
  return diff.added.length > 0 || diff.changed.length > 0;
}
