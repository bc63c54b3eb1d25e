/**
 * `npm run bench`: generates Shopify-layout exports (deterministic), times `backfill compute` on them
 * in both modes and the same job in DuckDB on the same file in the same run, checks that DuckDB and
 * the tool agree, and writes the figures with the machine's description into BENCHMARKS.md.
 *
 *   npm run bench                              1M and 5M orders (the reference sizes)
 *   npm run bench -- --orders 100000           another size (comma-separated for several)
 *   npm run bench -- --runs 1                  one run each instead of the median of 3
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { parseTimestamp } from '../src/core/timestamp.js';
import { scanCsv } from '../src/io/csv-records.js';
import { duckdbWindowProfiles, type ReferenceProfile } from './duckdb-reference.js';
import { generateShopifyExport } from '../test/support/shopify-generator.js';

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

/** Our window-mode CSV against DuckDB's rows: same emails, values and dates (to the second). */
function compareWithDuckdb(csvPath: string, reference: readonly ReferenceProfile[]): string {
  const ours = parse(readFileSync(csvPath), { columns: true }) as Record<string, string>[];
  const expected = reference.filter((p) => p.windows.some((w) => w !== undefined) || p.sizes.some((s) => s !== undefined));
  if (ours.length !== expected.length) return `profile counts differ: ${ours.length} vs DuckDB ${expected.length}`;
  const seconds = (text: string | undefined) => (text ? Math.floor((parseTimestamp(text, true) as { epochMs: number }).epochMs / 1000) : undefined);
  for (let i = 0; i < ours.length; i++) {
    const row = ours[i]!;
    const ref = expected[i]!;
    const names = WINDOWS.map((days) => (days === 30 ? 'highest_order' : `${days}_day_highest_order`));
    const windowMismatch = names.some((name, w) => {
      const value = row[`${name}_value`] === '' ? undefined : Number(row[`${name}_value`]);
      const date = seconds(row[`${name}_date`]);
      const expectedWindow = ref.windows[w];
      return expectedWindow === undefined ? value !== undefined : value !== expectedWindow[0] || date !== Math.floor(expectedWindow[1] / 1000);
    });
    const sizeMismatch = SIZES.some((size, s) => seconds(row[`${size}_order_date`]) !== (ref.sizes[s] === undefined ? undefined : Math.floor(ref.sizes[s]! / 1000)));
    if (row['Email'] !== ref.email || windowMismatch || sizeMismatch) return `first difference at ${row['Email']} / ${ref.email}: ${JSON.stringify(row)} vs ${JSON.stringify(ref)}`;
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
for (const orders of sizesToRun) {
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
  results.set('duckdb', summarize(Array.from({ length: RUNS }, () => measure('duckdb-run.js', [input, AS_OF, WINDOWS.join(','), SIZES.join(',')]))));
  const agreement = compareWithDuckdb(join(outDir, `profiles-${orders}-window.csv`), await duckdbWindowProfiles(input, Date.parse(AS_OF), WINDOWS, SIZES));
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
          `| ${name === 'duckdb' ? 'DuckDB 1 query, 2 threads' : `backfill compute --mode ${name}`} | ${r.seconds.toFixed(2)} s | ${(bytes / 1e6 / r.seconds).toFixed(0)} | ${Math.round(rows / r.seconds).toLocaleString('en-US')} | ${(r.maxRssKb / 1024).toFixed(0)} MiB | ${name === 'duckdb' ? '1.00' : (duckdb.seconds / r.seconds).toFixed(2)} |`,
      ),
      '',
    ].join('\n'),
  );
}

// Keep the other sections of BENCHMARKS.md; replace only the compute section.
const benchmarks = join(root, 'BENCHMARKS.md');
const START = '<!-- compute-bench start -->';
const END = '<!-- compute-bench end -->';
const section = `${START}\n## compute vs DuckDB\n\n\`npm run bench\`; see bench/compute-bench.ts.\n\n${sections.join('\n')}${END}`;
let text = existsSync(benchmarks) ? readFileSync(benchmarks, 'utf8') : '# Benchmarks\n\n';
const start = text.indexOf(START);
const end = text.indexOf(END);
text = start >= 0 && end > start ? text.slice(0, start) + section + text.slice(end + END.length) : `${text.trimEnd()}\n\n${section}\n`;
writeFileSync(benchmarks, text);
process.stderr.write(`Wrote ${benchmarks}\n`);
