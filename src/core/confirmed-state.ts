/**
 * The nightly push's memory: for each profile, the properties Klaviyo last confirmed (a job completed
 * with no import error for it), and the definitions they were computed by. Pure: planning which
 * profiles to send, and folding a finished push back in. The file itself is src/io/state-file.ts.
 */
import type { DefinitionsSummary } from './definitions-hash.js';
import type { PropertyClear } from './emptied-windows.js';
import { diffProfiles, type ProfileDiff } from './profile-diff.js';
import type { ProfileRow, PropertyValue } from './profiles.js';
import { compareCodeUnits } from './profiles.js';

export interface ConfirmedState {
  /**
   * The definitions hash of the last send that finished (every batch accounted for) with these
   * definitions; null while a full send under new definitions has not finished, which forces another.
   */
  readonly definitionsHash: string | null;
  readonly definitions: DefinitionsSummary | null;
  readonly updatedAt: string;
  /** Lower-cased email -> the properties Klaviyo holds as far as we know (sent and confirmed). */
  readonly profiles: ReadonlyMap<string, Readonly<Record<string, PropertyValue>>>;
}

/** Why a nightly push sends what it sends. */
export type SendReason =
  /** Only profiles that are new or whose values changed since the state. */
  | 'changes'
  /** No state file yet: the first run sends everything. */
  | 'no-state'
  /** The windows, sizes, names or mode differ from the state's: the recorded values mean something else. */
  | 'definitions-changed'
  /** The last full send did not finish (nor was it resumed): send everything again. */
  | 'unfinished'
  /** `--full`. */
  | 'full';

export interface IncrementalPlan {
  readonly reason: SendReason;
  /** Indices into the computed table, ascending: the profiles to send. */
  readonly selection: readonly number[];
  /** The computed table against the state, whatever the reason (for the summary). */
  readonly diff: ProfileDiff;
}

export function stateRows(state: ConfirmedState): ProfileRow[] {
  return [...state.profiles].map(([email, properties]) => ({ email, properties }));
}

/**
 * Which computed profiles to send. Profiles known only by phone are never selected: the bulk import
 * here keys on email, so they could only be rejected again every night. `withoutProperties` (profiles
 * whose orders set nothing) are never sent; the diff counts what the state holds for them as emptied.
 */
export function planIncrementalPush(
  rows: readonly ProfileRow[],
  state: ConfirmedState | undefined,
  definitionsHash: string,
  columns: readonly string[],
  full: boolean,
  withoutProperties: readonly ProfileRow[] = [],
): IncrementalPlan {
  const diff = diffProfiles(rows, state === undefined ? [] : stateRows(state), columns, withoutProperties);
  const reason: SendReason = full
    ? 'full'
    : state === undefined
      ? 'no-state'
      : state.definitionsHash === null
        ? 'unfinished'
        : state.definitionsHash !== definitionsHash
          ? 'definitions-changed'
          : 'changes';
  const wanted = reason === 'changes' ? new Set([...diff.added.map((row) => row.email.toLowerCase()), ...diff.changed.map((change) => change.email)]) : undefined;
  const selection: number[] = [];
  rows.forEach((row, index) => {
    const email = row.email.toLowerCase();
    if (email !== '' && (wanted === undefined || wanted.has(email))) selection.push(index);
  });
  return { reason, selection, diff };
}

export interface FinishedSend {
  readonly definitionsHash: string;
  readonly definitions: DefinitionsSummary;
  readonly columns: readonly string[];
  /** Profiles whose job completed with no import error for them. */
  readonly confirmed: readonly ProfileRow[];
  /** Clears Klaviyo answered with 2xx: those properties are gone from the profile. */
  readonly cleared?: readonly PropertyClear[];
  /** Every batch finished (none unsent or still processing): the send may stand for its definitions. */
  readonly complete: boolean;
  readonly at: string;
}

/**
 * The state after a push. A confirmed profile's entry becomes what Klaviyo now holds: the values sent,
 * over the earlier values of the same columns (a blank is never sent, so an emptied window keeps its old
 * value in Klaviyo and here), less the properties a confirmed clear removed (a profile left with none is
 * dropped). Profiles not confirmed keep their entries: the next run compares against them and sends
 * them (or their clear) again if they still differ.
 */
export function recordFinishedSend(previous: ConfirmedState | undefined, send: FinishedSend): ConfirmedState {
  const profiles = new Map(previous?.profiles ?? []);
  for (const row of send.confirmed) {
    const email = row.email.toLowerCase();
    const before = profiles.get(email) ?? {};
    const kept: Record<string, PropertyValue> = {};
    for (const column of send.columns) {
      const value = row.properties[column] ?? before[column];
      if (value !== undefined) kept[column] = value;
    }
    profiles.set(email, kept);
  }
  for (const clear of send.cleared ?? []) {
    const before = profiles.get(clear.email);
    if (before === undefined) continue;
    const after = { ...before };
    for (const property of clear.properties) delete after[property];
    if (Object.keys(after).length > 0) profiles.set(clear.email, after);
    else profiles.delete(clear.email);
  }
  const sameDefinitions = previous?.definitionsHash === send.definitionsHash;
  const definitionsHash = send.complete || sameDefinitions ? send.definitionsHash : null;
  return {
    definitionsHash,
    definitions: definitionsHash === null ? null : send.definitions,
    updatedAt: send.at,
    profiles: new Map([...profiles].sort(([a], [b]) => compareCodeUnits(a, b))),
  };
}
