/**
 * `backfill orders.csv -o - | head`: the reader goes away after the first line. The run exits 0, as
 * tools that honour `| head` do, and its summary (and --json) says the output was cut off after the
 * profiles the pipe took, not that every profile was written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { generateShopifyExport } from '../support/shopify-generator.js';
import { CLI, tempDir } from '../support/cli.js';

const CUSTOMERS = 4000;

/**
 * Runs compute to stdout piped into `head -1`, as a shell runs it; returns compute's exit code and
 * stderr. head exits after its first read, so the pipe takes at most that read and its buffer.
 */
function headOne(args: readonly string[], cwd: string): { code: number | null; stderr: string } {
  const run = spawnSync('bash', ['-c', '"$@" | head -1 > /dev/null; exit "${PIPESTATUS[0]}"', 'bash', process.execPath, CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: run.status, stderr: run.stderr };
}

test('-o - | head -1: exit 0, and the summary says the output was cut off after the profiles written', async () => {
  const dir = tempDir();
  const orders = join(dir, 'orders.csv');
  // Some 330 KB of profiles, of which head lets through at most its read and the pipe's buffer (some
  // 80 KB, about 900 profiles): fewer than half are written, however busy the machine.
  await generateShopifyExport(orders, 8000, CUSTOMERS);

  const run = headOne([orders, '--as-of', '2026-01-01', '-o', '-'], dir);
  assert.equal(run.code, 0, run.stderr);
  const cut = /the output was cut off after ([\d,]+) profiles?: the reader of stdout stopped reading, so the rest was not written/.exec(run.stderr);
  assert.ok(cut, run.stderr);
  assert.ok(Number(cut[1]!.replace(/,/g, '')) < CUSTOMERS / 2, run.stderr);
  assert.doesNotMatch(run.stderr, /profiles written to stdout|left out|warning/);

  const json = headOne([orders, '--as-of', '2026-01-01', '-o', '-', '--json'], dir);
  assert.equal(json.code, 0, json.stderr);
  const summary = JSON.parse(json.stderr) as { outputCutOff: boolean; profiles: number; profilesWithoutProperties: number };
  assert.equal(summary.outputCutOff, true);
  assert.ok(summary.profiles < CUSTOMERS / 2, json.stderr);
  assert.equal(summary.profilesWithoutProperties, 0);
});
