/**
 * For the `backfill sql` bench: a Shopify export as the typed tables a database holds, written as two
 * CSV files every engine loads the same way: orders (order_id, email, placed_at with a UTC offset,
 * value) and order lines (order_id, size: one row per option value of a line item's variant, as
 * `compute` reads sizes from `Lineitem name`). Made by DuckDB; how long it takes is reported apart.
 */
import { DuckDBInstance } from '@duckdb/node-api';

const quote = (text: string) => text.replaceAll("'", "''");

export async function shopifyToTables(input: string, ordersCsv: string, linesCsv: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const statements = [
    "SET TimeZone = 'UTC'",
    `CREATE TABLE export_rows AS
       SELECT "Name" AS order_id, "Email" AS email, "Created at" AS created_at, "Total" AS total, "Lineitem name" AS item
       FROM read_csv('${quote(input)}', header = true, all_varchar = true)`,
    // One order is the run of rows sharing Name; Total is on its first row, Email and Created at on every row.
    `COPY (
       SELECT order_id, max(trim(email)) AS email,
              strftime(strptime(min(created_at), '%Y-%m-%d %H:%M:%S %z'), '%Y-%m-%d %H:%M:%S') || '+00:00' AS placed_at,
              max(CAST(NULLIF(total, '') AS DECIMAL(18, 2))) AS value
       FROM export_rows GROUP BY order_id
     ) TO '${quote(ordersCsv)}' (HEADER true)`,
    // The variant is the text after the last " - ", its option values split on " / ".
    `COPY (
       SELECT order_id, unnest(string_split(string_split(item, ' - ')[-1], ' / ')) AS size
       FROM export_rows WHERE strpos(item, ' - ') > 0
     ) TO '${quote(linesCsv)}' (HEADER true)`,
  ];
  for (const statement of statements) await connection.run(statement);
  connection.closeSync();
  instance.closeSync();
}
