/**
 * `backfill segments`: the recipe's segments for the configured property names, how many profiles
 * each would hold as of an instant (from a profiles CSV or a compute), and with `create`, Create
 * Segment for each (looked up by name first, so a second run creates nothing).
 */
import type { Definitions } from '../domain/definitions.js';
import { recipeSegments, segmentCounts, segmentName, type SegmentCreateQuery } from '../domain/flow/segment-definitions.js';
import type { ProfileRow } from '../domain/profile-row.js';
import type { KlaviyoClientOptions } from '../klaviyo/api-client.js';
import type { CreateOutcome } from '../klaviyo/create-once.js';
import { segmentsApi } from '../klaviyo/segments-api.js';

export interface SegmentsOptions {
  readonly definitions: Definitions;
  readonly threshold: number;
  readonly sizeDays: number;
  /** The profiles to count, and the instant the counts are for; undefined: no counts. */
  readonly profiles?: { readonly rows: readonly ProfileRow[]; readonly asOf: number };
  readonly create?: KlaviyoClientOptions;
}

export interface SegmentReport {
  readonly name: string;
  readonly body: SegmentCreateQuery;
  readonly profiles: number | undefined;
  readonly outcome: CreateOutcome | { readonly kind: 'skipped' } | undefined;
}

export async function runSegments(options: SegmentsOptions): Promise<SegmentReport[]> {
  const plans = recipeSegments({ definitions: options.definitions, threshold: options.threshold, sizeDays: options.sizeDays });
  const counts = options.profiles === undefined ? undefined : segmentCounts(plans, options.profiles.rows, options.profiles.asOf);
  const api = options.create === undefined ? undefined : segmentsApi(options.create);
  const reports: SegmentReport[] = [];
  let refused = false;
  for (const [index, plan] of plans.entries()) {
    const name = segmentName(plan.body);
    let outcome: SegmentReport['outcome'];
    if (api !== undefined) {
      outcome = refused ? { kind: 'skipped' } : await api.createSegment(name, plan.body);
      refused ||= outcome.kind === 'refused';
    }
    reports.push({ name, body: plan.body, profiles: counts?.[index], outcome });
  }
  return reports;
}
