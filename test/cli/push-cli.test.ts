/**
 * `backfill push` as users run it: the built launcher in a child process, pointed at the stand-in
 * through KLAVIYO_BASE_URL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { computeProfileTable } from '../../src/commands/compute.js';
import { resolveRunSettings } from '../../src/config/run-settings.js';
import { pushTotals, replayRunLog } from '../../src/domain/push-run-state.js';
import { readRunLog } from '../../src/io/run-log.js';
import { KlaviyoStandIn } from '../support/klaviyo-stand-in.js';
import { API_KEY, assertAccounted } from '../support/push-harness.js';
import { generateRows, writeProfiles } from '../support/profiles.js';
import { FIXTURES, runCli, spawnCli, tempDir } from '../support/cli.js';
import { fastPushEnv } from '../support/push-harness.js';
import { computationOf } from '../../src/domain/computation.js';

const ORDERS = join(FIXTURES, 'shopify-orders.csv');


async function withStandIn(run: (standIn: KlaviyoStandIn, env: Record<string, string>, dir: string) => Promise<void>): Promise<void> {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY }).start();
  try {
    await run(standIn, { KLAVIYO_BASE_URL: standIn.baseUrl, KLAVIYO_API_KEY: API_KEY }, await tempDir());
  } finally {
    await standIn.stop();
  }
}

test('push orders --yes: Klaviyo gets exactly the profiles compute writes, as numbers and date strings', () =>
  withStandIn(async (standIn, env, dir) => {
    const run = await runCli(['push', ORDERS, '--as-of', '2025-06-30', '--yes', '--run-log', join(dir, 'run.ndjson')], { env: fastPushEnv(env), cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning: this push sets date properties \(highest_order_date/);
    assert.match(run.stderr, /5 of 5 profiles sent; 5 imported; 0 rejected; 0 unknown/);
    const defaults = resolveRunSettings({}, undefined);
    const table = await computeProfileTable({
      files: [ORDERS], computation: computationOf({ definitions: defaults.definitions, asOf: Date.parse('2025-06-30T00:00:00Z') }), input: defaults.input,
      strict: false, rejectsPath: join(dir, 'unused.csv'),
    });
    assert.deepEqual(standIn.imported.map((p) => ({ email: p.email, properties: p.properties })), table.rows.map((r) => ({ email: r.email, properties: r.properties })));
    assert.equal(typeof standIn.imported[0]!.properties.highest_order_value, 'number');
    assert.deepEqual(standIn.violations, []);
  }));

test('without a terminal and without --yes nothing is sent (exit 2); --dry-run sends nothing and reports the plan', () =>
  withStandIn(async (standIn, env, dir) => {
    const refused = await runCli(['push', ORDERS, '--as-of', '2025-06-30'], { env: fastPushEnv(env), cwd: dir });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /stdin is not a terminal[\s\S]*--yes/);
    const dry = await runCli(['push', ORDERS, '--as-of', '2025-06-30', '--dry-run', '--json'], { env: fastPushEnv({ KLAVIYO_BASE_URL: standIn.baseUrl }), cwd: dir });
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout) as { profiles: number; batches: number; heldBack: number };
    assert.deepEqual([plan.profiles, plan.batches, plan.heldBack], [5, 1, 0]);
    assert.equal(standIn.requests.length, 0);
  }));

test('the API key is never printed or logged, even when Klaviyo echoes it back', () =>
  withStandIn(async (standIn, env, dir) => {
    const wrongKey = 'pk_wrong_key_that_must_stay_secret_42';
    await writeFile(join(dir, 'key.txt'), `${wrongKey}\n`);
    const runLog = join(dir, 'run.ndjson');
    const run = await runCli(['push', ORDERS, '--as-of', '2025-06-30', '--yes', '--api-key-file', join(dir, 'key.txt'), '--run-log', runLog], { env: fastPushEnv({ KLAVIYO_BASE_URL: standIn.baseUrl }), cwd: dir });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Klaviyo refused POST \/api\/profile-bulk-import-jobs: 401 .*\[redacted\]/);
    assert.match(run.stderr, /profiles:write/);
    for (const text of [run.stdout, run.stderr, await readFile(runLog, 'utf8')]) assert.ok(!text.includes(wrongKey), 'key leaked');
    assert.ok((await readFile(runLog, 'utf8')).includes('[redacted]'), 'the refusal is logged, redacted');
  }));

test('killed with SIGKILL while a create is in flight, --resume recovers that job and sends only the rest', () =>
  withStandIn(async (standIn, env, dir) => {
    const rows = generateRows(45);
    const profiles = await writeProfiles(dir, rows);
    const runLog = join(dir, 'run.ndjson');
    const { child, done } = spawnCli(['push', '--profiles', profiles, '--yes', '--batch-size', '10', '--run-log', runLog], { env: fastPushEnv(env), cwd: dir });
    standIn.onJobCreated = () => {
      // The second job exists on the server, and its answer is held back: the child dies not knowing it.
      if (standIn.jobs.length === 1) standIn.faults.push({ on: 'create', kind: 'slow', delayMs: 30_000 });
      if (standIn.jobs.length === 2) child.kill('SIGKILL');
    };
    const killed = await done;
    assert.equal(killed.signal, 'SIGKILL');
    const atKill = replayRunLog(await readRunLog(runLog));
    assert.equal(atKill.batches.get(2)?.status, 'sending', 'batch 2 was in flight when the process died');
    standIn.onJobCreated = undefined;

    const resumed = await runCli(['push', '--resume', runLog, '--json'], { env: fastPushEnv(env), cwd: dir });
    assert.equal(resumed.code, 0, resumed.stderr);
    const summary = JSON.parse(resumed.stdout) as { imported: number; sent: number };
    assert.deepEqual([summary.sent, summary.imported], [45, 45]);
    assert.equal(standIn.jobs.length, 5, 'five batches of at most 10, none created twice');
    const entries = await readRunLog(runLog);
    await assertAccounted(standIn, rows, { totals: pushTotals(replayRunLog(entries)), rejectsFile: undefined });
  }));

test('Ctrl-C finishes the request in flight, writes the log and exits 130; resume completes', () =>
  withStandIn(async (standIn, env, dir) => {
    const rows = generateRows(30);
    const profiles = await writeProfiles(dir, rows);
    const runLog = join(dir, 'run.ndjson');
    const { child, done } = spawnCli(['push', '--profiles', profiles, '--yes', '--batch-size', '10', '--run-log', runLog], { env: fastPushEnv(env), cwd: dir });
    standIn.onJobCreated = () => {
      if (standIn.jobs.length === 1) child.kill('SIGINT');
    };
    const interrupted = await done;
    assert.equal(interrupted.code, 130, interrupted.stderr);
    const entries = await readRunLog(runLog);
    assert.equal(entries.at(-1)?.type, 'stopped');
    const state = replayRunLog(entries);
    assert.equal(state.batches.get(1)?.status, 'submitted', 'the request in flight was finished and logged');
    standIn.onJobCreated = undefined;
    const resumed = await runCli(['push', '--resume', runLog], { env: fastPushEnv(env), cwd: dir });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(standIn.jobs.length, 3);
    assert.deepEqual(new Set(standIn.imported.map((p) => p.email)).size, 30);
    assert.equal(standIn.imported.length, 30);
  }));
