/**
 * Rejected rows go to their file as they are found: memory follows the profiles, never the rejects.
 * Proved under a small heap: 200,000 rejected rows (every Total `"1 359,00"`, a decimal comma in a
 * comma-delimited file) ran such a heap out when they were queued in memory behind the reading.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, tempDir } from '../support/cli.js';

const ROWS = 200_000;

test('200,000 rejected rows are written out under a 16 MB heap, every one of them', async () => {
  const dir = tempDir();
  const lines = ['Name,Email,Created at,Total,Lineitem name'];
  for (let i = 1; i <= ROWS; i++) lines.push(`#${i},c${i % 5000}@example.com,2025-01-01 10:00:00 -0400,"1 359,00",Tee - S`);
  await writeFile(join(dir, 'orders.csv'), `${lines.join('\n')}\n`);
  const run = await runCli(['orders.csv', '--as-of', '2026-01-01', '-o', 'out.csv', '--threads', '1'], { cwd: dir, env: { NODE_OPTIONS: '--max-old-space-size=16' } });
  assert.equal(run.code, 0, run.stderr.slice(0, 2000));
  assert.match(run.stderr, /no order could be read: 200,000 rows rejected \(see out\.rejects\.csv\)/);
  let rows = -1; // the header
  for await (const chunk of createReadStream(join(dir, 'out.rejects.csv'))) for (const byte of chunk as Buffer) if (byte === 0x0a) rows++;
  assert.equal(rows, ROWS);
});
