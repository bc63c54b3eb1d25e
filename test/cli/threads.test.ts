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

/**
 * One compute run; `--split-min-bytes 200` makes the small test file count as large, and
 * `--shard-min-profiles 1` has its profiles computed on as many threads as it was read on.
 */
async function compute(input: string | string[], threads: number, extra: readonly string[] = []): Promise<Run> {
  const dir = tempDir();
  const out = join(dir, 'profiles.csv');
  const run = await runCli([...[input].flat(), '--as-of', '2025-07-01', '--windows', '30,90', '-o', out, '--json', '--threads', String(threads), '--split-min-bytes', '200', '--shard-min-profiles', '1', ...extra], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const rejectsPath = join(dir, 'profiles.rejects.csv');
  return {
    summary: JSON.parse(run.stdout) as Run['summary'],
    profiles: readFileSync(out, 'utf8'),
    rejects: existsSync(rejectsPath) ? readFileSync(rejectsPath, 'utf8') : undefined,
  };
}

const THREADS = [2, 3, 4] as const;

/**
 * Reading in parts on 2, 3 and 4 threads must give what reading in turn gives: the same profiles,
 * rejects and counts, byte for byte. Returns the parts each thread count read the file in.
 */
async function assertSameAsOneThread(options: LargeExportOptions, times = 1, extra: readonly string[] = []): Promise<{ parts: number[]; rejects: string | undefined; summary: Run['summary'] }> {
  const input = join(tempDir(), 'orders_export.csv');
  writeLargeExport(input, options);
  const inputs = Array.from({ length: times }, () => input);
  const one = await compute(inputs, 1);
  assert.equal(one.summary.fileFormats[0]!.parts, 1);
  const counts = (run: Run) => {
    // Timings differ, and so do the paths (each run has its own directory); rejects are compared above.
    const { seconds: _seconds, rowsPerSecond: _rate, fileFormats: _formats, outputs: _outputs, rejectsFile: _rejects, ...rest } = run.summary;
    return rest;
  };
  const parts: number[] = [];
  let last = one;
  for (const threads of THREADS) {
    const run = await compute(inputs, threads, extra);
    assert.equal(run.profiles, one.profiles, `--threads ${threads}`);
    assert.equal(run.rejects, one.rejects, `--threads ${threads}`);
    assert.deepEqual(counts(run), counts(one), `--threads ${threads}`);
    parts.push(run.summary.fileFormats[0]!.parts);
    last = run;
  }
  return { parts, rejects: last.rejects, summary: last.summary };
}

test('an export read in 2, 3 and 4 parts on as many threads gives byte for byte the profiles of one thread', async () => {
  const { parts } = await assertSameAsOneThread({ orders: 3000 });
  assert.deepEqual(parts, [2, 3, 4], 'the file was cut in as many parts as threads');
});

test('bad rows in every part are rejected with the same file lines as when read in turn', async () => {
  const { parts, rejects } = await assertSameAsOneThread({ orders: 3000, badTotals: [10, 1100, 1600, 2300, 2900] });
  assert.deepEqual(parts, [2, 3, 4]);
  // Order #102900 is in the last part, so a worker rejected it, on its true line.
  assert.match(rejects ?? '', /,BAD_VALUE,.*#102900,/);
});

test('a file saved by Excel (byte-order mark, CRLF) is cut and read alike', async () => {
  const { parts } = await assertSameAsOneThread({ orders: 3000, excel: true, badTotals: [2950] });
  assert.deepEqual(parts, [2, 3, 4]);
});

test('an order id seen in the first and the last part makes the last part be read in turn (it is a duplicate there)', async () => {
  const { parts } = await assertSameAsOneThread({ orders: 3000, repeatFirstOrderAtEnd: true });
  // The parts before the last are taken; from the last cut on, the file is read in turn.
  assert.deepEqual(parts, [1, 2, 3]);
});

test('a cut guessed inside a quoted field is caught, and the file is read in turn from the last good cut', async () => {
  const { parts } = await assertSameAsOneThread({ orders: 3000, quotedLinesInMiddle: 400, quotedLinesAt: 0.46 });
  // The quoted field spans about 42% to 50% of the file: the one cut of two parts (at 45%, the first
  // part being 90% of an even share) lands in it, the two cuts of three parts (at 30% and 65%) do not,
  // and of the three of four parts (22.5%, 48%, 74%) the second does, so the part before it cannot
  // end at it and everything from the first cut on is read in turn.
  assert.deepEqual(parts, [1, 3, 1]);
});

test('orders of a file read in parts are still recognised when a later file repeats them', async () => {
  const { parts, summary } = await assertSameAsOneThread({ orders: 3000 }, 2);
  assert.deepEqual(parts, [2, 3, 4]);
  assert.equal(summary['ordersDuplicate'], 3000 - 97, 'every order with an email, read again, is a duplicate');
});

test('rows of orders in the first parts moved to the end of the file: read in turn from the last cut, the sizes of every row counted', async () => {
  const moved = [3, 1200, 1800, 2403];
  const { parts, rejects } = await assertSameAsOneThread({ orders: 3000, secondRowsAtEnd: moved });
  assert.deepEqual(parts, [1, 2, 3]);
  assert.equal(rejects, undefined, 'no row was rejected');
  const input = join(tempDir(), 'in-order.csv');
  writeLargeExport(input, { orders: 3000 });
  const apart = join(tempDir(), 'apart.csv');
  writeLargeExport(apart, { orders: 3000, secondRowsAtEnd: moved });
  assert.equal((await compute(apart, 3)).profiles, (await compute(input, 1)).profiles);
});

/**
 * `--take-over-min-bytes 1`: the main thread, done with its part, ends each slower thread's part
 * halfway through what it has left and reads the rest itself, again and again, down to parts of a
 * few records. (A worker still loading its code has claimed nothing yet, so parts are taken over
 * in nearly every run; whether or not, the result must not change.)
 */
const TAKE_OVER = ['--take-over-min-bytes', '1'];

test('parts taken over from slower threads give byte for byte the profiles, rejects and counts of one thread', async () => {
  const { parts } = await assertSameAsOneThread({ orders: 3000, badTotals: [10, 1100, 1600, 2300, 2900] }, 1, TAKE_OVER);
  parts.forEach((count, i) => assert.ok(count >= THREADS[i]!, `${count} parts on ${THREADS[i]} threads`));
});

test('with parts taken over, an order id seen in the first and the last part still has the file read in turn from a cut', async () => {
  await assertSameAsOneThread({ orders: 3000, repeatFirstOrderAtEnd: true }, 1, TAKE_OVER);
});

test('with parts taken over, a cut inside a quoted field is still caught', async () => {
  await assertSameAsOneThread({ orders: 3000, quotedLinesInMiddle: 400, quotedLinesAt: 0.46, excel: true }, 2, TAKE_OVER);
});
