/**
 * The recipe's segments as Create Segment request bodies (`SegmentCreateQuery`, revision 2026-07-15),
 * for the configured property names, and how many profiles each would hold as of an instant.
 *
 * Step 2: `<date property>` in the last N days AND `<value property>` at least the threshold, one
 * segment per window (condition groups are ANDed). Step 4: `<size>_order_date` in the last N days.
 */
import { DAY_MS, type Definitions } from '../definitions.js';
import type { ProfileRow } from '../profile-row.js';
import { parseTimestamp } from '../timestamp.js';

type DateInTheLast = { readonly type: 'date'; readonly operator: 'in-the-last'; readonly unit: 'day'; readonly quantity: number };
type NumberAtLeast = { readonly type: 'numeric'; readonly operator: 'greater-than-or-equal'; readonly value: number };

export interface ProfilePropertyCondition {
  readonly type: 'profile-property';
  /** Custom properties are named `properties['name']`. */
  readonly property: string;
  readonly filter: DateInTheLast | NumberAtLeast;
}

export interface SegmentCreateQuery {
  readonly data: {
    readonly type: 'segment';
    readonly attributes: {
      readonly name: string;
      readonly definition: { readonly condition_groups: readonly { readonly conditions: readonly [ProfilePropertyCondition] }[] };
    };
  };
}

export interface SegmentPlan {
  readonly body: SegmentCreateQuery;
  /** Whether a profile belongs, as of `asOf` (epoch ms): what the count uses. */
  readonly holds: (row: ProfileRow, asOf: number) => boolean;
}

export interface SegmentSettings {
  readonly definitions: Definitions;
  /** The value segment's threshold (`highest_order_value` at least this). */
  readonly threshold: number;
  /** The size segments' window in days (the recipe's 30). */
  readonly sizeDays: number;
}

export function recipeSegments(settings: SegmentSettings): SegmentPlan[] {
  const valueSegments = settings.definitions.windows.map((window): SegmentPlan => {
    const name = `Order of ${formatThreshold(settings.threshold)} or more, last ${window.days} days (backfill)`;
    return {
      body: segment(name, [dateInTheLast(window.dateProperty, window.days), valueAtLeast(window.valueProperty, settings.threshold)]),
      holds: (row, asOf) => isWithin(row.properties[window.dateProperty], window.days, asOf) && atLeast(row.properties[window.valueProperty], settings.threshold),
    };
  });
  const sizeSegments = settings.definitions.sizes.map((size): SegmentPlan => ({
    body: segment(`Ordered ${size.size}, last ${settings.sizeDays} days (backfill)`, [dateInTheLast(size.dateProperty, settings.sizeDays)]),
    holds: (row, asOf) => isWithin(row.properties[size.dateProperty], settings.sizeDays, asOf),
  }));
  return [...valueSegments, ...sizeSegments];
}

/** How many of `rows` each segment holds as of `asOf`, in plan order. */
export function segmentCounts(plans: readonly SegmentPlan[], rows: readonly ProfileRow[], asOf: number): number[] {
  return plans.map((plan) => rows.reduce((count, row) => count + (plan.holds(row, asOf) ? 1 : 0), 0));
}

export function segmentName(body: SegmentCreateQuery): string {
  return body.data.attributes.name;
}

function segment(name: string, conditions: readonly ProfilePropertyCondition[]): SegmentCreateQuery {
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
