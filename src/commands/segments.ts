/**
 * `backfill segments`: the recipe's segments for the configured property names, each window's native
 * segment beside its property one, how many profiles each would hold as of an instant (from a profiles
 * CSV or a compute), the spread of the values for choosing the threshold, and with `create`, Create
 * Segment for each (looked up by name first, so a second run creates nothing).
 */
import type { Definitions, WindowDefinition } from '../core/definitions.js';
import { recipeSegments, segmentMembers, segmentName, windowValues, type SegmentCreateQuery, type SegmentKind, type SegmentPlan } from '../core/flow/segment-definitions.js';
import type { ProfileRow } from '../core/profiles.js';
import { valueDistribution, type ValueDistribution } from '../core/value-distribution.js';
import type { KlaviyoClientOptions } from '../klaviyo/api-client.js';
import type { CreateOutcome } from '../klaviyo/create-once.js';
import { findMetricByName } from '../klaviyo/metrics-api.js';
import { segmentsApi } from '../klaviyo/segments-api.js';

export interface SegmentsOptions {
  readonly definitions: Definitions;
  /** Undefined: no value segments; the distribution is shown to choose one. */
  readonly threshold: number | undefined;
  readonly sizeDays: number;
  /** The native segments' metric: its id (else looked up by name when creating) and value property. */
  readonly metric: { readonly id: string | undefined; readonly name: string; readonly valueProperty: string };
  /**
   * The profiles to count and the instant the counts are for; undefined: no counts. `windowRows` are
   * the same orders computed in window mode, which the native segments are counted on; undefined when
   * only a profiles CSV was given (the native counts need the orders).
   */
  readonly profiles?: { readonly rows: readonly ProfileRow[]; readonly windowRows: readonly ProfileRow[] | undefined; readonly asOf: number };
  readonly create?: KlaviyoClientOptions;
}

export interface SegmentReport {
  readonly kind: SegmentKind;
  /** The window's or the size segment's days. */
  readonly days: number;
  readonly name: string;
  readonly body: SegmentCreateQuery;
  readonly profiles: number | undefined;
  /** A native segment against the same window's property segment: profiles only one of them holds. */
  readonly comparison: { readonly nativeOnly: number; readonly propertyOnly: number } | undefined;
  readonly outcome: CreateOutcome | { readonly kind: 'skipped' } | undefined;
}

export interface SegmentsResult {
  readonly reports: SegmentReport[];
  /** The native segments' metric id; undefined when not given and not looked up (printing only). */
  readonly metricId: string | undefined;
  /** The first window's values over the profiles whose window date is in it; undefined without profiles. */
  readonly distribution: { readonly window: WindowDefinition; readonly values: ValueDistribution } | undefined;
}

export async function runSegments(options: SegmentsOptions): Promise<SegmentsResult> {
  const needsMetric = options.create !== undefined && options.threshold !== undefined && options.metric.id === undefined;
  const metricId = needsMetric ? (await findMetricByName(options.metric.name, options.create!)).id : options.metric.id;
  const plans = recipeSegments({ definitions: options.definitions, threshold: options.threshold, sizeDays: options.sizeDays, metric: { ...options.metric, id: metricId } });
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
    const { profiles, comparison } = count(plan, plans[index - 1], options.profiles);
    reports.push({ kind: plan.kind, days: plan.days, name, body: plan.body, profiles, comparison, outcome });
  }
  const window = options.definitions.windows[0];
  const distribution =
    options.profiles === undefined || window === undefined
      ? undefined
      : { window, values: valueDistribution(windowValues(window, options.profiles.rows, options.profiles.asOf), options.threshold) };
  return { reports, metricId, distribution };
}

/** A native segment is counted on the window-mode profiles and compared with the property segment before it. */
function count(plan: SegmentPlan, previous: SegmentPlan | undefined, profiles: SegmentsOptions['profiles']): Pick<SegmentReport, 'profiles' | 'comparison'> {
  if (profiles === undefined) return { profiles: undefined, comparison: undefined };
  if (plan.kind !== 'native') return { profiles: segmentMembers(plan, profiles.rows, profiles.asOf).size, comparison: undefined };
  if (profiles.windowRows === undefined || previous === undefined) return { profiles: undefined, comparison: undefined };
  const native = segmentMembers(plan, profiles.windowRows, profiles.asOf);
  const property = segmentMembers(previous, profiles.rows, profiles.asOf);
  return {
    profiles: native.size,
    comparison: { nativeOnly: [...native].filter((key) => !property.has(key)).length, propertyOnly: [...property].filter((key) => !native.has(key)).length },
  };
}
