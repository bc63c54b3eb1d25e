/**
 * The reference job in DuckDB, for the benchmark's speed comparison: duckdb-window.sql (next to this
 * file in the repository), the window-mode properties `backfill compute --mode window` writes for a
 * Shopify export, as one pass with one GROUP BY email and FILTERed aggregates, the way a DuckDB user
 * would write it. DuckDB runs on its default thread count (all cores) and writes its own CSV, which
 * compute-bench.ts compares with ours value by value.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

/** dist/bench/ -> the repository's bench/. */
const SQL_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'duckdb-window.sql');

const quote = (text: string) => text.replaceAll("'", "''");

/** The query's statements with the placeholders filled in; `asOf` in epoch ms. */
export function duckdbWindowStatements(input: string, out: string, asOf: number): string[] {
  const asOfSql = new Date(asOf).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '+00');
  const sql = readFileSync(SQL_FILE, 'utf8')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .replaceAll('{{CSV}}', quote(input))
    .replaceAll('{{OUT}}', quote(out))
    .replaceAll('{{ASOF}}', asOfSql);
  return sql
    .split(/;\s*\n/)
    .map((statement) => statement.trim().replace(/;$/, ''))
    .filter((statement) => statement !== '');
}

/** Runs the query on `input`, writing DuckDB's profiles CSV to `out`. */
export async function runDuckdbWindow(input: string, out: string, asOf: number): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  for (const statement of duckdbWindowStatements(input, out, asOf)) await connection.run(statement);
  connection.closeSync();
}
