/**
 * How order values are spread, for choosing a segment's threshold: quantiles by the nearest-rank rule,
 * histogram buckets (on a log scale when the values span two orders of magnitude or more, where equal
 * widths would put nearly everything in the first bucket), and candidate thresholds: round numbers at
 * or just below the quantiles, with how many values each keeps. Pure: numbers in, numbers out.
 */

export const QUANTILES = [50, 75, 90, 95, 99] as const;

export type QuantileKey = `p${(typeof QUANTILES)[number]}`;

export interface Bucket {
  /** Values from `from` (inclusive) to `to` (exclusive). */
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

export interface Candidate {
  readonly threshold: number;
  /** Values at least the threshold: the segment's size. */
  readonly count: number;
}

export interface ValueDistribution {
  readonly count: number;
  /** Undefined when there are no values. */
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly quantiles: Readonly<Record<QuantileKey, number>> | undefined;
  readonly scale: 'log' | 'linear';
  readonly buckets: readonly Bucket[];
  /** Ascending; one per distinct round number near a quantile, and `also` when given. */
  readonly candidates: readonly Candidate[];
}

/** The ratio of the largest to the smallest positive value from which buckets are logarithmic. */
const LOG_SCALE_FROM_RATIO = 100;
/** Linear buckets: about this many, of a round width. */
const LINEAR_BUCKETS = 10;

/** `also`: a threshold to show among the candidates whatever the quantiles say (the one chosen). */
export function valueDistribution(values: readonly number[], also?: number): ValueDistribution {
  const sorted = [...values].sort((a, b) => a - b);
  const count = sorted.length;
  if (count === 0) return { count, min: undefined, max: undefined, quantiles: undefined, scale: 'linear', buckets: [], candidates: also === undefined ? [] : [{ threshold: also, count: 0 }] };
  const quantiles = Object.fromEntries(QUANTILES.map((p) => [`p${p}`, nearestRank(sorted, p)])) as Record<QuantileKey, number>;
  const min = sorted[0]!;
  const max = sorted[count - 1]!;
  const positive = sorted.find((value) => value > 0);
  const scale = positive !== undefined && max / positive >= LOG_SCALE_FROM_RATIO ? 'log' : 'linear';
  const edges = scale === 'log' ? logEdges(min, positive!, max) : linearEdges(min, max);
  const buckets = edges.slice(0, -1).map((from, index) => ({ from, to: edges[index + 1]!, count: countIn(sorted, from, edges[index + 1]!) }));
  const thresholds = new Set(Object.values(quantiles).filter((q) => q > 0).map(roundNear));
  if (also !== undefined) thresholds.add(also);
  const candidates = [...thresholds].sort((a, b) => a - b).map((threshold) => ({ threshold, count: count - firstAtLeast(sorted, threshold) }));
  return { count, min, max, quantiles, scale, buckets, candidates };
}

/** The nearest-rank p-th percentile: the value at rank ceil(p/100 x n) of the sorted values (1-based). */
export function nearestRank(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/**
 * A round number at or just below `value`: one significant digit (870 -> 800, 4,210 -> 4,000), or a
 * half step when the leading digit is 1 (1,450 -> 1,000, 173 -> 150). Never above it, so the segment a
 * candidate near the p90 gives holds at least a tenth of the profiles.
 */
export function roundNear(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = value / magnitude < 2 ? magnitude / 2 : magnitude;
  return tidy(Math.floor(tidy(value / step)) * step);
}

/** 1-2-5 edges from the largest at or below the smallest positive value past `max`; [0, first) holds zeros and negatives. */
function logEdges(min: number, positive: number, max: number): number[] {
  let exponent = Math.floor(Math.log10(positive));
  const series = (e: number) => [1, 2, 5].map((m) => tidy(m * 10 ** e));
  const edges = series(exponent).filter((edge) => edge <= positive).slice(-1);
  for (;;) {
    for (const edge of series(exponent)) if (edge > edges[edges.length - 1]!) edges.push(edge);
    if (edges[edges.length - 1]! > max) break;
    exponent++;
  }
  while (edges.length > 2 && edges[edges.length - 2]! > max) edges.pop();
  if (min < edges[0]!) edges.unshift(Math.min(0, min));
  return edges;
}

/** About LINEAR_BUCKETS buckets of a 1-2-5 width, from a multiple of the width to past `max`. */
function linearEdges(min: number, max: number): number[] {
  const width = niceWidth((max - min) / LINEAR_BUCKETS);
  const start = tidy(Math.floor(min / width) * width);
  const edges = [start];
  while (edges[edges.length - 1]! <= max) edges.push(tidy(start + edges.length * width));
  return edges;
}

function niceWidth(raw: number): number {
  if (!(raw > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const width = [1, 2, 5, 10].map((m) => m * magnitude).find((w) => w >= raw)!;
  return tidy(width);
}

/** Drops the binary noise of a product of decimals (0.1 x 3 = 0.30000000000000004). */
function tidy(value: number): number {
  return Number(value.toPrecision(12));
}

function countIn(sorted: readonly number[], from: number, to: number): number {
  return firstAtLeast(sorted, to) - firstAtLeast(sorted, from);
}

/** The index of the first value >= `threshold` (binary search). */
function firstAtLeast(sorted: readonly number[], threshold: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < threshold) low = middle + 1;
    else high = middle;
  }
  return low;
}
