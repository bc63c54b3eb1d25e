/**
 * What a reducer is: one property (or a value-and-date pair of them) computed from one profile's
 * orders. Every reducer the tool runs is declared in this shape and listed in registry.ts; the CSV
 * header, each row, the profiles-CSV reader's checks, push's JSON, diff, the definitions hash and the
 * event store's retention all follow from the columns the declared reducers name.
 */
import type { Definitions } from '../definitions.js';
import type { ReducerSql, SqlContext } from './reducer-sql.js';

/** How a cell is typed: a number (written as a plain decimal), or an instant (a `yyyy-MM-dd HH:mm:ss` UTC date). */
export type CellKind = 'value' | 'date';

/** One column of the profiles a computation writes, after `Email`. */
export interface PropertyColumn {
  /** The Klaviyo property it sets (`highest_order_value`, or a merchant's own name). */
  readonly name: string;
  readonly kind: CellKind;
}

/**
 * One profile's orders placed up to the as-of, `[start, end)` of parallel arrays, in time order; orders at
 * the same instant by value ascending, so that no result depends on the input's row order.
 */
export interface ProfileOrders {
  /** Epoch milliseconds. */
  readonly times: Float64Array;
  readonly values: Float64Array;
  /**
   * Which of `definitions.sizes` each order has an item of: order i's bits are the `sizeWords` words
   * from `i * sizeWords`, size s being bit `s % 32` of word `s >> 5` (see `hasSize`).
   */
  readonly sizes: Uint32Array;
  readonly sizeWords: number;
  readonly start: number;
  readonly end: number;
  /**
   * After the orders, `[end, marksEnd)` are size marks, in no order: item rows of an order read apart
   * from its first row, or the order read again, with the time and the sizes they name (their value
   * is NaN). They are no orders; only a reducer of sizes looks at them.
   */
  readonly marksEnd: number;
}

/** Whether order `i` of `orders` has an item of size number `size` (its place in `definitions.sizes`). */
export function hasSize(orders: ProfileOrders, i: number, size: number): boolean {
  return (orders.sizes[i * orders.sizeWords + (size >>> 5)]! & (1 << (size & 31))) !== 0;
}

/** One declared reducer of a computation: its columns and how their cells come from a profile's orders. */
export interface Reducer {
  readonly columns: readonly PropertyColumn[];
  /**
   * Writes this reducer's cells, one per column, into `cells` from `at`: a number, an epoch-ms instant,
   * or NaN for a blank (nothing to set). Called for millions of profiles: no object per call.
   */
  reduce(orders: ProfileOrders, asOf: number, cells: Float64Array, at: number): void;
  /**
   * The oldest order time it looks at for a run at `asOf`; undefined when it needs the whole history.
   * The event store keeps what the reducers of its run need, and drops the rest.
   */
  ordersNeededFrom(asOf: number): number | undefined;
}

/**
 * A kind of reducer, as listed in the registry: the reducers it declares for a set of definitions (one
 * per window, one per size, or none when the definitions do not ask for it).
 */
export interface ReducerKind {
  /** A short name, for messages and the README (`flow-replay`). */
  readonly name: string;
  reducers(definitions: Definitions): readonly Reducer[];
  /**
   * The same reducers as SQL (`backfill sql`), written beside this kind's TypeScript and proven equal
   * to it on real engines (test/sql/): CTEs that read the orders that count, and one row per profile
   * with this kind's columns. Asked for only when `reducers` declares some; a kind without it cannot
   * be run as SQL, and `backfill sql` says so.
   */
  readonly sql?: (definitions: Definitions, context: SqlContext) => ReducerSql;
}
