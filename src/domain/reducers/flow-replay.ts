/**
 * The flow's own reducer (`--mode flow`): per window, the highest order value and its date as the live
 * flow stores them, replayed over a profile's orders in time order as if the flow had been live for
 * all of them.
 *
 * The recipe's webhook templates, rendered literally by Django, have defects; this implements what the
 * recipe's text intends (see README, "Why our values can differ"): values are compared as numbers, not
 * as `floatformat` strings ("999" < "1000" is false as text), and the stored value is the order total
 * itself, not `floatformat:"0"`'s rounded integer.
 */
import { DAY_MS, type Definitions, type WindowDefinition } from '../definitions.js';
import { highestOrderColumns, highestOrderCells, type HighestOrder, type OrderSeries } from './highest-order.js';
import { flowReplaySql } from './flow-replay-sql.js';
import type { ProfileOrders, Reducer, ReducerKind } from './reducer.js';

export const flowReplay: ReducerKind = {
  name: 'flow-replay',
  reducers: (definitions: Definitions) => (definitions.mode === 'flow' ? definitions.windows.map(flowReplayReducer) : []),
  sql: (definitions, context) => flowReplaySql(definitions.windows, context),
};

function flowReplayReducer(window: WindowDefinition): Reducer {
  const windowMs = window.days * DAY_MS;
  return {
    columns: highestOrderColumns(window),
    reduce(orders: ProfileOrders, _asOf: number, cells: Float64Array, at: number): void {
      highestOrderCells(orders, flowHighestIndex(orders.times, orders.values, orders.start, orders.end, windowMs), cells, at);
    },
    // A stored maximum can be years old: the replay needs every order.
    ordersNeededFrom: () => undefined,
  };
}

/**
 * At each order the flow's conditional split counts the profile's orders placed in [t - window, t],
 * this one included (orders at the very same instant all count). With at most one, the Yes branch
 * stores this order. Otherwise the No branch stores it only if its value is strictly greater than the
 * stored one. The stored maximum may therefore be older than the window: that is the live flow's
 * behaviour, and the trailing window (trailing-window.ts) is the recompute that corrects it.
 */
export function flowHighest(series: OrderSeries, windowMs: number): HighestOrder | undefined {
  const index = flowHighestIndex(series.placedAt, series.values, 0, series.placedAt.length, windowMs);
  return index < 0 ? undefined : { value: series.values[index]!, placedAt: series.placedAt[index]! };
}

/**
 * `flowHighest` over the orders `[start, end)` of two parallel arrays, as the index of the stored
 * order (-1: none): what runs for millions of profiles, with no object per call.
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
