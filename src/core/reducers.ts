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
  const { placedAt, values } = series;
  let stored: HighestOrder | undefined;
  let windowStart = 0; // first index with placedAt >= t - windowMs
  let sameInstantEnd = 0; // first index with placedAt > t
  for (let i = 0; i < placedAt.length; i++) {
    const t = placedAt[i]!;
    const value = values[i]!;
    while (placedAt[windowStart]! < t - windowMs) windowStart++;
    if (sameInstantEnd <= i) sameInstantEnd = i + 1;
    while (sameInstantEnd < placedAt.length && placedAt[sameInstantEnd] === t) sameInstantEnd++;
    const ordersInWindow = sameInstantEnd - windowStart;
    if (ordersInWindow <= 1 || stored === undefined || value > stored.value) {
      stored = { value, placedAt: t };
    }
  }
  return stored;
}

/**
 * The greatest order value placed in [asOf - window, asOf] (both bounds inclusive) and its time;
 * on equal values, the latest order. Undefined when the window holds no order.
 * This is the nightly recompute: unlike the flow, it forgets orders that left the window.
 */
export function windowHighest(series: OrderSeries, asOf: number, windowMs: number): HighestOrder | undefined {
  const { placedAt, values } = series;
  const from = asOf - windowMs;
  let best: HighestOrder | undefined;
  for (let i = 0; i < placedAt.length; i++) {
    const t = placedAt[i]!;
    if (t < from || t > asOf) continue;
    const value = values[i]!;
    if (best === undefined || value > best.value || (value === best.value && t > best.placedAt)) {
      best = { value, placedAt: t };
    }
  }
  return best;
}
