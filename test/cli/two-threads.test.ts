import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../support/cli.js';
import { writeLargeExport, type LargeExportOptions } from '../support/large-export.js';

interface Run {
  readonly summary: { fileFormats: { parts: number }[]; seconds?: number; rowsPerSecond?: number; [key: string]: unknown };
  readonly profiles: string;
  readonly rejects: string | undefined;
}

/** One compute run; `--split-min-bytes 200` makes the small test file count as large. */
async function compute(input: string | string[], threads: 1 | 2): Promise<Run> {
  const dir = tempDir();
  const out = join(dir, 'profiles.csv');
  const run = await runCli([...[input].flat(), '--as-of', '2025-07-01', '--windows', '30,90', '-o', out, '--json', '--threads', String(threads), '--split-min-bytes', '200'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const rejectsPath = join(dir, 'profiles.rejects.csv');
  return {
    summary: JSON.parse(run.stdout) as Run['summary'],
    profiles: readFileSync(out, 'utf8'),
    rejects: existsSync(rejectsPath) ? readFileSync(rejectsPath, 'utf8') : undefined,
  };
}

/** Reading in two parts must give what reading in turn gives: same profiles, rejects and counts. */
async function assertSameAsOneThread(options: LargeExportOptions, times = 1): Promise<{ parts: number; rejects: string | undefined; summary: Run['summary'] }> {
  const input = join(tempDir(), 'orders_export.csv');
  writeLargeExport(input, options);
  const inputs = Array.from({ length: times }, () => input);
  const one = await compute(inputs, 1);
  const two = await compute(inputs, 2);
  assert.equal(one.summary.fileFormats[0]!.parts, 1);
  assert.equal(two.profiles, one.profiles);
  assert.equal(two.rejects, one.rejects);
  const counts = (run: Run) => {
    // Timings differ, and so do the paths (each run has its own directory); rejects are compared above.
    const { seconds: _seconds, rowsPerSecond: _rate, fileFormats: _formats, outputs: _outputs, rejectsFile: _rejects, ...rest } = run.summary;
    return rest;
  };
  assert.deepEqual(counts(two), counts(one));
  return { parts: two.summary.fileFormats[0]!.parts, rejects: two.rejects, summary: two.summary };
}

test('an export read in two halves on two threads gives byte for byte the profiles of one thread', async () => {
  const { parts } = await assertSameAsOneThread({ orders: 3000 });
  assert.equal(parts, 2, 'the file was cut in two');
});

test('bad rows in both halves are rejected with the same file lines as when read in turn', async () => {
  const { parts, rejects } = await assertSameAsOneThread({ orders: 3000, badTotals: [10, 2900] });
  assert.equal(parts, 2);
  // Order #102900 is past the middle, so the second thread rejected it, on its true line.
  assert.match(rejects ?? '', /,BAD_VALUE,.*#102900,/);
});

test('a file saved by Excel (byte-order mark, CRLF) is cut and read alike', async () => {
  const { parts } = await assertSameAsOneThread({ orders: 3000, excel: true, badTotals: [2950] });
  assert.equal(parts, 2);
});

test('an order id seen in both halves makes the second half be read in turn (it is a duplicate there)', async () => {
  const { parts } = await assertSameAsOneThread({ orders: 3000, repeatFirstOrderAtEnd: true });
  assert.equal(parts, 1);
});

test('a cut guessed inside a quoted field is caught, and the file is read in turn', async () => {
  const { parts } = await assertSameAsOneThread({ orders: 3000, quotedLinesInMiddle: 4000 });
  assert.equal(parts, 1);
});

test('orders of a file read in two parts are still recognised when a later file repeats them', async () => {
  const { parts, summary } = await assertSameAsOneThread({ orders: 3000 }, 2);
  assert.equal(parts, 2);
  assert.equal(summary['ordersDuplicate'], 3000 - 97, 'every order with an email, read again, is a duplicate');
});
