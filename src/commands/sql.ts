/**
 * `backfill sql`: the SQL statement computing, where the orders live, the properties `compute` writes
 * with the same definitions. Options in, statement out; it reads no order and never exits.
 */
import type { RunSettings } from '../config/run-settings.js';
import { BackfillError } from '../errors.js';
import type { ColumnField } from '../io/formats/format.js';
import { DIALECTS, type DialectName } from '../domain/sql/dialects.js';
import { kindsWithoutSql, outputColumnProblem, sqlStatement } from '../domain/sql/statement.js';

export interface SqlOptions {
  readonly settings: RunSettings;
  /** Where the settings' config file was read from, for messages; undefined without one. */
  readonly configPath: string | undefined;
  readonly dialect: DialectName;
  /** Relations as given (a table, a schema-qualified name, a dbt `ref`). */
  readonly orders: string;
  readonly orderLines: string;
  /** Epoch ms, or `now`: the engine's current time when the query runs. */
  readonly asOf: number | 'now';
  readonly view?: string;
  /** Whether the last column is `modified_at` (the as-of). */
  readonly modifiedAt: boolean;
}

export interface SqlResult {
  readonly statement: string;
  /** What the user should know about how the SQL differs from compute's reading of an export. */
  readonly notices: readonly string[];
}

/** The columns the relations have when backfill.config.json's "columns" does not name them. */
export const DEFAULT_SQL_COLUMNS = { orderId: 'order_id', email: 'email', placedAt: 'placed_at', value: 'value', status: 'status', size: 'size' } as const;

export function runSql(options: SqlOptions): SqlResult {
  const { settings, configPath } = options;
  const dialect = DIALECTS[options.dialect];
  const withoutSql = kindsWithoutSql(settings.definitions);
  if (withoutSql.length > 0) {
    throw new BackfillError('USAGE', `the ${withoutSql.join(', ')} reducer${withoutSql.length > 1 ? 's have' : ' has'} no SQL yet, so these definitions cannot be run as SQL`, {
      hint: 'Give the reducer kind its `sql` beside its TypeScript (src/domain/reducers/), or compute the profiles with backfill compute.',
    });
  }
  const problem = outputColumnProblem(settings.definitions, dialect);
  if (problem !== undefined) {
    throw new BackfillError('CONFIG_INVALID', `${problem}.`, {
      ...(configPath !== undefined ? { location: { file: configPath } } : {}),
      hint: 'Choose other property names in backfill.config.json\'s "properties" (README, "Input formats and configuration").',
    });
  }
  const columns = settings.input.columns;
  const one = (field: Exclude<ColumnField, 'email' | 'phone' | 'items'>): string => {
    const names = columns[field];
    if (names === undefined) return DEFAULT_SQL_COLUMNS[field];
    if (names.length === 1) return names[0]!;
    throw new BackfillError('CONFIG_INVALID', `"columns.${field}" lists ${names.length} columns (${names.map((n) => `"${n}"`).join(', ')}); a relation has one column for it.`, {
      ...(configPath !== undefined ? { location: { file: configPath } } : {}),
      hint: 'Name one column there, or give backfill sql a config of its own with --config.',
    });
  };
  const statement = sqlStatement(
    {
      definitions: settings.definitions,
      namesOfSize: (size) => settings.input.sizes.namesOf(size),
      orders: {
        relation: options.orders,
        orderIdColumn: one('orderId'),
        emailColumns: columns.email ?? [DEFAULT_SQL_COLUMNS.email],
        placedAtColumn: one('placedAt'),
        valueColumn: one('value'),
        statusColumn: one('status'),
      },
      orderLines: { relation: options.orderLines, orderIdColumn: one('orderId'), sizeColumn: one('size') },
      excludeCancelled: settings.input.excludeCancelled,
      asOf: options.asOf,
      modifiedAt: options.modifiedAt,
      ...(options.view !== undefined ? { view: options.view } : {}),
    },
    dialect,
  );
  const notices: string[] = [];
  if (settings.input.sizePattern !== undefined && settings.definitions.sizes.length > 0) {
    notices.push(`"sizePattern" is not applied in SQL: the order lines' size column must hold the size itself (S, Medium).`);
  }
  return { statement, notices };
}
