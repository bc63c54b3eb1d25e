/**
 * The nightly recompute's reducer (`--mode window`): per window, the greatest order value placed in
 * [as-of - N days, as-of], both bounds inclusive, and its date; on equal values the latest order.
 * Unlike the flow's replay (flow-replay.ts), it forgets orders that left the window: blank when the
 * window holds no order.
 */
import { DAY_MS, type Definitions, type WindowDefinition } from '../definitions.js';
import { highestOrderColumns, highestOrderCells, type HighestOrder, type OrderSeries } from './highest-order.js';
import type { ProfileOrders, Reducer, ReducerKind } from './reducer.js';
import { trailingWindowSql } from './trailing-window-sql.js';

export const trailingWindow: ReducerKind = {
  name: 'trailing-window',
  reducers: (definitions: Definitions) => (definitions.mode === 'window' ? definitions.windows.map(trailingWindowReducer) : []),
  sql: (definitions, context) => trailingWindowSql(definitions.windows, context),
};

function trailingWindowReducer(window: WindowDefinition): Reducer {
  const windowMs = window.days * DAY_MS;
  return {
    columns: highestOrderColumns(window),
    reduce(orders: ProfileOrders, asOf: number, cells: Float64Array, at: number): void {
      highestOrderCells(orders, windowHighestIndex(orders.times, orders.values, orders.start, orders.end, asOf, windowMs), cells, at);
    },
    ordersNeededFrom: (asOf: number) => asOf - windowMs,
  };
}

export function windowHighest(series: OrderSeries, asOf: number, windowMs: number): HighestOrder | undefined {
  const index = windowHighestIndex(series.placedAt, series.values, 0, series.placedAt.length, asOf, windowMs);
  return index < 0 ? undefined : { value: series.values[index]!, placedAt: series.placedAt[index]! };
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
