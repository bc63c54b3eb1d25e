/**
 * The push plan: which profiles go to Klaviyo in which bulk import job. Pure: rows in, batches out,
 * so `--dry-run`, the tests and the real push share one planner.
 *
 * Klaviyo's limits for POST /api/profile-bulk-import-jobs (OpenAPI revision 2026-07-15): at most
 * 10,000 profiles and 5 MB per request, at most 100 KB per profile. Batches stay under 4.5 MB so a
 * rounding difference in how Klaviyo counts bytes never costs a 413.
 */
import { rowList, type ProfileList } from './profile-list.js';
import type { ProfileRow, PropertyValue } from './profile-row.js';

export { profileProblem } from './profile-problem.js';

export interface BatchLimits {
  readonly profilesPerJob: number;
  readonly bytesPerJob: number;
  readonly bytesPerProfile: number;
}

export const KLAVIYO_LIMITS: BatchLimits = { profilesPerJob: 10_000, bytesPerJob: 4_500_000, bytesPerProfile: 100_000 };

/** One profile as the bulk import job takes it (`ProfileUpsertQueryResourceObject`). */
export interface ProfileResource {
  readonly type: 'profile';
  readonly attributes: { readonly email: string; readonly properties: Readonly<Record<string, PropertyValue>> };
}

/** The body of POST /api/profile-bulk-import-jobs (`ProfileImportJobCreateQuery`). */
export interface ImportJobRequest {
  readonly data: {
    readonly type: 'profile-bulk-import-job';
    readonly attributes: { readonly profiles: { readonly data: readonly ProfileResource[] } };
    readonly relationships?: { readonly lists: { readonly data: readonly { readonly type: 'list'; readonly id: string }[] } };
  };
}

/**
 * A profile as sent. Properties without a value are absent from the row and so from the payload:
 * the bulk API's handling of `null` and `""` is contradictory in the field, and omission never
 * clears a value Klaviyo already holds. Numbers stay JSON numbers; dates stay `yyyy-MM-dd HH:mm:ss`.
 */
export function profileResource(row: ProfileRow): ProfileResource {
  return { type: 'profile', attributes: { email: row.email, properties: row.properties } };
}

export function importJobRequest(profiles: readonly ProfileResource[], listId?: string): ImportJobRequest {
  return {
    data: {
      type: 'profile-bulk-import-job',
      attributes: { profiles: { data: profiles } },
      ...(listId !== undefined ? { relationships: { lists: { data: [{ type: 'list', id: listId }] } } } : {}),
    },
  };
}

/** A profile the planner keeps back, with the reason that goes to the rejects file. */
export interface HeldBackProfile {
  readonly row: number;
  readonly email: string;
  readonly code: 'INVALID_PROFILE' | 'PROFILE_TOO_LARGE';
  readonly reason: string;
}

export interface PlannedBatch {
  /** Indices into the profile table, ascending. */
  readonly rows: readonly number[];
  /** Serialised size of the request body, exactly as `JSON.stringify(importJobRequest(...))` gives it. */
  readonly bytes: number;
}

export interface PushPlan {
  readonly batches: readonly PlannedBatch[];
  readonly heldBack: readonly HeldBackProfile[];
}

/** `JSON.stringify(profileResource(row))` is this, the email's JSON, this, the properties' JSON, then RESOURCE_CLOSE. */
const RESOURCE_OPEN = '{"type":"profile","attributes":{"email":';
const RESOURCE_MIDDLE = ',"properties":';
const RESOURCE_CLOSE = '}}';
const RESOURCE_FIXED_BYTES = RESOURCE_OPEN.length + RESOURCE_MIDDLE.length + RESOURCE_CLOSE.length;

/**
 * Splits the table into jobs in table order, each within the count and byte limits. A profile that
 * is invalid or alone exceeds the per-profile limit is held back rather than sent: Klaviyo would
 * reject the whole request for it. Sizes are measured from the email's and the properties' JSON,
 * without a resource object per profile.
 */
export function planBatches(profiles: ProfileList | readonly ProfileRow[], limits: BatchLimits = KLAVIYO_LIMITS, listId?: string): PushPlan {
  const list = Array.isArray(profiles) ? rowList(profiles) : (profiles as ProfileList);
  const envelope = Buffer.byteLength(JSON.stringify(importJobRequest([], listId)));
  const batches: PlannedBatch[] = [];
  const heldBack: HeldBackProfile[] = [];
  let current: number[] = [];
  let bytes = envelope;
  for (let index = 0; index < list.length; index++) {
    const problem = list.problem(index);
    if (problem !== undefined) {
      heldBack.push({ row: index, email: list.email(index), code: 'INVALID_PROFILE', reason: problem });
      continue;
    }
    const size = RESOURCE_FIXED_BYTES + list.jsonLength(index);
    if (size > limits.bytesPerProfile) {
      heldBack.push({
        row: index,
        email: list.email(index),
        code: 'PROFILE_TOO_LARGE',
        reason: `the profile is ${size} bytes as JSON; Klaviyo accepts at most ${limits.bytesPerProfile} bytes per profile`,
      });
      continue;
    }
    const separator = current.length > 0 ? 1 : 0;
    if (current.length > 0 && (current.length >= limits.profilesPerJob || bytes + separator + size > limits.bytesPerJob)) {
      batches.push({ rows: current, bytes });
      current = [];
      bytes = envelope;
    }
    bytes += (current.length > 0 ? 1 : 0) + size;
    current.push(index);
  }
  if (current.length > 0) batches.push({ rows: current, bytes });
  return { batches, heldBack };
}

/** Row indices as `[first, last]` runs: a 10,000-row batch is usually one pair in the run log. */
export type RowRanges = readonly (readonly [number, number])[];

export function toRanges(rows: readonly number[]): RowRanges {
  const ranges: [number, number][] = [];
  for (const row of rows) {
    const last = ranges.at(-1);
    if (last !== undefined && row === last[1] + 1) last[1] = row;
    else ranges.push([row, row]);
  }
  return ranges;
}

export function fromRanges(ranges: RowRanges): number[] {
  const rows: number[] = [];
  for (const [first, last] of ranges) for (let row = first; row <= last; row++) rows.push(row);
  return rows;
}
