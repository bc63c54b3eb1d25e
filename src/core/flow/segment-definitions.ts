/**
 * The recipe's segments as Create Segment request bodies (`SegmentCreateQuery`, revision 2026-07-15),
 * for the configured property names, and how many profiles each would hold as of an instant.
 *
 * Step 2: `<date property>` in the last N days AND `<value property>` at least the threshold, one
 * segment per window (condition groups are ANDed). Step 4: `<size>_order_date` in the last N days.
 *
 * Beside each window's property segment, the native one: "<metric> at least once in the last N days
 * where <value> is at least the threshold", one `profile-metric` condition filtering the metric by its
 * event property (`SegmentsProfileMetricCondition` with `metric_filters`). It needs no backfill and is
 * never stale: it holds exactly the profiles window mode computes as over the threshold.
 */
import { DAY_MS, type Definitions, type WindowDefinition } from '../definitions.js';
import type { ProfileRow } from '../profiles.js';
import { parseTimestamp } from '../timestamp.js';

type DateInTheLast = { readonly type: 'date'; readonly operator: 'in-the-last'; readonly unit: 'day'; readonly quantity: number };
type NumberAtLeast = { readonly type: 'numeric'; readonly operator: 'greater-than-or-equal'; readonly value: number };

export interface ProfilePropertyCondition {
  readonly type: 'profile-property';
  /** Custom properties are named `properties['name']`. */
  readonly property: string;
  readonly filter: DateInTheLast | NumberAtLeast;
}

/** "Has done <metric> at least once in the last N days, where <event property> is at least T". */
export interface ProfileMetricCondition {
  readonly type: 'profile-metric';
  readonly metric_id: string;
  readonly measurement: 'count';
  readonly measurement_filter: NumberAtLeast;
  readonly timeframe_filter: DateInTheLast;
  readonly metric_filters: readonly { readonly property: string; readonly filter: NumberAtLeast }[];
}

export type SegmentCondition = ProfilePropertyCondition | ProfileMetricCondition;

export interface SegmentCreateQuery {
  readonly data: {
    readonly type: 'segment';
    readonly attributes: {
      readonly name: string;
      readonly definition: { readonly condition_groups: readonly { readonly conditions: readonly [SegmentCondition] }[] };
    };
  };
}

/** What a segment stands for: a window's value over the threshold (from the properties, or native), or a size. */
export type SegmentKind = 'property' | 'native' | 'size';

export interface SegmentPlan {
  readonly kind: SegmentKind;
  readonly body: SegmentCreateQuery;
  /** The window's days (property and native) or the size's. */
  readonly days: number;
  /**
   * Whether a profile belongs, as of `asOf` (epoch ms): what the count uses. A native segment is
   * asked of the profiles computed in window mode, where it holds exactly when the property one does.
   */
  readonly holds: (row: ProfileRow, asOf: number) => boolean;
}

/** The order metric a native segment filters, and the event property holding the order value. */
export interface NativeMetric {
  /** Undefined: not known yet (printed as a placeholder; `--create` looks it up by name). */
  readonly id: string | undefined;
  readonly name: string;
  /** `$value` in the recipe's events. */
  readonly valueProperty: string;
}

export interface SegmentSettings {
  readonly definitions: Definitions;
  /** The value segments' threshold; undefined: no value segments (only the sizes'). */
  readonly threshold: number | undefined;
  /** The size segments' window in days (the recipe's 30). */
  readonly sizeDays: number;
  readonly metric: NativeMetric;
}

export function metricIdPlaceholder(metricName: string): string {
  return `<id of the "${metricName}" metric>`;
}

export function recipeSegments(settings: SegmentSettings): SegmentPlan[] {
  const { threshold } = settings;
  const valueSegments =
    threshold === undefined ? [] : settings.definitions.windows.flatMap((window) => [propertySegment(window, threshold), nativeSegment(window, threshold, settings.metric)]);
  const sizeSegments = settings.definitions.sizes.map((size): SegmentPlan => ({
    kind: 'size',
    days: settings.sizeDays,
    body: segment(`Ordered ${size.size}, last ${settings.sizeDays} days (backfill)`, [dateInTheLast(size.dateProperty, settings.sizeDays)]),
    holds: (row, asOf) => isWithin(row.properties[size.dateProperty], settings.sizeDays, asOf),
  }));
  return [...valueSegments, ...sizeSegments];
}

function propertySegment(window: WindowDefinition, threshold: number): SegmentPlan {
  const name = `Order of ${formatThreshold(threshold)} or more, last ${window.days} days (backfill)`;
  return {
    kind: 'property',
    days: window.days,
    body: segment(name, [dateInTheLast(window.dateProperty, window.days), valueAtLeast(window.valueProperty, threshold)]),
    holds: windowOverThreshold(window, threshold),
  };
}

function nativeSegment(window: WindowDefinition, threshold: number, metric: NativeMetric): SegmentPlan {
  const name = `${metric.name} of ${formatThreshold(threshold)} or more, last ${window.days} days (native)`;
  const condition: ProfileMetricCondition = {
    type: 'profile-metric',
    metric_id: metric.id ?? metricIdPlaceholder(metric.name),
    measurement: 'count',
    measurement_filter: { type: 'numeric', operator: 'greater-than-or-equal', value: 1 },
    timeframe_filter: { type: 'date', operator: 'in-the-last', unit: 'day', quantity: window.days },
    metric_filters: [{ property: metric.valueProperty, filter: { type: 'numeric', operator: 'greater-than-or-equal', value: threshold } }],
  };
  return { kind: 'native', days: window.days, body: segment(name, [condition]), holds: windowOverThreshold(window, threshold) };
}

/** The property segment's test: the window's date in the last N days and its value at least the threshold. */
function windowOverThreshold(window: WindowDefinition, threshold: number): SegmentPlan['holds'] {
  return (row, asOf) => isWithin(row.properties[window.dateProperty], window.days, asOf) && atLeast(row.properties[window.valueProperty], threshold);
}

/** The emails of `rows` a segment holds as of `asOf` (a profile known only by phone by its phone). */
export function segmentMembers(plan: SegmentPlan, rows: readonly ProfileRow[], asOf: number): Set<string> {
  return new Set(rows.filter((row) => plan.holds(row, asOf)).map((row) => (row.email !== '' ? row.email : (row.phone ?? ''))));
}

/**
 * The values a window's value segment chooses its threshold from: the window's value of every profile
 * whose window date is in the last N days as of `asOf` (the profiles the segment can hold at all).
 */
export function windowValues(window: WindowDefinition, rows: readonly ProfileRow[], asOf: number): number[] {
  return rows.flatMap((row) => {
    const value = row.properties[window.valueProperty];
    return typeof value === 'number' && isWithin(row.properties[window.dateProperty], window.days, asOf) ? [value] : [];
  });
}

export function segmentName(body: SegmentCreateQuery): string {
  return body.data.attributes.name;
}

function segment(name: string, conditions: readonly SegmentCondition[]): SegmentCreateQuery {
  return { data: { type: 'segment', attributes: { name, definition: { condition_groups: conditions.map((condition) => ({ conditions: [condition] as const })) } } } };
}

const customProperty = (name: string): string => `properties['${name}']`;

function dateInTheLast(property: string, days: number): ProfilePropertyCondition {
  return { type: 'profile-property', property: customProperty(property), filter: { type: 'date', operator: 'in-the-last', unit: 'day', quantity: days } };
}

function valueAtLeast(property: string, threshold: number): ProfilePropertyCondition {
  return { type: 'profile-property', property: customProperty(property), filter: { type: 'numeric', operator: 'greater-than-or-equal', value: threshold } };
}

/** "In the last N days" as the backfill's windows read it: N x 24 hours back from `asOf`, both ends inclusive. */
function isWithin(value: string | number | undefined, days: number, asOf: number): boolean {
  if (typeof value !== 'string') return false;
  const parsed = parseTimestamp(value, true);
  return parsed.ok && parsed.epochMs <= asOf && parsed.epochMs >= asOf - days * DAY_MS;
}

function atLeast(value: string | number | undefined, threshold: number): boolean {
  return typeof value === 'number' && value >= threshold;
}

function formatThreshold(threshold: number): string {
  return String(threshold);
}
