/**
 * One timed run of a `backfill sql` statement on one engine, in this process, for compute-bench.ts:
 *   node dist/bench/sql-run.js <duckdb|pglite|postgres> <orders.csv> <lines.csv> <statement.sql> <out.csv>
 * It loads the typed tables (sql-tables.ts made the files) and reports that time apart from the
 * query's: the statement made into a table (CREATE TABLE profiles AS ...), so no time is spent sending
 * rows to a client. The rows are then written to <out.csv> as compute writes them, for the comparison.
 * `postgres` is the server the PG* environment variables name, loaded with psql's \copy; its own memory
 * is not in the peak RSS reported (this process's).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { formatValue } from '../src/domain/money.js';

const [engineName, ordersCsv, linesCsv, statementFile, out] = process.argv.slice(2) as [string, string, string, string, string];
const statement = readFileSync(statementFile, 'utf8');
const quote = (text: string) => text.replaceAll("'", "''");

interface Table {
  readonly columns: readonly { readonly name: string; readonly numeric: boolean }[];
  readonly rows: readonly (readonly (string | null)[])[];
}

interface BenchEngine {
  load(): Promise<void>;
  run(sql: string): Promise<void>;
  read(sql: string): Promise<Table>;
  close(): Promise<void>;
}

const TABLES = (text: string, instant: string, decimal: string) => [
  `CREATE TABLE orders (order_id ${text}, email ${text}, placed_at ${instant}, value ${decimal})`,
  `CREATE TABLE order_lines (order_id ${text}, size ${text})`,
];

async function duckdb(): Promise<BenchEngine> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const run = async (sql: string) => void (await connection.run(sql));
  return {
    async load() {
      for (const sql of TABLES('VARCHAR', 'TIMESTAMPTZ', 'DECIMAL(18, 2)')) await run(sql);
      await run(`COPY orders FROM '${quote(ordersCsv)}' (HEADER true)`);
      await run(`COPY order_lines FROM '${quote(linesCsv)}' (HEADER true)`);
    },
    run,
    async read(sql) {
      const reader = await connection.runAndReadAll(sql);
      const types = reader.columnTypes().map(String);
      return {
        columns: reader.columnNames().map((name, i) => ({ name, numeric: /^DECIMAL|^DOUBLE|^BIGINT|^INTEGER/.test(types[i]!) })),
        rows: reader.getRowsJson().map((row) => row.map((cell) => (cell === null ? null : String(cell)))),
      };
    },
    close: async () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

const NUMERIC_OID = 1700;
const asText = (text: string) => text;

async function pglite(): Promise<BenchEngine> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite({ parsers: { 1700: asText, 1114: asText, 1184: asText } });
  return {
    async load() {
      for (const sql of TABLES('text', 'timestamptz', 'numeric')) await db.exec(sql);
      await db.query("COPY orders FROM '/dev/blob' WITH (FORMAT csv, HEADER)", [], { blob: new Blob([readFileSync(ordersCsv)]) });
      await db.query("COPY order_lines FROM '/dev/blob' WITH (FORMAT csv, HEADER)", [], { blob: new Blob([readFileSync(linesCsv)]) });
      await db.exec('ANALYZE');
    },
    run: async (sql) => void (await db.exec(sql)),
    async read(sql) {
      const result = await db.query<unknown[]>(sql, [], { rowMode: 'array' });
      return { columns: result.fields.map((f) => ({ name: f.name, numeric: f.dataTypeID === NUMERIC_OID })), rows: result.rows.map((row) => row.map((cell) => (cell === null ? null : String(cell)))) };
    },
    close: () => db.close(),
  };
}

async function postgres(): Promise<BenchEngine> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ types: { getTypeParser: () => asText } });
  await client.connect();
  const psql = (command: string) => {
    const result = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', command], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`psql ${command}: ${result.stderr}`);
  };
  return {
    async load() {
      await client.query('DROP TABLE IF EXISTS orders, order_lines, profiles');
      for (const sql of TABLES('text', 'timestamptz', 'numeric')) await client.query(sql);
      psql(`\\copy orders FROM '${quote(ordersCsv)}' WITH (FORMAT csv, HEADER)`);
      psql(`\\copy order_lines FROM '${quote(linesCsv)}' WITH (FORMAT csv, HEADER)`);
      await client.query('ANALYZE');
    },
    run: async (sql) => void (await client.query(sql)),
    async read(sql) {
      const result = await client.query({ text: sql, rowMode: 'array' });
      return { columns: result.fields.map((f) => ({ name: f.name, numeric: f.dataTypeID === NUMERIC_OID })), rows: (result.rows as unknown[][]).map((row) => row.map((cell) => (cell === null ? null : String(cell)))) };
    },
    close: () => client.end(),
  };
}

const started = performance.now();
const engine = await ({ duckdb, pglite, postgres } as Record<string, () => Promise<BenchEngine>>)[engineName]!();
await engine.load();
const loaded = performance.now();
await engine.run(`CREATE TABLE profiles AS\n${statement}`);
const queried = performance.now();
const table = await engine.read('SELECT * FROM profiles');
await engine.close();
writeFileSync(
  out,
  stringify([table.columns.map((c) => c.name), ...table.rows.map((row) => row.map((cell, i) => (cell === null ? '' : table.columns[i]!.numeric ? formatValue(Number(cell)) : cell)))]),
);
process.stderr.write(
  `BENCH ${JSON.stringify({ exitCode: 0, seconds: (queried - started) / 1000, loadSeconds: (loaded - started) / 1000, querySeconds: (queried - loaded) / 1000, maxRssKb: process.resourceUsage().maxRSS })}\n`,
);
