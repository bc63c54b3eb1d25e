/**
 * The nightly recompute, `backfill push --incremental`, as cron runs it: the built launcher in a child
 * process against the stand-in, with the state file on disk between runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readStateFile } from '../../src/io/state-file.js';
import { exportWith, SHOPIFY_ORDERS } from '../support/orders.js';
import { runCli, spawnCli } from '../support/cli.js';
import { fastPushEnv } from '../support/push-harness.js';
import { nights, statePath } from '../support/nights.js';

const NIGHTLY = ['--incremental', '--yes', '--as-of', '2025-06-30'];

test('first night sends everything and records it; the second night over the same export sends nothing', () =>
  nights(async ({ standIn, dir, push }) => {
    const first = await push([SHOPIFY_ORDERS, ...NIGHTLY]);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(first.sent.flat().sort(), ['ann@example.com', 'bob@example.com', 'cara@example.com', 'dan@example.com', 'eve@example.com']);
    assert.equal(first.stderr.trimEnd().split('\n').length, 1, `one summary line, got: ${first.stderr}`);
    assert.match(first.stderr, /no state file yet, sending every profile/);
    assert.equal(first.stdout, '');
    const state = await readStateFile(statePath(dir));
    assert.deepEqual(Object.fromEntries(state!.profiles), Object.fromEntries(standIn.imported.map((p) => [p.email, p.properties])));

    const second = await push([SHOPIFY_ORDERS, ...NIGHTLY]);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(second.sent, [], 'no job created');
    assert.match(second.stderr, /0 added, 0 changed, 5 unchanged; 0 of 0 profiles sent/);
    assert.equal(second.stderr.trimEnd().split('\n').length, 1);
    assert.deepEqual(await readdir(join(dir, 'logs')), ['night-1.ndjson'], 'a quiet night leaves no run log');
    assert.deepEqual(standIn.violations, []);
  }));

test('one more order sends exactly the profile it changes, with its new values; a new customer is added', () =>
  nights(async ({ standIn, dir, push }) => {
    assert.equal((await push([SHOPIFY_ORDERS, ...NIGHTLY])).code, 0);
    const withOrder = await exportWith(dir, 'orders-2.csv', [{ name: '#1015', email: 'bob@example.com', total: '700.00', createdAt: '2025-06-25 10:00:00 -0400' }]);
    const next = await push([withOrder, ...NIGHTLY, '--json']);
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(next.sent, [['bob@example.com']]);
    const bob = standIn.jobs.at(-1)!.profiles[0]!;
    assert.equal(bob.properties.highest_order_value, 700);
    assert.equal(bob.properties.highest_order_date, '2025-06-25 14:00:00');
    const summary = JSON.parse(next.stdout) as { imported: number; incremental: { reason: string; added: number; changed: number; unchanged: number; recorded: number } };
    assert.deepEqual([summary.imported, summary.incremental.reason, summary.incremental.changed, summary.incremental.unchanged, summary.incremental.recorded], [1, 'changes', 1, 4, 1]);
    assert.equal((await readStateFile(statePath(dir)))!.profiles.get('bob@example.com')!.highest_order_value, 700);

    const newCustomer = await exportWith(dir, 'orders-3.csv', [
      { name: '#1015', email: 'bob@example.com', total: '700.00', createdAt: '2025-06-25 10:00:00 -0400' },
      { name: '#1016', email: 'fay@example.com', total: '42.00', createdAt: '2025-06-26 10:00:00 -0400' },
    ]);
    const third = await push([newCustomer, ...NIGHTLY]);
    assert.equal(third.code, 0, third.stderr);
    assert.deepEqual(third.sent, [['fay@example.com']]);
  }));

test('a definitions change resends everything once; --full resends everything', () =>
  nights(async ({ push }) => {
    assert.equal((await push([SHOPIFY_ORDERS, ...NIGHTLY])).code, 0);
    const wider = await push([SHOPIFY_ORDERS, ...NIGHTLY, '--windows', '30,90']);
    assert.equal(wider.code, 0, wider.stderr);
    assert.equal(wider.sent.flat().length, 5);
    assert.match(wider.stderr, /definitions changed, sending every profile/);
    assert.deepEqual((await push([SHOPIFY_ORDERS, ...NIGHTLY, '--windows', '30,90'])).sent, [], 'then nothing');
    const renamed = await push([SHOPIFY_ORDERS, ...NIGHTLY, '--windows', '30,90', '--sizes', 'small,medium,large']);
    assert.equal(renamed.sent.flat().length, 5, 'dropping a size is a definitions change too');
    const full = await push([SHOPIFY_ORDERS, ...NIGHTLY, '--windows', '30,90', '--sizes', 'small,medium,large', '--full']);
    assert.equal(full.sent.flat().length, 5);
    assert.match(full.stderr, /--full, sending every profile/);
  }));

test('window mode: an emptied window is left as it is in Klaviyo and in the state, and reported', () =>
  nights(async ({ standIn, dir, push }) => {
    const june = await push([SHOPIFY_ORDERS, '--incremental', '--yes', '--mode', 'window', '--as-of', '2025-06-30']);
    assert.equal(june.code, 0, june.stderr);
    const eveBefore = standIn.profiles.get('eve@example.com')!;
    // By October every 30-day window is empty. Only ann changes: her July order (after June's --as-of)
    // sets xlarge_order_date; her emptied window is not sent, so Klaviyo keeps June's value.
    const october = await push([SHOPIFY_ORDERS, '--incremental', '--yes', '--mode', 'window', '--as-of', '2025-10-30']);
    assert.equal(october.code, 0, october.stderr);
    assert.deepEqual(october.sent, [['ann@example.com']]);
    assert.deepEqual(Object.keys(standIn.jobs.at(-1)!.profiles[0]!.properties).sort(), ['large_order_date', 'medium_order_date', 'small_order_date', 'xlarge_order_date']);
    // ann, cara, dan and eve had a June window (bob did not): value and date each, 8 properties.
    assert.match(october.stderr, /; 8 emptied properties left as they are in Klaviyo/);
    assert.deepEqual(standIn.profiles.get('eve@example.com'), eveBefore);
    assert.equal(standIn.profiles.get('ann@example.com')!.highest_order_value, 1000);
    const state = await readStateFile(statePath(dir));
    assert.equal(state!.profiles.get('ann@example.com')!.highest_order_value, 1000);
    assert.equal(state!.profiles.get('ann@example.com')!.xlarge_order_date, '2025-07-05 15:00:00');
    assert.deepEqual((await push([SHOPIFY_ORDERS, '--incremental', '--yes', '--mode', 'window', '--as-of', '2025-10-31'])).sent, [], 'emptied windows are not resent night after night');
  }));

test('a profile with an import error is not recorded (exit 3) and is sent again the next night', () =>
  nights(async ({ standIn, dir, push }) => {
    standIn.importFailures.set('cara@example.com', 'Invalid phone number.');
    const first = await push([SHOPIFY_ORDERS, ...NIGHTLY]);
    assert.equal(first.code, 3, first.stderr);
    const state = await readStateFile(statePath(dir));
    assert.deepEqual([...state!.profiles.keys()], ['ann@example.com', 'bob@example.com', 'dan@example.com', 'eve@example.com']);
    standIn.importFailures.clear();
    const second = await push([SHOPIFY_ORDERS, ...NIGHTLY]);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(second.sent, [['cara@example.com']]);
  }));

test('killed mid-push, --resume sends the rest and records every profile; the next night sends nothing', () =>
  nights(async ({ standIn, dir, env, push }) => {
    const runLog = join(dir, 'night.ndjson');
    const { child, done } = spawnCli(['push', SHOPIFY_ORDERS, ...NIGHTLY, '--batch-size', '2', '--run-log', runLog], { env: fastPushEnv(env), cwd: dir });
    standIn.onJobCreated = () => {
      if (standIn.jobs.length === 1) child.kill('SIGKILL');
    };
    assert.equal((await done).signal, 'SIGKILL');
    standIn.onJobCreated = undefined;
    assert.equal(await readStateFile(statePath(dir)), undefined, 'nothing recorded before the jobs were collected');
    const resumed = await push(['--resume', runLog]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(standIn.jobs.length, 3, 'three batches of at most 2, none sent twice');
    const state = await readStateFile(statePath(dir));
    assert.equal(state!.profiles.size, 5);
    assert.notEqual(state!.definitionsHash, null);
    assert.deepEqual((await push([SHOPIFY_ORDERS, ...NIGHTLY])).sent, []);
  }));

test('usage: --incremental needs order files and a key; --full needs --incremental (exit 2, nothing sent)', () =>
  nights(async ({ standIn, dir, env }) => {
    const cases: [string[], Record<string, string>][] = [
      [['push', '--profiles', 'p.csv', '--incremental', '--yes'], env],
      [['push', SHOPIFY_ORDERS, '--full', '--yes'], env],
      [['push', SHOPIFY_ORDERS, ...NIGHTLY], { KLAVIYO_BASE_URL: standIn.baseUrl }],
    ];
    for (const [args, environment] of cases) {
      const run = await runCli(args, { env: fastPushEnv(environment), cwd: dir });
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    }
    assert.equal(standIn.requests.length, 0);
  }));

test('diff --against state shows what the next night would send, and changes neither the state nor Klaviyo', () =>
  nights(async ({ standIn, dir, env, push }) => {
    assert.equal((await push([SHOPIFY_ORDERS, ...NIGHTLY])).code, 0);
    const stateText = await readFile(statePath(dir), 'utf8');
    const requests = standIn.requests.length;
    const withOrder = await exportWith(dir, 'orders-2.csv', [{ name: '#1015', email: 'bob@example.com', total: '700.00', createdAt: '2025-06-25 10:00:00 -0400' }]);
    const diff = await runCli(['diff', withOrder, '--as-of', '2025-06-30', '--against', 'state', '--json', '--exit-code'], { env: fastPushEnv(env), cwd: dir });
    assert.equal(diff.code, 1, diff.stderr);
    const json = JSON.parse(diff.stdout) as { changed: { email: string }[]; definitionsChanged: boolean };
    assert.deepEqual([json.changed.map((c) => c.email), json.definitionsChanged], [['bob@example.com'], false]);
    const same = await runCli(['diff', SHOPIFY_ORDERS, '--as-of', '2025-06-30', '--against', 'state', '--exit-code'], { env: fastPushEnv(env), cwd: dir });
    assert.equal(same.code, 0, same.stderr);
    const wider = await runCli(['diff', SHOPIFY_ORDERS, '--as-of', '2025-06-30', '--against', 'state', '--windows', '30,90'], { env: fastPushEnv(env), cwd: dir });
    assert.match(wider.stdout, /definitions differ from the state's: backfill push --incremental would send all 5 profiles/);
    assert.equal(await readFile(statePath(dir), 'utf8'), stateText);
    assert.equal(standIn.requests.length, requests);
  }));
