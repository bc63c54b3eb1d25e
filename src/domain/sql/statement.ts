/**
 * The one SQL statement `backfill sql` prints: the orders that count, each reducer's CTEs, and one row
 * per profile with the properties `compute` writes, under the same names and in the same order, then
 * `modified_at`. Pure: definitions and a dialect in, text out.
 */
import { PropertySchema } from '../computation.js';
import type { Definitions } from '../definitions.js';
import { CANCELLED_STATUSES } from '../order-status.js';
import type { ReducerKind } from '../reducers/reducer.js';
import { indent, selectList, type OrderLinesSource, type ReducerSql, type SqlContext, type SqlCte } from '../reducers/reducer-sql.js';
import { REDUCER_KINDS } from '../reducers/registry.js';
import type { SqlDialect } from './dialects.js';

export type { OrderLinesSource } from '../reducers/reducer-sql.js';

/** The relation of orders and its columns (names as in the relation). */
export interface OrdersSource {
  /** As given: a table, a view, a schema-qualified name or a dbt `ref`. */
  readonly relation: string;
  readonly orderIdColumn: string;
  /** Tried in order on each row: the first that is not blank is the email (as compute reads a list of email columns). */
  readonly emailColumns: readonly string[];
  readonly placedAtColumn: string;
  readonly valueColumn: string;
  /** Read only when cancelled orders are left out. */
  readonly statusColumn: string;
}

export interface SqlQuery {
  readonly definitions: Definitions;
  /** Every option value (lower-cased) meaning a size, the size itself included: `SizeMatcher.namesOf`. */
  readonly namesOfSize: (size: string) => readonly string[];
  readonly orders: OrdersSource;
  /** Read only when sizes are computed. */
  readonly orderLines: OrderLinesSource;
  readonly excludeCancelled: boolean;
  /** Epoch ms, written as a literal; `now`: the engine's current time when the query runs. */
  readonly asOf: number | 'now';
  /** Made a view of this name (text as given), replacing one of that name. */
  readonly view?: string;
  /** Whether the last column is `modified_at`; without it the rows are exactly a profiles CSV's. */
  readonly modifiedAt: boolean;
}

/** The last output column: the as-of, for warehouse syncs that send only rows modified since their last run. */
export const MODIFIED_AT_COLUMN = 'modified_at';

/** The statement's output columns, in order. */
export function outputColumns(definitions: Definitions, modifiedAt = true): string[] {
  return ['Email', ...new PropertySchema(definitions).names, ...(modifiedAt ? [MODIFIED_AT_COLUMN] : [])];
}

/**
 * Why the output columns cannot come out under their names in this dialect (one would be cut short, or
 * two would be one column), or undefined when they can.
 */
export function outputColumnProblem(definitions: Definitions, dialect: SqlDialect): string | undefined {
  const seen = new Map<string, string>();
  for (const column of outputColumns(definitions, true)) {
    const bytes = new TextEncoder().encode(column).length;
    if (dialect.maxIdentifierBytes !== undefined && bytes > dialect.maxIdentifierBytes) {
      return `the column "${column}" is ${bytes} bytes long; ${dialect.title} cuts names at ${dialect.maxIdentifierBytes} bytes`;
    }
    const key = dialect.caseInsensitiveIdentifiers ? column.toLowerCase() : column;
    const other = seen.get(key);
    if (other !== undefined) return `the columns "${other}" and "${column}" would be one column in ${dialect.title}`;
    seen.set(key, column);
  }
  return undefined;
}

/** The reducer kinds the definitions ask for that have no SQL (a reducer added in TypeScript only). */
export function kindsWithoutSql(definitions: Definitions, kinds: readonly ReducerKind[] = REDUCER_KINDS): string[] {
  return kinds.filter((kind) => kind.reducers(definitions).length > 0 && kind.sql === undefined).map((kind) => kind.name);
}

export function sqlStatement(query: SqlQuery, dialect: SqlDialect, kinds: readonly ReducerKind[] = REDUCER_KINDS): string {
  const { definitions } = query;
  const asOf = query.asOf === 'now' ? dialect.now : dialect.instant(query.asOf);
  const context: SqlContext = { dialect, orders: 'backfill_orders', asOf, orderLines: query.orderLines, namesOfSize: query.namesOfSize };
  // Each kind's SQL, in the registry's order: the columns' order in compute's CSV.
  const reducers: ReducerSql[] = kinds.flatMap((kind) => {
    if (kind.reducers(definitions).length === 0) return [];
    if (kind.sql === undefined) throw new Error(`the ${kind.name} reducer has no SQL`);
    return [kind.sql(definitions, context)];
  });
  const ctes: SqlCte[] = [ordersCte(query, dialect, asOf), ...reducers.flatMap((reducer) => reducer.ctes), profilesCte];
  const select = [
    `WITH\n${ctes.map((cte) => `-- ${cte.comment}\n${cte.name} AS (\n${cte.body}\n)`).join(',\n')}`,
    profilesSelect(reducers, dialect, query.modifiedAt ? asOf : undefined),
    ...(query.view === undefined ? ['ORDER BY "Email"'] : []),
  ].join('\n');
  // A SELECT ends without a semicolon, so it can be put inside anything: a dbt model (dbt wraps it and
  // refuses one), COPY (...) TO, a reverse-ETL tool's query; psql and DuckDB run it as it is too.
  return `${header(query, dialect)}${query.view === undefined ? select : `${dialect.view(query.view, select)};`}\n`;
}

function header({ definitions, asOf, view }: SqlQuery, dialect: SqlDialect): string {
  const windows = definitions.windows.map((window) => window.days).join(', ');
  const sizes = definitions.sizes.length === 0 ? 'none' : definitions.sizes.map((size) => size.size).join(', ');
  const when = asOf === 'now' ? 'the time the query runs' : new Date(asOf).toISOString();
  return [
    `-- backfill sql --dialect ${dialect.name}: per profile, the properties \`backfill compute --mode ${definitions.mode}\` writes`,
    `-- (windows of ${windows} days; sizes: ${sizes}), as of ${when}${view === undefined ? '' : ', as a view'}.`,
    '',
  ].join('\n');
}

/** The orders compute would count: an email, a time and a value, placed by the as-of, and not cancelled when those are left out. */
function ordersCte({ orders, excludeCancelled, definitions }: SqlQuery, dialect: SqlDialect, asOf: string): SqlCte {
  const column = dialect.identifier;
  const emails = orders.emailColumns.map((name) => `nullif(${dialect.trimmed(column(name))}, '')`);
  const email = emails.length === 1 ? emails[0]! : `coalesce(${emails.join(', ')})`;
  const status = `lower(${dialect.trimmed(column(orders.statusColumn))})`;
  const cancelled = [...CANCELLED_STATUSES].map(dialect.string).join(', ');
  return {
    name: 'backfill_orders',
    comment: 'The orders that count: with an email (the first non-blank, trimmed, lower-cased), a time and a value, placed by the as-of.',
    body: indent([
      `SELECT ${[...(definitions.sizes.length > 0 ? [`${column(orders.orderIdColumn)} AS order_id`] : []), `lower(${email}) AS email`, `${column(orders.placedAtColumn)} AS placed_at`, `${column(orders.valueColumn)} AS value`].join(', ')}`,
      `FROM ${orders.relation}`,
      `WHERE ${email} IS NOT NULL`,
      `  AND ${column(orders.valueColumn)} IS NOT NULL`,
      `  AND ${column(orders.placedAtColumn)} <= ${asOf}`,
      ...(excludeCancelled ? [`  AND (${column(orders.statusColumn)} IS NULL OR ${status} NOT IN (${cancelled}))`] : []),
    ]),
  };
}

const profilesCte: SqlCte = { name: 'backfill_profiles', comment: 'One row per profile.', body: indent(['SELECT DISTINCT email FROM backfill_orders']) };

/**
 * Email, every reducer's properties, then the as-of (`modifiedAt`, when wanted); profiles with nothing
 * to set are left out, as compute leaves them out.
 */
function profilesSelect(reducers: readonly ReducerSql[], dialect: SqlDialect, modifiedAt: string | undefined): string {
  const alias = (r: number) => `r${r + 1}`;
  const items = [
    'p.email AS "Email"',
    ...reducers.flatMap((reducer, r) =>
      reducer.columns.map(({ property, column, kind }) => {
        const value = `${alias(r)}.${column}`;
        return `${kind === 'date' ? dialect.utcSeconds(value) : value} AS ${dialect.identifier(property)}`;
      }),
    ),
    ...(modifiedAt !== undefined ? [`${dialect.utc(modifiedAt)} AS ${dialect.identifier(MODIFIED_AT_COLUMN)}`] : []),
  ];
  const anySet = reducers.flatMap((reducer, r) => reducer.columns.filter((c) => c.kind === 'date').map((c) => `${alias(r)}.${c.column} IS NOT NULL`));
  return [
    'SELECT',
    ...selectList(items),
    'FROM backfill_profiles AS p',
    ...reducers.map((reducer, r) => `LEFT JOIN ${reducer.relation} AS ${alias(r)} ON ${alias(r)}.email = p.email`),
    `WHERE ${anySet.join('\n   OR ')}`,
  ].join('\n');
}
