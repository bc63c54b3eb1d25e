/**
 * Getting files in: several at once, globs, stdin, gzip by its bytes, overlapping exports, and the
 * failures that must stop a run before any output is written.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open, readFile, truncate } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { formatCount } from '../../src/wording.js';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { csvRows, FIXTURES, profileOf, runCli, runCliSync, spawnCli, tempDir } from '../support/cli.js';
import { SHOPIFY_ORDERS } from '../support/orders.js';
import { SHOPIFY_FLOW_CSV } from '../support/shopify-fixture-profiles.js';

const SHOPIFY = join(FIXTURES, 'shopify-orders.csv');
const AS_OF = ['--as-of', '2025-06-30'];

/** Worked out by hand from the fixture, not taken from the binary's own output. */
const expectedShopifyProfiles = (): string => SHOPIFY_FLOW_CSV;

test('gzip is recognised by its magic bytes, whatever the name, from a file and from stdin', () => {
  const dir = tempDir();
  const zipped = gzipSync(readFileSync(SHOPIFY));
  writeFileSync(join(dir, 'orders.csv'), zipped); // no .gz in the name
  const expected = expectedShopifyProfiles();
  assert.equal(runCliSync(['orders.csv', ...AS_OF, '-o', '-', '-q'], { cwd: dir }).stdout, expected);
  assert.equal(runCliSync(['-', ...AS_OF, '-o', '-', '-q'], { stdin: zipped }).stdout, expected);
});

test('an export split in two files, or given by a quoted glob, gives the same profiles as one file', () => {
  const dir = tempDir();
  const lines = readFileSync(SHOPIFY, 'utf8').split('\n');
  const header = lines[0]!;
  // Rows 1-8 hold whole orders (#1014 to #1008; #1009 spans two lines through a quoted newline).
  writeFileSync(join(dir, 'orders_export_1.csv'), [header, ...lines.slice(1, 9)].join('\n') + '\n');
  writeFileSync(join(dir, 'orders_export_2.csv'), [header, ...lines.slice(9)].join('\n'));
  const expected = expectedShopifyProfiles();
  assert.equal(runCliSync(['orders_export_1.csv', 'orders_export_2.csv', ...AS_OF, '-o', '-', '-q'], { cwd: dir }).stdout, expected);
  assert.equal(runCliSync(['orders_export_*.csv', ...AS_OF, '-o', '-', '-q'], { cwd: dir }).stdout, expected);
});

test('the same export given twice counts every order once and says so', () => {
  const dir = tempDir();
  copyFileSync(SHOPIFY, join(dir, 'orders_export (4).csv'));
  const run = runCliSync([SHOPIFY, 'orders_export (4).csv', ...AS_OF, '-o', 'profiles.csv', '--json'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { ordersRead: number; ordersDuplicate: number; ordersWithoutEmail: number; rowsRejected: number };
  // 14 orders in the first file; of the second, 13 are duplicates. #1011 has no email: it is counted
  // as skipped in each file, since only orders tied to a profile are de-duplicated.
  assert.equal(summary.ordersDuplicate, 13);
  assert.equal(summary.ordersRead, 15);
  assert.equal(summary.ordersWithoutEmail, 2);
  assert.equal(summary.rowsRejected, 0);
  assert.equal(readFileSync(join(dir, 'profiles.csv'), 'utf8'), expectedShopifyProfiles());
});

test('an order id reused with a different total goes to the rejects file and the summary', () => {
  const dir = tempDir();
  const changed = readFileSync(SHOPIFY, 'utf8').replace('#1013,eve@example.com,paid,2025-06-21 09:15:00 -0400,fulfilled,2025-06-21 09:15:00 -0400,no,USD,50.00,0.00,0.00,50.00', '#1013,eve@example.com,paid,2025-06-21 09:15:00 -0400,fulfilled,2025-06-21 09:15:00 -0400,no,USD,50.00,0.00,0.00,9999.00');
  writeFileSync(join(dir, 'later.csv'), changed);
  const run = runCliSync([SHOPIFY, 'later.csv', ...AS_OF, '-o', 'profiles.csv'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /1 order rejected for reusing an order id with a different email or total/);
  const rejects = csvRows(readFileSync(join(dir, 'profiles.rejects.csv'), 'utf8'));
  assert.deepEqual(rejects.map((r) => [r['file'], r['line'], r['code']]), [['later.csv', '3', 'DUPLICATE_ORDER_CONFLICT']]);
  // The first reading of #1013 (50.00) is kept, so Eve's highest stays the 2000 order.
  assert.equal(profileOf(csvRows(readFileSync(join(dir, 'profiles.csv'), 'utf8')), 'eve@example.com')['highest_order_value'], '2000');
});

test('a CSV with no email or phone column stops at once, lists its columns and the mapping keys, and writes nothing', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'orders.csv'), 'InvoiceNo,InvoiceDate,CustomerID,Total\n536365,2010-12-01 08:26:00,17850,15.30\n');
  const run = runCliSync(['orders.csv', ...AS_OF, '-o', 'profiles.csv'], { cwd: dir });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /no email or phone column/);
  assert.match(run.stderr, /Columns found: "InvoiceNo", "InvoiceDate", "CustomerID", "Total"/);
  assert.match(run.stderr, /"columns": \{ "email"/);
  assert.deepEqual(readdirSync(dir), ['orders.csv']);
});

test('a mapping that names no email or phone column present stops with the same kind of message', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'orders.csv'), 'id,when,amount\n1,2025-06-01T00:00:00Z,5\n');
  writeFileSync(join(dir, 'backfill.config.json'), JSON.stringify({ columns: { email: 'mail', placedAt: 'when', value: 'amount' } }));
  const run = runCliSync(['orders.csv', ...AS_OF, '-o', 'profiles.csv'], { cwd: dir });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /no column for an email or phone column \("mail"\)/);
  assert.match(run.stderr, /"columns\.email", "columns\.phone"/);
  assert.equal(existsSync(join(dir, 'profiles.csv')), false);
});

test('dates whose day/month order cannot be told stop the run and name the setting; the setting settles it', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'orders.csv'), 'order_id,email,date,total\n1,a@example.com,05/06/2025 10:00,10\n2,a@example.com,07/06/2025 10:00,20\n');
  writeFileSync(join(dir, 'backfill.config.json'), JSON.stringify({ columns: { orderId: 'order_id', email: 'email', placedAt: 'date', value: 'total' }, timezone: 'UTC' }));
  const stopped = runCliSync(['orders.csv', ...AS_OF, '-o', 'profiles.csv'], { cwd: dir });
  assert.equal(stopped.code, 2);
  assert.match(stopped.stderr, /"05\/06\/2025 10:00" \(line 2\) could be day\/month or month\/day/);
  assert.match(stopped.stderr, /--date-format DD\/MM\/YYYY/);
  assert.deepEqual(readdirSync(dir).sort(), ['backfill.config.json', 'orders.csv']);
  // Month first: 6 May (10) and 6 July (20), two months apart, so the flow stores 20 on 6 July.
  const monthFirst = runCliSync(['orders.csv', '--as-of', '2025-12-31', '-o', '-', '-q', '--date-format', 'MM/DD/YYYY'], { cwd: dir });
  assert.equal(csvRows(monthFirst.stdout)[0]!['highest_order_date'], '2025-07-06 10:00:00');
  // Day first: 5 June (10) and 7 June (20), within 30 days, 20 > 10: stored on 7 June.
  const dayFirst = runCliSync(['orders.csv', '--as-of', '2025-12-31', '-o', '-', '-q', '--date-format', 'DD/MM/YYYY'], { cwd: dir });
  assert.equal(csvRows(dayFirst.stdout)[0]!['highest_order_date'], '2025-06-07 10:00:00');
});

test('times without an offset and no time zone stop the run with the flag that fixes it', () => {
  const run = runCliSync([join(FIXTURES, 'woocommerce-orders.csv'), ...AS_OF, '-o', '-']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /"order_date" holds times without a UTC offset \("03-06-2025 14:00:00"\)/);
  assert.match(run.stderr, /--timezone/);
});

test('flags beat environment variables, which beat the config file', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'backfill.config.json'), JSON.stringify({ windows: [7] }));
  const header = (run: { stdout: string }) => run.stdout.split('\n')[0];
  assert.match(header(runCliSync([SHOPIFY, ...AS_OF, '-o', '-', '-q'], { cwd: dir }))!, /^Email,7_day_highest_order_value,/);
  const fromEnv = runCliSync([SHOPIFY, ...AS_OF, '-o', '-', '-q'], { cwd: dir, env: { BACKFILL_WINDOWS: '60' } });
  assert.match(header(fromEnv)!, /^Email,60_day_highest_order_value,/);
  const fromFlag = runCliSync([SHOPIFY, ...AS_OF, '-o', '-', '-q', '--windows', '90'], { cwd: dir, env: { BACKFILL_WINDOWS: '60' } });
  assert.match(header(fromFlag)!, /^Email,90_day_highest_order_value,/);
});

test('a pattern matching thousands of files: the summary names how many and the first few, on one short line', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'exports'));
  const [header, first] = (await readFile(SHOPIFY_ORDERS, 'utf8')).split('\n');
  for (let i = 0; i < 1000; i++) writeFileSync(join(dir, 'exports', `orders_${String(i).padStart(4, '0')}.csv`), `${header}\n${first!.replace('#1014', `#${i}`)}\n`);
  const run = await runCli(['exports/orders_*.csv', '--as-of', '2025-08-01', '-o', 'out.csv'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const summary = run.stderr.trim();
  assert.match(summary, /1,000 orders \(1,000 rows\) read from 1,000 files: exports\/orders_0000\.csv \(shopify\), exports\/orders_0001\.csv \(shopify\), exports\/orders_0002\.csv \(shopify\) and 997 more; /);
  assert.ok(summary.length < 400, `${summary.length} characters`);
});

test('an export that changes while the run reads (cut short, still being written, replaced) stops it: exit 2, nothing written', async () => {
  const dir = tempDir();
  const text = await readFile(SHOPIFY_ORDERS, 'utf8');
  writeFileSync(join(dir, 'a.csv'), text);
  const fifo = join(dir, 'b.fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  // Files are read in turn: once the run opens the FIFO (the second file), a.csv has been read whole.
  const run = spawnCli(['a.csv', 'b.fifo', '--as-of', '2025-06-30', '-o', 'out.csv'], { cwd: dir });
  run.child.stdin!.end();
  const writer = await open(fifo, 'w');
  await truncate(join(dir, 'a.csv'), Math.floor(text.length / 2));
  await writer.writeFile(text.split('\n')[0]! + '\n');
  await writer.close();
  const done = await run.done;
  assert.equal(done.code, 2, done.stderr);
  assert.match(done.stderr, new RegExp(`a\\.csv changed while it was read \\(it shrank from ${formatCount(Buffer.byteLength(text))} to ${formatCount(Math.floor(text.length / 2))} bytes\\): nothing was written`));
  assert.ok(!existsSync(join(dir, 'out.csv')) && !existsSync(join(dir, 'out.rejects.csv')));
});
