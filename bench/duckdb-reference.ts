/**
 * The reference job in DuckDB, for the benchmark's speed comparison: the same window-mode
 * properties `backfill compute --mode window` writes for a Shopify export, as one SQL query over the
 * CSV. Same rules: an order is the rows sharing `Name`; email trimmed and lower-cased; orders without
 * email or after as-of left out; the largest total in [as-of - N days, as-of] (ties: the latest);
 * a size is an option value after the last " - " of `Lineitem name`, split on " / ", matched with the
 * default aliases.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { DEFAULT_SIZE_ALIASES } from '../src/core/sizes.js';

export interface ReferenceProfile {
  readonly email: string;
  /** Per window: [value, epoch ms] or undefined. */
  readonly windows: (readonly [number, number] | undefined)[];
  /** Per size: epoch ms or undefined. */
  readonly sizes: (number | undefined)[];
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

export async function duckdbWindowProfiles(file: string, asOf: number, windows: readonly number[], sizes: readonly string[]): Promise<ReferenceProfile[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  // Day arithmetic in UTC, as the tool's N x 24 h windows: no DST shift from the session's zone.
  await connection.run(`SET TimeZone = 'UTC'`);
  const aliasCases = [
    ...sizes.map((size) => `WHEN ${quote(size)} THEN ${quote(size)}`),
    ...Object.entries(DEFAULT_SIZE_ALIASES)
      .filter(([, size]) => sizes.includes(size))
      .map(([alias, size]) => `WHEN ${quote(alias)} THEN ${quote(size)}`),
  ].join(' ');
  const asOfSql = `make_timestamptz(${asOf}::BIGINT * 1000)`;
  const windowColumns = windows
    .map(
      (days, i) => `
      max(total) FILTER (WHERE placed_at >= ${asOfSql} - INTERVAL ${days} DAY) AS v${i},
      arg_max(epoch_ms(placed_at), (total, placed_at)) FILTER (WHERE placed_at >= ${asOfSql} - INTERVAL ${days} DAY) AS d${i}`,
    )
    .join(',');
  const sizeColumns = sizes.map((size, i) => `max(epoch_ms(placed_at)) FILTER (WHERE list_contains(order_sizes, ${quote(size)})) AS s${i}`).join(', ');
  const sql = `
    WITH line_items AS (
      SELECT "Name" AS name, "Email" AS email, "Created at" AS created, "Total" AS total, "Lineitem name" AS item
      FROM read_csv(${quote(file)}, header = true, all_varchar = true)
    ), orders AS (
      SELECT name,
             lower(trim(first(email) FILTER (WHERE total <> ''))) AS email,
             strptime(first(created) FILTER (WHERE total <> ''), '%Y-%m-%d %H:%M:%S %z') AS placed_at,
             CAST(first(total) FILTER (WHERE total <> '') AS DOUBLE) AS total,
             list_distinct(flatten(list(
               list_filter(
                 list_transform(
                   CASE WHEN strpos(item, ' - ') > 0 THEN string_split(regexp_extract(item, '^.* - (.*)$', 1), ' / ') ELSE [] END,
                   option -> CASE lower(trim(option)) ${aliasCases} ELSE NULL END),
                 size -> size IS NOT NULL)))) AS order_sizes
      FROM line_items GROUP BY name
    )
    SELECT email, ${windowColumns}, ${sizeColumns}
    FROM orders
    WHERE email <> '' AND placed_at <= ${asOfSql}
    GROUP BY email ORDER BY email`;
  const reader = await connection.runAndReadAll(sql);
  const rows = reader.getRows();
  connection.closeSync();
  return rows.map((row) => ({
    email: String(row[0]),
    windows: windows.map((_, i) => (row[1 + 2 * i] === null ? undefined : ([Number(row[1 + 2 * i]), Number(row[2 + 2 * i])] as const))),
    sizes: sizes.map((_, i) => {
      const value = row[1 + 2 * windows.length + i];
      return value === null || value === undefined ? undefined : Number(value);
    }),
  }));
}
