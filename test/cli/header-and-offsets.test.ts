/**
 * Two ways a file used to give wrong values without a word: a column the format reads appearing twice
 * in the header (the first one was used), and UTC offsets no place has (`+2500` moved an order a day).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { csvRows, fixture, runCli, tempDir } from '../support/cli.js';

const AS_OF = ['--as-of', '2025-06-30'];

test('compute: a Shopify header with "Total" twice (a renamed Subtotal) exits 2 naming both positions; nothing written', async () => {
  const dir = tempDir();
  const text = await readFile(fixture('shopify-orders.csv'), 'utf8');
  await writeFile(join(dir, 'orders.csv'), text.replace(',Subtotal,', ',Total,'));
  const run = await runCli(['orders.csv', ...AS_OF, '-o', 'out.csv'], { cwd: dir });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /orders\.csv: the header has the column "Total" 2 times, at columns 9 and 12, and this run reads it/);
  assert.match(run.stderr, /Rename or remove the extra column/);
  assert.deepEqual(await readdir(dir), ['orders.csv']);
});

test('compute: a WooCommerce header with "order_total" twice exits 2 naming both positions', async () => {
  const dir = tempDir();
  const text = await readFile(fixture('woocommerce-orders.csv'), 'utf8');
  await writeFile(join(dir, 'orders.csv'), text.replace(',discount_total,', ',order_total,'));
  const run = await runCli(['orders.csv', ...AS_OF, '--timezone', 'America/New_York', '--date-format', 'DD/MM/YYYY', '-o', 'out.csv'], { cwd: dir });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /the header has the column "order_total" 2 times, at columns 12 and 13/);
  assert.deepEqual(await readdir(dir), ['orders.csv']);
});

test('compute: a Shopify header with an unread column twice still works (only columns the run reads matter)', async () => {
  const dir = tempDir();
  const text = await readFile(fixture('shopify-orders.csv'), 'utf8');
  await writeFile(join(dir, 'orders.csv'), text.replace(',Shipping,', ',Taxes,'));
  const run = await runCli(['orders.csv', ...AS_OF, '-o', '-', '-q'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(csvRows(run.stdout).length, 5);
});

test('compute: orders dated with an impossible UTC offset (+2500, -9959, +0160) are bad rows with the reason', async () => {
  const dir = tempDir();
  let text = await readFile(fixture('shopify-orders.csv'), 'utf8');
  // The `Created at` (after the shipping method) of eve's two orders and bob's first.
  const offsetOf = (order: string, offset: string) => {
    text = text.replace(new RegExp(`^(${order},.*?,Standard,\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d) -0400,`, 'm'), `$1 ${offset},`);
  };
  offsetOf('#1013', '+2500');
  offsetOf('#1012', '-9959');
  offsetOf('#1002', '+0160');
  await writeFile(join(dir, 'orders.csv'), text);
  const run = await runCli(['orders.csv', ...AS_OF, '-o', 'out.csv'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const rejects = csvRows(await readFile(join(dir, 'out.rejects.csv'), 'utf8')).filter((r) => r['code'] === 'BAD_DATE');
  assert.deepEqual(
    rejects.map((r) => r['reason']!.replace(/: ".*"$/, '')).sort(),
    ['+0160', '+2500', '-9959'].map((offset) => `Created at: UTC offset ${offset} is impossible (offsets run from -14:00 to +14:00, minutes below 60)`),
  );
  const strict = await runCli(['orders.csv', ...AS_OF, '-o', 'strict.csv', '--strict'], { cwd: dir });
  assert.equal(strict.code, 2, strict.stderr);
  assert.match(strict.stderr, /UTC offset \+2500 is impossible/);
});
