/**
 * `npm run bench`: generates Shopify-layout exports (deterministic) and times `backfill compute` on
 * them in both modes, then writes the figures with the machine's description into BENCHMARKS.md.
 *
 *   npm run bench                      1M orders (the reference size)
 *   npm run bench -- --orders 100000   a quicker run
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateShopifyExport } from './shopify-generator.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(root, 'bench', 'out');
const argOrders = process.argv.indexOf('--orders');
const orders = argOrders > 0 ? Number(process.argv[argOrders + 1]) : 1_000_000;
const customers = Math.max(1, Math.round(orders / 4));
const RUNS = 3;

interface Measurement {
  readonly seconds: number;
  readonly maxRssKb: number;
}

function measure(args: string[]): Measurement {
  const child = spawnSync(process.execPath, [join(root, 'dist', 'bench', 'measured-run.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = child.stderr.split('\n').find((l) => l.startsWith('BENCH '));
  if (child.status !== 0 || line === undefined) throw new Error(`backfill failed: ${child.stderr}`);
  const result = JSON.parse(line.slice(6)) as { seconds: number; maxRssKb: number };
  return { seconds: result.seconds, maxRssKb: result.maxRssKb };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

mkdirSync(outDir, { recursive: true });
const input = join(outDir, `shopify-${orders}.csv`);
if (!existsSync(input)) {
  process.stderr.write(`Generating ${input} (${orders.toLocaleString('en-US')} orders)...\n`);
  await generateShopifyExport(input, orders, customers);
}
const bytes = statSync(input).size;
const rows = Number(execFileSync('wc', ['-l', input], { encoding: 'utf8' }).trim().split(' ')[0]) - 1;

const results: { mode: string; seconds: number; maxRssKb: number }[] = [];
for (const mode of ['flow', 'window']) {
  const runs = Array.from({ length: RUNS }, () =>
    measure([input, '--as-of', '2026-01-01T00:00:00Z', '--mode', mode, '--windows', '30,60,90', '-o', join(outDir, `profiles-${mode}.csv`), '-q']),
  );
  const seconds = median(runs.map((r) => r.seconds));
  const maxRssKb = Math.max(...runs.map((r) => r.maxRssKb));
  results.push({ mode, seconds, maxRssKb });
  process.stderr.write(`${mode}: ${seconds.toFixed(2)} s, peak RSS ${(maxRssKb / 1024).toFixed(0)} MiB\n`);
}

const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}`;
const table = [
  `### compute, ${orders.toLocaleString('en-US')} orders (${rows.toLocaleString('en-US')} lines, ${(bytes / 1e6).toFixed(0)} MB), ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Machine: ${machine}. Median of ${RUNS} runs, warm cache, windows 30,60,90 and 4 sizes.`,
  '',
  '| mode | wall | MB/s | lines/s | peak RSS |',
  '|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.mode} | ${r.seconds.toFixed(2)} s | ${(bytes / 1e6 / r.seconds).toFixed(1)} | ${Math.round(rows / r.seconds).toLocaleString('en-US')} | ${(r.maxRssKb / 1024).toFixed(0)} MiB |`,
  ),
  '',
].join('\n');

// Keep other sections of BENCHMARKS.md; replace only this size's compute section.
const benchmarks = join(root, 'BENCHMARKS.md');
const marker = (edge: string) => `<!-- compute-bench ${orders} ${edge} -->`;
const section = `${marker('start')}\n${table}${marker('end')}\n`;
let text = existsSync(benchmarks) ? readFileSync(benchmarks, 'utf8') : '# Benchmarks\n\nFigures from `npm run bench`; see bench/ for how they are made.\n\n';
const start = text.indexOf(marker('start'));
const end = text.indexOf(marker('end'));
text = start >= 0 && end > start ? text.slice(0, start) + section + text.slice(end + marker('end').length + 1) : `${text}${section}`;
writeFileSync(benchmarks, text);
process.stderr.write(`Wrote ${benchmarks}\n`);
