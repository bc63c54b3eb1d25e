/**
 * What one reducer's SQL is made of, and what it may read: the contract between each reducer kind's
 * SQL, written beside its TypeScript (flow-replay-sql.ts, trailing-window-sql.ts,
 * latest-size-date-sql.ts; a kind's `sql`, see reducer.ts) and the statement that assembles them
 * (../sql/statement.ts).
 */
import type { WindowDefinition } from '../definitions.js';
import type { SqlDialect } from '../sql/dialects.js';

/** What every reducer's SQL reads, made by the statement before them. */
export interface SqlContext {
  readonly dialect: SqlDialect;
  /**
   * The CTE of the orders that count, with the columns `order_id`, `email` (trimmed, lower-cased),
   * `placed_at` (timestamp with time zone) and `value`: no NULLs, none after the as-of, cancelled
   * orders left out when asked.
   */
  readonly orders: string;
  /** The as-of instant, an expression (a literal, or the engine's current time). */
  readonly asOf: string;
  /** The relation of order lines, for the sizes; read only when sizes are computed. */
  readonly orderLines: OrderLinesSource;
  /** Every option value (lower-cased) meaning `size`, the size itself included (`SizeMatcher.namesOf`). */
  readonly namesOfSize: (size: string) => readonly string[];
}

/** The relation of order lines and its columns. */
export interface OrderLinesSource {
  /** As given: a table, a view, a schema-qualified name or a dbt `ref`. */
  readonly relation: string;
  readonly orderIdColumn: string;
  readonly sizeColumn: string;
}

/** One common table expression: `name AS (body)`, with a comment saying what it holds. */
export interface SqlCte {
  readonly name: string;
  readonly comment: string;
  readonly body: string;
}

/** One output property: the name compute writes it under, the column of the reducer's relation holding it. */
export interface ReducerColumn {
  readonly property: string;
  readonly column: string;
  /** A value is output as it is; a date as UTC wall-clock time to the second. */
  readonly kind: 'value' | 'date';
}

export interface ReducerSql {
  /** In order; each reads `SqlContext.orders` and the CTEs before it. */
  readonly ctes: readonly SqlCte[];
  /** The CTE with one row per email (column `email`) and the columns below; a profile without one has none of them. */
  readonly relation: string;
  /** The reducer's properties, in the order compute writes them. */
  readonly columns: readonly ReducerColumn[];
}

/** The body of a CTE, indented under its name. */
export function indent(lines: readonly string[]): string {
  return lines.map((line) => (line === '' ? line : `  ${line}`)).join('\n');
}

/** Select-list items, indented one step further, each but the last followed by a comma. */
export function selectList(items: readonly string[]): string[] {
  return items.map((item, i) => `  ${item}${i < items.length - 1 ? ',' : ''}`);
}

/** A highest-order reducer's columns: per window (n from 1), `value_n` and `placed_at_n`, in compute's order. */
export function highestColumns(windows: readonly WindowDefinition[]): ReducerColumn[] {
  return windows.flatMap((window, i) => [
    { property: window.valueProperty, column: `value_${i + 1}`, kind: 'value' as const },
    { property: window.dateProperty, column: `placed_at_${i + 1}`, kind: 'date' as const },
  ]);
}
