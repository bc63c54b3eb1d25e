/**
 * The `backfill sql` part of `npm run bench`: the same job as `compute` (both modes, the bench's windows
 * and sizes) as the statements `backfill sql` prints, on DuckDB and on PostgreSQL, over the same orders
 * as typed tables (sql-tables.ts). PostgreSQL is PGlite (PostgreSQL compiled to WebAssembly, in process)
 * and, when the PG* environment variables name a server (`bash scripts/with-postgres.sh npm run bench`
 * starts one), that real server too. Each run is a fresh process (sql-run.ts) that loads the tables,
 * then runs the statement into a table; load and query are timed apart. Every result is compared with
 * compute's CSV, cell by cell.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { shopifyToTables } from './sql-tables.js';

interface SqlMeasurement {
  readonly loadSeconds: number;
  readonly querySeconds: number;
  readonly maxRssKb: number;
}

export interface SqlBenchOptions {
  readonly root: string;
  readonly outDir: string;
  readonly input: string;
  readonly orders: number;
  readonly runs: number;
  readonly asOf: string;
  readonly windows: readonly number[];
  readonly sizes: readonly string[];
  /** compute's wall time per mode, from the same bench run, and its CSV. */
  readonly compute: ReadonlyMap<string, { readonly seconds: number; readonly csv: string }>;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function sqlRun(root: string, args: string[]): SqlMeasurement {
  const child = spawnSync(process.execPath, [join(root, 'dist', 'bench', 'sql-run.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = child.stderr.split('\n').find((l) => l.startsWith('BENCH '));
  if (child.status !== 0 || line === undefined) throw new Error(`sql-run.js ${args[0]} failed: ${child.stderr}`);
  return JSON.parse(line.slice(6)) as SqlMeasurement;
}

/** compute's CSV against the SQL's, as sets of lines (the SQL's rows come in the engine's collation order). */
function compare(computeCsv: string, sqlCsv: string): string {
  const ours = parse(readFileSync(computeCsv), { columns: true }) as Record<string, string>[];
  const theirs = new Map((parse(readFileSync(sqlCsv), { columns: true }) as Record<string, string>[]).map((row) => [row['Email'], row]));
  if (ours.length !== theirs.size) return `profile counts differ: compute ${ours.length}, SQL ${theirs.size}`;
  for (const row of ours) {
    const other = theirs.get(row['Email']);
    const differs = other === undefined || Object.keys(row).some((column) => row[column] !== other[column]);
    if (differs) return `first difference: ${JSON.stringify(row)} vs SQL ${JSON.stringify(other)}`;
  }
  return 'equal';
}

/** Runs the engines and returns the Markdown of the section's table, with the notes under it. */
export async function sqlBench(options: SqlBenchOptions): Promise<string> {
  const { root, outDir, orders, runs } = options;
  const ordersCsv = join(outDir, `sql-orders-${orders}.csv`);
  const linesCsv = join(outDir, `sql-order-lines-${orders}.csv`);
  const started = performance.now();
  await shopifyToTables(options.input, ordersCsv, linesCsv);
  const tablesSeconds = (performance.now() - started) / 1000;
  const engines: { name: string; dialect: string; title: string }[] = [
    { name: 'duckdb', dialect: 'duckdb', title: 'DuckDB (in process, all cores)' },
    { name: 'pglite', dialect: 'postgres', title: 'PostgreSQL: PGlite (WebAssembly, in process, one thread)' },
    ...(process.env['PGHOST'] !== undefined || process.env['PGPORT'] !== undefined ? [{ name: 'postgres', dialect: 'postgres', title: `PostgreSQL server ${serverVersion()}, default settings` }] : []),
  ];
  const lines: string[] = [];
  for (const mode of ['flow', 'window']) {
    const compute = options.compute.get(mode)!;
    lines.push(`| backfill compute --mode ${mode}, from the export | | | ${compute.seconds.toFixed(2)} s | | reference |`);
    for (const engine of engines) {
      const statement = join(outDir, `sql-${engine.dialect}-${mode}.sql`);
      const cli = spawnSync(process.execPath, [join(root, 'bin', 'backfill.js'), 'sql', '--dialect', engine.dialect, '--mode', mode, '--windows', options.windows.join(','), '--sizes', options.sizes.join(','), '--as-of', options.asOf, '--no-modified-at'], { encoding: 'utf8' });
      if (cli.status !== 0) throw new Error(`backfill sql failed: ${cli.stderr}`);
      writeFileSync(statement, cli.stdout);
      const result = join(outDir, `sql-result-${engine.name}-${orders}-${mode}.csv`);
      const measured = Array.from({ length: runs }, () => sqlRun(root, [engine.name, ordersCsv, linesCsv, statement, result]));
      const [load, query] = [median(measured.map((m) => m.loadSeconds)), median(measured.map((m) => m.querySeconds))];
      const agreement = compare(compute.csv, result);
      process.stderr.write(`${orders} sql ${engine.name} ${mode}: load ${load.toFixed(2)} s, query ${query.toFixed(2)} s; vs compute: ${agreement}\n`);
      lines.push(
        `| backfill sql --mode ${mode}: ${engine.title} | ${load.toFixed(2)} s | ${query.toFixed(2)} s | ${(load + query).toFixed(2)} s | ${(Math.max(...measured.map((m) => m.maxRssKb)) / 1024).toFixed(0)} MiB | **${agreement}** |`,
      );
    }
  }
  return [
    `The same job as SQL (\`backfill sql\`, both modes, windows ${options.windows.join(',')}, ${options.sizes.length} sizes), on the same orders as typed tables: ${orders.toLocaleString('en-US')} orders and their order lines (one row per option value of a line item), made from the export by DuckDB in ${tablesSeconds.toFixed(2)} s (not counted below) and loaded by each engine from CSV (DuckDB's COPY, PGlite's COPY, psql's \\copy; then ANALYZE on PostgreSQL). Load and query are timed apart, medians of ${runs} run(s), each in a fresh process; the query is the statement made into a table (no rows sent to a client). Peak RSS is the measuring process's, reading the rows back for the comparison included; the server's own memory is not in it. The last column compares every row with compute's CSV.`,
    '',
    '| job | load | query | load + query | peak RSS | rows vs compute |',
    '|---|---|---|---|---|---|',
    ...lines,
    '',
  ].join('\n');
}

function serverVersion(): string {
  const result = spawnSync('psql', ['-X', '-A', '-t', '-c', 'SHOW server_version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim().split(' ')[0]! : '';
}
