/**
 * Memory at the scale of the largest merchants: a lean Shopify-layout export (six columns) of
 * `profiles` distinct customers with `ordersEach` orders each, through `backfill compute`, reporting
 * peak RSS per profile and per order. A JS Map stops at 2^24 keys, so 20M profiles also show that
 * nothing has that ceiling any more.
 *
 *   npm run build && node dist/bench/scale-bench.js [profiles] [ordersEach]   (default 20,000,000 and 1)
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(root, 'bench', 'out');
const profiles = Number(process.argv[2] ?? 20_000_000);
const ordersEach = Number(process.argv[3] ?? 1);

/** Newest first; every order on a different minute, each customer's orders a day apart. */
async function writeLeanExport(path: string): Promise<void> {
  const out = createWriteStream(path);
  const start = Date.UTC(2025, 0, 1);
  let buffer = 'Name,Email,Financial Status,Total,Created at,Lineitem name\n';
  let name = profiles * ordersEach;
  for (let round = ordersEach - 1; round >= 0; round--) {
    for (let customer = profiles - 1; customer >= 0; customer--) {
      const at = new Date(start + round * 86_400_000 + (customer % 1440) * 60_000).toISOString();
      buffer += `#${name--},c${customer}@example.com,paid,${(10 + (customer % 500)).toFixed(2)},${at.slice(0, 10)} ${at.slice(11, 19)} +0000,Tee - ${customer % 2 === 0 ? 'S' : 'XL'}\n`;
      if (buffer.length > 1 << 20) {
        if (!out.write(buffer)) await once(out, 'drain');
        buffer = '';
      }
    }
  }
  out.end(buffer);
  await once(out, 'close');
}

mkdirSync(outDir, { recursive: true });
const input = join(outDir, `lean-${profiles}x${ordersEach}.csv`);
if (!existsSync(input)) {
  process.stderr.write(`Generating ${input}...\n`);
  await writeLeanExport(input);
}
const args = [input, '--as-of', '2026-01-01T00:00:00Z', '-o', join(outDir, `lean-${profiles}x${ordersEach}-profiles.csv`), '-q', '--max-file-bytes', String(Number.MAX_SAFE_INTEGER)];
const child = spawnSync(process.execPath, [join(root, 'dist', 'bench', 'measured-run.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
const line = child.stderr.split('\n').find((l) => l.startsWith('BENCH '));
if (child.status !== 0 || line === undefined) throw new Error(`compute failed: ${child.stderr}`);
const { seconds, maxRssKb } = JSON.parse(line.slice(6)) as { seconds: number; maxRssKb: number };
const orders = profiles * ordersEach;
console.log(
  JSON.stringify({
    profiles,
    orders,
    fileBytes: statSync(input).size,
    seconds: Number(seconds.toFixed(1)),
    peakRssMiB: Math.round(maxRssKb / 1024),
    peakRssBytesPerProfile: Math.round((maxRssKb * 1024) / profiles),
    peakRssBytesPerOrder: Math.round((maxRssKb * 1024) / orders),
  }),
);
