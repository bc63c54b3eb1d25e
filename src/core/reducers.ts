/**
 * The reducers the flow runs, as pure functions over one profile's orders.
 *
 * The recipe's webhook templates, rendered literally by Django, have four defects; these functions
 * implement what the recipe's text intends instead (see README, "Why our values can differ"):
 *  1. values are compared as numbers, not as `floatformat` strings ("999" < "1000" is false as text);
 *  2. the stored value is the order total itself, not `floatformat:"0"`'s rounded integer;
 *  3. a size date is one timestamp, however many items of that size the order has;
 *  4. a size absent from a later order keeps its earlier date instead of being overwritten with "".
 */

/** The orders of one profile that the reducers may see, as parallel arrays (cheap for millions of orders). */
export interface OrderSeries {
  /** Epoch ms, ascending. Ties sorted by value ascending, so the result never depends on input row order. */
  readonly placedAt: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

export interface HighestOrder {
  readonly value: number;
  readonly placedAt: number;
}

/**
 * Replays the flow over a profile's orders in time order, as if it had been live for all of them.
 *
 * At each order the flow's conditional split counts the profile's orders placed in [t - window, t],
 * this one included (orders at the very same instant all count). With at most one, the Yes branch
 * stores this order. Otherwise the No branch stores it only if its value is strictly greater than the
 * stored one. The stored maximum may therefore be older than the window: that is the live flow's
 * behaviour, and `windowHighest` is the recompute that corrects it.
 */
export function flowHighest(series: OrderSeries, windowMs: number): HighestOrder | undefined {
  return orderAt(series, flowHighestIndex(series.placedAt, series.values, 0, series.placedAt.length, windowMs));
}

/**
 * `flowHighest` over the orders `[start, end)` of two parallel arrays, as the index of the stored
 * order (-1: none): what the accumulator runs for millions of profiles, with no object per call.
 */
export function flowHighestIndex(placedAt: ArrayLike<number>, values: ArrayLike<number>, start: number, end: number, windowMs: number): number {
  let stored = -1;
  let windowStart = start; // first index with placedAt >= t - windowMs
  let sameInstantEnd = start; // first index with placedAt > t
  for (let i = start; i < end; i++) {
    const t = placedAt[i]!;
    while (placedAt[windowStart]! < t - windowMs) windowStart++;
    if (sameInstantEnd <= i) sameInstantEnd = i + 1;
    while (sameInstantEnd < end && placedAt[sameInstantEnd] === t) sameInstantEnd++;
    const ordersInWindow = sameInstantEnd - windowStart;
    if (ordersInWindow <= 1 || stored < 0 || values[i]! > values[stored]!) stored = i;
  }
  return stored;
}

/**
 * The greatest order value placed in [asOf - window, asOf] (both bounds inclusive) and its time;
 * on equal values, the latest order. Undefined when the window holds no order.
 * This is the nightly recompute: unlike the flow, it forgets orders that left the window.
 */
export function windowHighest(series: OrderSeries, asOf: number, windowMs: number): HighestOrder | undefined {
  return orderAt(series, windowHighestIndex(series.placedAt, series.values, 0, series.placedAt.length, asOf, windowMs));
}

/** `windowHighest` over the orders `[start, end)`, as the index of the order (-1: none). */
export function windowHighestIndex(placedAt: ArrayLike<number>, values: ArrayLike<number>, start: number, end: number, asOf: number, windowMs: number): number {
  const from = asOf - windowMs;
  let best = -1;
  for (let i = start; i < end; i++) {
    const t = placedAt[i]!;
    if (t < from || t > asOf) continue;
    if (best < 0 || values[i]! > values[best]! || (values[i] === values[best] && t > placedAt[best]!)) best = i;
  }
  return best;
}

function orderAt(series: OrderSeries, index: number): HighestOrder | undefined {
  return index < 0 ? undefined : { value: series.values[index]!, placedAt: series.placedAt[index]! };
}
