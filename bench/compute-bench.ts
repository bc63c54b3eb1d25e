/**
 * `npm run bench`: generates Shopify-layout exports (deterministic), times `backfill compute` on them
 * in both modes and the same job in DuckDB on the same file in the same run, checks that DuckDB and
 * the tool agree, and writes the figures with the machine's description into BENCHMARKS.md. Up to 1M
 * orders it also times `backfill sql`'s statements on DuckDB and PostgreSQL (sql-bench.ts).
 *
 *   npm run bench                              1M and 5M orders (the reference sizes)
 *   npm run bench -- --orders 100000           another size (comma-separated for several)
 *   npm run bench -- --runs 1                  one run each instead of the median of 3
 *   npm run bench -- --sql-only                compute (for reference) and backfill sql only, up to 1M
 *                                              orders; only the SQL section of BENCHMARKS.md is rewritten
 *   bash scripts/with-postgres.sh npm run bench   PostgreSQL figures from a real server too
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { scanCsv } from '../src/engine/csv/csv-records.js';
import { generateShopifyExport } from '../test/support/shopify-generator.js';
import { sqlBench } from './sql-bench.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(root, 'bench', 'out');
const option = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1]! : fallback;
};
const sizesToRun = option('--orders', '1000000,5000000').split(',').map(Number);
const RUNS = Number(option('--runs', '3'));
const AS_OF = '2026-01-01T00:00:00Z';
const WINDOWS = [30, 60, 90];
const SIZES = ['small', 'medium', 'large', 'xlarge'];
/** `backfill sql` is timed up to this many orders (loading the tables is the slow part on PostgreSQL). */
const SQL_MAX_ORDERS = Number(option('--sql-max-orders', '1000000'));
const SQL_ONLY = process.argv.includes('--sql-only');

interface Measurement {
  readonly seconds: number;
  readonly maxRssKb: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** One run of a script in a fresh process; it reports its own wall time and peak RSS on a `BENCH` line. */
function measure(script: string, args: string[]): Measurement {
  const child = spawnSync(process.execPath, [join(root, 'dist', 'bench', script), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = child.stderr.split('\n').find((l) => l.startsWith('BENCH '));
  if (child.status !== 0 || line === undefined) throw new Error(`${script} failed: ${child.stderr}`);
  return JSON.parse(line.slice(6)) as Measurement;
}

function summarize(runs: Measurement[]): Measurement {
  return { seconds: median(runs.map((r) => r.seconds)), maxRssKb: Math.max(...runs.map((r) => r.maxRssKb)) };
}

/** Our window-mode CSV against DuckDB's: the same emails in the same order, values as numbers, dates as text. */
function compareWithDuckdb(csvPath: string, duckdbPath: string): string {
  const ours = parse(readFileSync(csvPath), { columns: true }) as Record<string, string>[];
  const theirs = parse(readFileSync(duckdbPath), { columns: true }) as Record<string, string>[];
  if (ours.length !== theirs.length) return `profile counts differ: ${ours.length} vs DuckDB ${theirs.length}`;
  const columns = Object.keys(ours[0] ?? {});
  for (let i = 0; i < ours.length; i++) {
    const [row, ref] = [ours[i]!, theirs[i]!];
    const differs = columns.some((column) => {
      const [a, b] = [row[column] ?? '', ref[column] ?? ''];
      return column.endsWith('_value') ? (a === '' ? b !== '' : b === '' || Number(a) !== Number(b)) : a !== b;
    });
    if (differs) return `first difference at line ${i + 2}: ${JSON.stringify(row)} vs DuckDB ${JSON.stringify(ref)}`;
  }
  return 'equal';
}

/** Data rows of an export: its CSV records after the header (some notes hold a line break). */
async function countRows(path: string): Promise<number> {
  let records = 0;
  await scanCsv(createReadStream(path, { highWaterMark: 1 << 20 }), { delimiter: ',' }, (scanner) => {
    scanner.decodeOnly([]);
    return { record: () => records++, syntax: () => records++ };
  });
  return records - 1;
}

mkdirSync(outDir, { recursive: true });
const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}`;
const sections: string[] = [];
const sqlSections: string[] = [];
for (const orders of sizesToRun) {
  if (SQL_ONLY && orders > SQL_MAX_ORDERS) continue;
  const input = join(outDir, `shopify-${orders}.csv`);
  if (!existsSync(input)) {
    process.stderr.write(`Generating ${input} (${orders.toLocaleString('en-US')} orders)...\n`);
    await generateShopifyExport(input, orders, Math.max(1, Math.round(orders / 4)));
  }
  const bytes = statSync(input).size;
  const rows = await countRows(input);
  const computeArgs = (mode: string) => [input, '--as-of', AS_OF, '--mode', mode, '--windows', WINDOWS.join(','), '--sizes', SIZES.join(','), '-o', join(outDir, `profiles-${orders}-${mode}.csv`), '-q', '--max-file-bytes', String(Number.MAX_SAFE_INTEGER)];
  const results = new Map<string, Measurement>();
  for (const mode of ['flow', 'window']) {
    results.set(mode, summarize(Array.from({ length: RUNS }, () => measure('measured-run.js', computeArgs(mode)))));
  }
  if (orders <= SQL_MAX_ORDERS) {
    const compute = new Map(['flow', 'window'].map((mode) => [mode, { seconds: results.get(mode)!.seconds, csv: join(outDir, `profiles-${orders}-${mode}.csv`) }]));
    const table = await sqlBench({ root, outDir, input, orders, runs: RUNS, asOf: AS_OF, windows: WINDOWS, sizes: SIZES, compute });
    // The machine is shared: say how busy it was, since the figures move with it.
    const busy = `load average ${loadavg().map((l) => l.toFixed(1)).join(', ')} (1, 5, 15 min) after the runs`;
    sqlSections.push(`### ${orders.toLocaleString('en-US')} orders (${(bytes / 1e6).toFixed(0)} MB), ${new Date().toISOString().slice(0, 10)}\n\nMachine: ${machine}; ${busy}.\n\n${table}`);
  }
  if (SQL_ONLY) continue;
  // The same job on one thread, to show how it scales with the machine's cores.
  if (availableParallelism() > 1) {
    const oneThread = [...computeArgs('window'), '--threads', '1'];
    oneThread[oneThread.indexOf('-o') + 1] = join(outDir, `profiles-${orders}-window-1-thread.csv`);
    results.set('window --threads 1', summarize(Array.from({ length: RUNS }, () => measure('measured-run.js', oneThread))));
    const same = readFileSync(join(outDir, `profiles-${orders}-window-1-thread.csv`)).equals(readFileSync(join(outDir, `profiles-${orders}-window.csv`)));
    if (!same) throw new Error(`${orders} orders: the profiles of --threads 1 differ from those of ${availableParallelism()} threads`);
  }
  const duckdbOut = join(outDir, `duckdb-${orders}-window.csv`);
  results.set('duckdb', summarize(Array.from({ length: RUNS }, () => measure('duckdb-run.js', [input, AS_OF, duckdbOut]))));
  const agreement = compareWithDuckdb(join(outDir, `profiles-${orders}-window.csv`), duckdbOut);
  const duckdb = results.get('duckdb')!;
  for (const [name, r] of results) process.stderr.write(`${orders} ${name}: ${r.seconds.toFixed(2)} s, peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MiB\n`);
  process.stderr.write(`window-mode output vs DuckDB: ${agreement}\n`);
  sections.push(
    [
      `### ${orders.toLocaleString('en-US')} orders (${(bytes / 1e6).toFixed(0)} MB), ${new Date().toISOString().slice(0, 10)}`,
      '',
      `Machine: ${machine}. Median of ${RUNS} run(s), warm cache, windows ${WINDOWS.join(',')} and ${SIZES.length} sizes. Window-mode output vs DuckDB: **${agreement}**.`,
      '',
      `${rows.toLocaleString('en-US')} rows (one per line item).`,
      '',
      '| job | wall | MB/s | rows/s | peak RSS | DuckDB time / ours |',
      '|---|---|---|---|---|---|',
      ...[...results].map(
        ([name, r]) =>
          `| ${name === 'duckdb' ? `DuckDB, bench/duckdb-window.sql, ${availableParallelism()} threads (its default)` : `backfill compute --mode ${name}${name.includes('--threads') ? '' : ` (${availableParallelism()} threads, its default)`}`} | ${r.seconds.toFixed(2)} s | ${(bytes / 1e6 / r.seconds).toFixed(0)} | ${Math.round(rows / r.seconds).toLocaleString('en-US')} | ${(r.maxRssKb / 1024).toFixed(0)} MiB | ${name === 'duckdb' ? '1.00' : (duckdb.seconds / r.seconds).toFixed(2)} |`,
      ),
      '',
    ].join('\n'),
  );
}

// Keep the other sections of BENCHMARKS.md; replace only the compute section (and the SQL one).
const benchmarks = join(root, 'BENCHMARKS.md');
let text = existsSync(benchmarks) ? readFileSync(benchmarks, 'utf8') : '# Benchmarks\n\n';
function replaceSection(name: string, body: string): void {
  const [start, end] = [`<!-- ${name} start -->`, `<!-- ${name} end -->`];
  const section = `${start}\n${body}${end}`;
  const [from, to] = [text.indexOf(start), text.indexOf(end)];
  text = from >= 0 && to > from ? text.slice(0, from) + section + text.slice(to + end.length) : `${text.trimEnd()}\n\n${section}\n`;
}
if (!SQL_ONLY) {
  replaceSection('compute-bench', `## compute vs DuckDB\n\n\`npm run bench\`; see bench/compute-bench.ts. Wall times are whole runs: ours from the start of its process (loading its modules included), DuckDB's from before its library is loaded to the end of the query (bench/duckdb-run.ts).\n\n${sections.join('\n')}`);
}
if (sqlSections.length > 0) {
  replaceSection('sql-bench', `## backfill sql on DuckDB and PostgreSQL\n\n\`npm run bench\` (or \`npm run bench -- --sql-only\`; \`bash scripts/with-postgres.sh npm run bench\` adds a real PostgreSQL server); see bench/sql-bench.ts.\n\n${sqlSections.join('\n')}`);
}
writeFileSync(benchmarks, text);
process.stderr.write(`Wrote ${benchmarks}\n`);
