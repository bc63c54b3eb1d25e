/**
 * What a compute run leaves beside its output is its own: parts of an earlier, larger run are removed,
 * a rejects file of an earlier run does not outlive a clean one, and a file that is not ours refuses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { csvRows, fixture, runCli, tempDir } from '../support/cli.js';

const EXPORT = fixture('shopify-orders.csv');
/** 250 bytes hold the header and one profile: one part per profile. */
const ONE_PER_PART = ['--max-file-bytes', '250', '-q'];

const csvFiles = async (dir: string) => (await readdir(dir)).filter((name) => name.endsWith('.csv')).sort();

async function emailsIn(dir: string): Promise<string[]> {
  const emails: string[] = [];
  for (const name of await csvFiles(dir)) if (name.startsWith('p')) emails.push(...csvRows(await readFile(join(dir, name), 'utf8')).map((r) => r['Email']!));
  return emails.sort();
}

test('compute: a smaller run removes the parts a larger one left, so no email appears twice in the folder', async () => {
  const dir = tempDir();
  const run = (asOf: string) => runCli([EXPORT, '--as-of', asOf, '-o', 'p.csv', ...ONE_PER_PART], { cwd: dir });
  assert.equal((await run('2025-06-30')).code, 0);
  assert.deepEqual(await csvFiles(dir), ['p-1.csv', 'p-2.csv', 'p-3.csv', 'p-4.csv', 'p-5.csv']);

  const smaller = await run('2025-05-10'); // 3 profiles by then
  assert.equal(smaller.code, 0, smaller.stderr);
  assert.deepEqual(await csvFiles(dir), ['p-1.csv', 'p-2.csv', 'p-3.csv']);
  assert.deepEqual(await emailsIn(dir), ['ann@example.com', 'bob@example.com', 'cara@example.com']);

  const unsplit = await run('2025-04-10'); // 2 profiles: one file
  assert.equal(unsplit.code, 0, unsplit.stderr);
  assert.deepEqual(await csvFiles(dir), ['p.csv']);

  const split = await run('2025-06-30');
  assert.equal(split.code, 0, split.stderr);
  assert.deepEqual(await csvFiles(dir), ['p-1.csv', 'p-2.csv', 'p-3.csv', 'p-4.csv', 'p-5.csv'], 'the unsplit p.csv is gone');
  assert.deepEqual(await emailsIn(dir), ['ann@example.com', 'bob@example.com', 'cara@example.com', 'dan@example.com', 'eve@example.com']);
});

test('compute: a file named like a part that is not one (another header) is never removed: exit 2, nothing written', async () => {
  const dir = tempDir();
  await copyFile(EXPORT, join(dir, 'p-4.csv'));
  const before = await readFile(join(dir, 'p-4.csv'), 'utf8');
  const run = await runCli([EXPORT, '--as-of', '2025-05-10', '-o', 'p.csv', ...ONE_PER_PART], { cwd: dir });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /p-4\.csv is in the way/);
  assert.match(run.stderr, /Move .*p-4\.csv away/);
  assert.equal(await readFile(join(dir, 'p-4.csv'), 'utf8'), before);
  assert.deepEqual(await readdir(dir), ['p-4.csv'], 'no part, no temporary file, no lock');
});

test('compute: the rejects file beside an output is that run\'s: a clean run removes an earlier one', async () => {
  const dir = tempDir();
  const text = await readFile(EXPORT, 'utf8');
  await writeFile(join(dir, 'bad.csv'), text.replace('#1013,eve@example.com,paid,2025-06-21 09:15:00 -0400,fulfilled,2025-06-21 09:15:00 -0400,no,USD,50.00,0.00,0.00,50.00', '#1013,eve@example.com,paid,2025-06-21 09:15:00 -0400,fulfilled,2025-06-21 09:15:00 -0400,no,USD,50.00,0.00,0.00,fifty'));
  const bad = await runCli(['bad.csv', '--as-of', '2025-06-30', '-o', 'out.csv'], { cwd: dir });
  assert.equal(bad.code, 0, bad.stderr);
  assert.match(bad.stderr, /1 row rejected \(see out\.rejects\.csv\)/);
  assert.equal(csvRows(await readFile(join(dir, 'out.rejects.csv'), 'utf8')).length, 1);

  const clean = await runCli([EXPORT, '--as-of', '2025-06-30', '-o', 'out.csv'], { cwd: dir });
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stderr, /0 rows rejected/);
  assert.deepEqual(await csvFiles(dir), ['bad.csv', 'out.csv'], 'no rejects of the earlier run beside the new output');

  // A file of that name that this tool did not write is left alone: the run stops before reading (exit 2).
  await writeFile(join(dir, 'out.rejects.csv'), 'my notes\n');
  const stopped = await runCli([EXPORT, '--as-of', '2025-06-30', '-o', 'out.csv'], { cwd: dir });
  assert.equal(stopped.code, 2, stopped.stderr);
  assert.match(stopped.stderr, /out\.rejects\.csv is in the way/);
  assert.equal(await readFile(join(dir, 'out.rejects.csv'), 'utf8'), 'my notes\n');
});

test('compute: a second run to an output another run is writing exits 2 naming it, and writes nothing', async () => {
  const dir = tempDir();
  await writeFile(join(dir, 'out.csv.lock'), `${JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '2026-12-01T03:15:00.000Z' })}\n`);
  const run = await runCli([EXPORT, '--as-of', '2025-06-30', '-o', 'out.csv'], { cwd: dir });
  assert.equal(run.code, 2, run.stderr);
  assert.ok(run.stderr.includes(`the output is in use by another run (pid ${process.pid} on ${hostname()}`), run.stderr);
  assert.deepEqual(await readdir(dir), ['out.csv.lock']);
});
