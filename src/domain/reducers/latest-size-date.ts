/**
 * Per size, when the latest order with an item of that size was placed (`small_order_date`, ...).
 *
 * Two of the recipe's template defects are fixed here (see README, "Why our values can differ"): a
 * size date is one timestamp however many items of that size the order has, and a size absent from a
 * later order keeps its earlier date instead of being overwritten with "".
 */
import type { Definitions, SizeDefinition } from '../definitions.js';
import { latestSizeDateSql } from './latest-size-date-sql.js';
import { hasSize, type ProfileOrders, type Reducer, type ReducerKind } from './reducer.js';

export const latestSizeDate: ReducerKind = {
  name: 'latest-size-date',
  reducers: (definitions: Definitions) => definitions.sizes.map((size, index) => latestSizeDateReducer(size, index)),
  sql: (definitions, context) => latestSizeDateSql(definitions.sizes, context),
};

function latestSizeDateReducer(size: SizeDefinition, sizeNumber: number): Reducer {
  return {
    columns: [{ name: size.dateProperty, kind: 'date' }],
    reduce(orders: ProfileOrders, _asOf: number, cells: Float64Array, at: number): void {
      let latest = NaN;
      // In time order: the first order from the end with the size is the latest.
      for (let i = orders.end - 1; i >= orders.start; i--) {
        if (hasSize(orders, i, sizeNumber)) {
          latest = orders.times[i]!;
          break;
        }
      }
      // Rows read apart from their order name sizes too, at its time.
      for (let i = orders.end; i < orders.marksEnd; i++) {
        if (hasSize(orders, i, sizeNumber) && !(orders.times[i]! <= latest)) latest = orders.times[i]!;
      }
      cells[at] = latest;
    },
    // The latest order with a size may be of any age: every order is needed.
    ordersNeededFrom: () => undefined,
  };
}
