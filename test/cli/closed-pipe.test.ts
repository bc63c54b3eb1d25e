/**
 * `backfill orders.csv -o - | head`: the reader goes away after the first line. The run exits 0, as
 * tools that honour `| head` do, and its summary (and --json) says the output was cut off after the
 * profiles the pipe took, not that every profile was written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { generateShopifyExport } from '../support/shopify-generator.js';
import { spawnCli, tempDir } from '../support/cli.js';

const CUSTOMERS = 4000;

/** Runs compute to stdout and closes the read end of the pipe at the first bytes, as `head -1` does. */
async function headOne(args: readonly string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  const { child, done } = spawnCli(args, { cwd });
  child.stdin!.end();
  child.stdout!.removeAllListeners('data');
  child.stdout!.once('data', () => child.stdout!.destroy());
  const run = await done;
  return { code: run.code, stderr: run.stderr };
}

test('-o - into a reader that stops after one line: exit 0, and the summary says the output was cut off after the profiles written', async () => {
  const dir = tempDir();
  const orders = join(dir, 'orders.csv');
  // Some 330 KB of profiles. A reader that reads once and goes away lets at most that read and a pipe's
  // buffer through (2 x 64 KB, some 1,450 profiles): fewer than half are written.
  await generateShopifyExport(orders, 8000, CUSTOMERS);

  const run = await headOne([orders, '--as-of', '2026-01-01', '-o', '-'], dir);
  assert.equal(run.code, 0, run.stderr);
  const cut = /the output was cut off after ([\d,]+) profiles?: the reader of stdout stopped reading, so the rest was not written/.exec(run.stderr);
  assert.ok(cut, run.stderr);
  assert.ok(Number(cut[1]!.replace(/,/g, '')) < CUSTOMERS / 2, run.stderr);
  assert.doesNotMatch(run.stderr, /profiles written to stdout|left out|warning/);

  const json = await headOne([orders, '--as-of', '2026-01-01', '-o', '-', '--json'], dir);
  assert.equal(json.code, 0, json.stderr);
  const summary = JSON.parse(json.stderr) as { outputCutOff: boolean; profiles: number; profilesWithoutProperties: number };
  assert.equal(summary.outputCutOff, true);
  assert.ok(summary.profiles < CUSTOMERS / 2, json.stderr);
  assert.equal(summary.profilesWithoutProperties, 0);
});
