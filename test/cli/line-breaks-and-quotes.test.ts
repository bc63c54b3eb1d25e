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
