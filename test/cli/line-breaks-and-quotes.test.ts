/**
 * The real binary on exports whose line breaks or quotes are out of the ordinary: lone-\r line
 * endings (old Mac exports, some spreadsheet tools) and a row whose quote never closes before a
 * multi-line note.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { csvRows, fixture, runCli, tempDir } from '../support/cli.js';

const AS_OF = ['--as-of', '2025-06-30T00:00:00Z'];

test('an export with lone \\r line endings gives the profiles its \\n original gives, with --strict too', async () => {
  const dir = tempDir();
  const original = await readFile(fixture('shopify-orders.csv'), 'utf8');
  assert.ok(!original.includes('\r'));
  const crOnly = join(dir, 'mac.csv');
  await writeFile(crOnly, original.replaceAll('\n', '\r'));
  const expected = await runCli([fixture('shopify-orders.csv'), ...AS_OF, '-o', '-', '-q']);
  assert.equal(expected.code, 0, expected.stderr);
  assert.equal(csvRows(expected.stdout).length, 5);
  for (const strict of [[], ['--strict']]) {
    const run = await runCli([crOnly, ...AS_OF, ...strict, '-o', '-', '-q']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, expected.stdout);
  }
});

test('a first row with an unclosed quote before its multi-line note is rejected whole and the rest is read', async () => {
  const dir = tempDir();
  const lines = (await readFile(fixture('shopify-orders.csv'), 'utf8')).split('\n');
  // Lines 7-8 are #1009, whose Notes cell is a quoted field over two lines; `"Pat Example` never closes.
  const broken = [lines[6]!.replace(',Pat Example,', ',"Pat Example,'), lines[7]!];
  assert.notEqual(broken[0], lines[6]);
  const file = join(dir, 'orders.csv');
  await writeFile(file, [lines[0]!, ...broken, ...lines.slice(1, 6), ...lines.slice(8)].join('\n'));
  const run = await runCli([file, ...AS_OF, '-o', join(dir, 'profiles.csv')]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /13 orders \(15 rows\) read/);
  const rejects = csvRows(await readFile(join(dir, 'profiles.rejects.csv'), 'utf8'));
  assert.deepEqual(
    rejects.map((r) => [r['line'], r['code'], r['raw']]),
    [['2', 'CSV_QUOTE_NOT_CLOSED', `${broken[0]}\n${broken[1]}`]],
  );
  // Without #1009 (1000 on Jun 10, a medium item), ann's largest order is #1005's 999 and she has no medium date.
  const ann = csvRows(await readFile(join(dir, 'profiles.csv'), 'utf8')).find((r) => r['Email'] === 'ann@example.com')!;
  assert.deepEqual([ann['highest_order_value'], ann['highest_order_date'], ann['medium_order_date']], ['999', '2025-05-20 13:00:00', '']);
});

/**
 * The size limit of a record, set small (a hidden test setting; it is 8 MB): a Notes cell of 5,000
 * line breaks, a one-line Items cell of `""`s, a line of 10,000 commas. Each is one reject with one
 * reason, and the orders after it are read.
 */
test('a record over the size limit is one reject with one reason, its inside never read as rows; the rest is read', async () => {
  const dir = tempDir();
  const lines = (await readFile(fixture('shopify-orders.csv'), 'utf8')).trimEnd().split('\n');
  const notes = lines[0]!.split(',').indexOf('Notes');
  const longNote = lines[1]!.split(',').map((cell, i) => (i === 0 ? '#9001' : i === notes ? `"${'x\n'.repeat(5000)}"` : cell)).join(',');
  const commas = ','.repeat(10_000);
  await writeFile(join(dir, 'orders.csv'), [lines[0], ...lines.slice(1, 4), longNote, ...lines.slice(4, 8), commas, ...lines.slice(8)].join('\n') + '\n');
  const expected = await runCli([fixture('shopify-orders.csv'), ...AS_OF, '-o', '-', '-q']);
  const run = await runCli(['orders.csv', ...AS_OF, '--max-record-bytes', '4096', '-o', 'out.csv'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await readFile(join(dir, 'out.csv'), 'utf8'), expected.stdout, 'every other order was read');
  const rejects = csvRows(await readFile(join(dir, 'out.rejects.csv'), 'utf8'));
  assert.deepEqual(
    rejects.map((r) => [r['line'], r['code'], r['reason']]),
    [
      ['5', 'CSV_RECORD_TOO_LARGE', `the record is longer than the limit of a record, 4,096 bytes (${(Buffer.byteLength(longNote) + 1).toLocaleString('en-US')} bytes, lines 5 to 5,005): rejected whole without reading its rows (the rejects file shows its first 1024 bytes), and reading went on after it`],
      ['5010', 'CSV_RECORD_TOO_LARGE', 'the record is longer than the limit of a record, 4,096 bytes (10,001 bytes, lines 5,010 to 5,010): rejected whole without reading its rows (the rejects file shows its first 1024 bytes), and reading went on after it'],
    ],
  );
  assert.equal(rejects[0]!['raw'], Buffer.from(`${longNote}\n`).subarray(0, 1024).toString().replace(/\n$/, ''), 'its first 1024 bytes');

  const items = (await readFile(fixture('klaviyo-placed-order.csv'), 'utf8')).trimEnd().split('\n');
  const oneLine = `4999,2025-06-01T10:00:00Z,fay@example.com,60,"[${'{""Size"": ""small""}, '.repeat(500)}{}]",1,`;
  await writeFile(join(dir, 'events.csv'), [items[0], oneLine, ...items.slice(1)].join('\n') + '\n');
  const events = await runCli(['events.csv', ...AS_OF, '--max-record-bytes', '4096', '-o', 'events-out.csv'], { cwd: dir });
  assert.equal(events.code, 0, events.stderr);
  const eventRejects = csvRows(await readFile(join(dir, 'events-out.rejects.csv'), 'utf8')).filter((r) => r['code'] !== 'DUPLICATE_ORDER_CONFLICT');
  assert.deepEqual(eventRejects.map((r) => [r['line'], r['code']]), [['2', 'CSV_RECORD_TOO_LARGE']]);
});

test('a quote that runs on past the size limit to the end of the file stops the run, naming it: the rows after it cannot be told apart', async () => {
  const dir = tempDir();
  const lines = (await readFile(fixture('shopify-orders.csv'), 'utf8')).trimEnd().split('\n');
  const filler = Array.from({ length: 200 }, (_, i) => `#8${i},ann@example.com,paid,,,,,,,,,10.00`);
  await writeFile(join(dir, 'orders.csv'), [lines[0], lines[1]!.replace(',Canvas Print', ',"Canvas Print'), ...filler].join('\n') + '\n');
  const run = await runCli(['orders.csv', ...AS_OF, '--max-record-bytes', '4096', '-o', 'out.csv'], { cwd: dir });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /orders\.csv: a quoted field opened at line 2, column 166, runs on to the end of the file and never closes: the rows after it were read into one record longer than the limit of a record, 4,096 bytes, and which of them are orders cannot be told\n  Nothing was written\. Fix that quote/);
  assert.doesNotMatch(run.stderr, /\n\s+at |Error:/);
});
