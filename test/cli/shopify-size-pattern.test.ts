/**
 * `sizePattern` reads the size from a Shopify item name in place of the variant suffix, as it does for
 * every other format (README, backfill.config.json): a store whose variants are not `Tee - Black / S`
 * names its sizes another way, and the pattern is how it says so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { csvRows, runCli, tempDir } from '../support/cli.js';

const HEADER = 'Name,Email,Financial Status,Total,Created at,Lineitem name';
const ROWS = [
  '#1,ann@example.com,paid,20.00,2025-06-01 10:00:00 +0000,Tee (size: XL)',
  '#2,ann@example.com,paid,30.00,2025-06-02 10:00:00 +0000,Tee - Black / S',
  '#3,bob@example.com,paid,40.00,2025-06-03 10:00:00 +0000,Cap (size: small)',
];

test('a Shopify export with sizePattern: sizes from the pattern, not from the variant suffix', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'orders.csv'), `${HEADER}\n${ROWS.join('\n')}\n`);
  await writeFile(join(dir, 'backfill.config.json'), JSON.stringify({ format: 'shopify', sizePattern: 'size: (\\w+)' }));
  const run = await runCli(['orders.csv', '--as-of', '2025-07-01', '-o', '-'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const rows = csvRows(run.stdout);
  const ann = rows.find((row) => row['Email'] === 'ann@example.com')!;
  assert.equal(ann['xlarge_order_date'], '2025-06-01 10:00:00');
  // `Tee - Black / S` names no size through the pattern.
  assert.equal(ann['small_order_date'], '');
  assert.equal(rows.find((row) => row['Email'] === 'bob@example.com')!['small_order_date'], '2025-06-03 10:00:00');
});
