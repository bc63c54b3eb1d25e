/**
 * The README's promise: the result never depends on row order. An order's item rows need not be
 * consecutive (a file sorted in a spreadsheet, an export split between files in the middle of an
 * order): rows apart from the order's first row (the one with its Total) add their sizes to it.
 * A row whose order never shows its Total anywhere in the run is rejected, saying so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { SHOPIFY_ORDERS } from '../support/orders.js';
import { csvRows, runCli, tempDir } from '../support/cli.js';

const AS_OF = ['--as-of', '2025-06-30'];

/** A seeded shuffle (mulberry32), so a failure can be run again. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

test('the rows of an export in any order give the same profiles, with no reject', async () => {
  const dir = tempDir();
  const expected = await runCli([SHOPIFY_ORDERS, ...AS_OF, '-o', '-', '-q']);
  assert.equal(expected.code, 0, expected.stderr);
  // The fixture has two orders of two item rows (#1005 with a medium item on its second row).
  assert.match(expected.stdout, /ann@example\.com,1000,2025-06-10 16:00:00,2025-05-20 13:00:00,2025-06-10 16:00:00/);
  const [header, ...records] = parse(await readFile(SHOPIFY_ORDERS, 'utf8')) as string[][];
  for (const seed of [1, 2, 3]) {
    const file = join(dir, `shuffled-${seed}.csv`);
    await writeFile(file, stringify([header!, ...shuffled(records, seed)]));
    const run = await runCli([file, ...AS_OF, '-o', '-'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, expected.stdout, `seed ${seed}`);
    assert.match(run.stderr, /0 rows rejected/, `seed ${seed}`);
  }
});

test('an export split in the middle of an order gives what the whole export gives; a row whose order has no Total anywhere is rejected', async () => {
  const dir = tempDir();
  const [header, ...records] = parse(await readFile(SHOPIFY_ORDERS, 'utf8')) as string[][];
  // Cut between #1005's two rows: its second row (a medium item) starts the second file.
  const cut = records.findIndex((row, i) => row[0] === '#1005' && records[i - 1]?.[0] === '#1005');
  await writeFile(join(dir, 'part-1.csv'), stringify([header!, ...records.slice(0, cut)]));
  await writeFile(join(dir, 'part-2.csv'), stringify([header!, ...records.slice(cut)]));
  const whole = await runCli([SHOPIFY_ORDERS, ...AS_OF, '-o', '-', '-q']);
  const split = await runCli(['part-1.csv', 'part-2.csv', ...AS_OF, '-o', '-'], { cwd: dir });
  assert.equal(split.code, 0, split.stderr);
  assert.equal(split.stdout, whole.stdout);

  // The same second row, with its order's first row gone from the run.
  await writeFile(join(dir, 'orphan.csv'), stringify([header!, ...records.filter((row, i) => !(row[0] === '#1005' && i < cut))]));
  const orphan = await runCli(['orphan.csv', ...AS_OF, '-o', 'out.csv'], { cwd: dir });
  assert.equal(orphan.code, 0, orphan.stderr);
  const rejects = csvRows(await readFile(join(dir, 'out.rejects.csv'), 'utf8'));
  assert.deepEqual(
    rejects.map((r) => [r['code'], r['column'], r['reason']]),
    [['BAD_VALUE', 'Total', "no Total on the order's first row: no row of order #1005 with its Total was read (an order's rows need not be consecutive, but one of them must carry its Total)"]],
  );
});

test('one row per item with the order columns repeated (WooCommerce): the rows of an order apart from each other all give their sizes', async () => {
  const dir = tempDir();
  const rows = [
    'order_id,date,billing_email,order_total,item_name,item_meta',
    '100,2025-06-01 10:00:00,ann@example.com,80.00,Tee - Large,',
    '101,2025-06-02 10:00:00,bob@example.com,20.00,Mug,',
    '100,2025-06-01 10:00:00,ann@example.com,80.00,Hoodie,Size=Small',
  ];
  await writeFile(join(dir, 'items.csv'), `${rows.join('\n')}\n`);
  const run = await runCli(['items.csv', ...AS_OF, '--timezone', 'UTC', '-o', '-'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const ann = csvRows(run.stdout).find((r) => r['Email'] === 'ann@example.com')!;
  assert.deepEqual([ann['highest_order_value'], ann['small_order_date'], ann['large_order_date']], ['80', '2025-06-01 10:00:00', '2025-06-01 10:00:00']);
  assert.match(run.stderr, /2 orders \(3 rows\) read/);
});
