/**
 * What the two highest-order reducers (flow-replay.ts, trailing-window.ts) share: the value-and-date pair
 * of columns a window writes, and its cells from the index of the chosen order.
 */
import type { WindowDefinition } from '../definitions.js';
import type { ProfileOrders, PropertyColumn } from './reducer.js';

/** One profile's orders as plain arrays, for callers with a handful of orders (tests, examples). */
export interface OrderSeries {
  /** Epoch ms, ascending. Ties sorted by value ascending, so the result never depends on input row order. */
  readonly placedAt: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

export interface HighestOrder {
  readonly value: number;
  readonly placedAt: number;
}

export function highestOrderColumns(window: WindowDefinition): readonly PropertyColumn[] {
  return [
    { name: window.valueProperty, kind: 'value' },
    { name: window.dateProperty, kind: 'date' },
  ];
}

/** The value and the time of order `index` of `orders` into `cells[at]` and `cells[at + 1]`; both blank for -1. */
export function highestOrderCells(orders: ProfileOrders, index: number, cells: Float64Array, at: number): void {
  cells[at] = index < 0 ? NaN : orders.values[index]!;
  cells[at + 1] = index < 0 ? NaN : orders.times[index]!;
}
