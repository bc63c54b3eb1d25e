/**
 * `backfill diff` as CI and people run it: the built launcher in a child process, against a profiles
 * CSV, the state file and the Klaviyo stand-in; exit codes as `git diff --exit-code`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KlaviyoStandIn } from '../support/klaviyo-stand-in.js';
import { SHOPIFY_ORDERS } from '../support/orders.js';
import { API_KEY } from '../support/push-harness.js';
import { tempDir } from '../support/cli.js';
import { FIXTURES, runCli } from '../support/cli.js';
import { fastPushEnv } from '../support/push-harness.js';

const AS_OF = ['--as-of', '2025-06-30'];

interface DiffJson {
  counts: { added: number; changed: number; unchanged: number; onlyInBaseline: number; emptied: number; rowsRejected: number };
  added: { email: string; properties: Record<string, unknown> }[];
  changed: { email: string; changes: { property: string; from: unknown; to: unknown }[] }[];
  onlyInBaseline: string[];
}

/** The profiles `compute` writes for the fixture, as the baseline a CI job would keep. */
async function baselineCsv(dir: string): Promise<string> {
  const out = join(dir, 'base.csv');
  const run = await runCli([SHOPIFY_ORDERS, ...AS_OF, '-o', out, '--quiet'], { env: fastPushEnv({}), cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  return out;
}

test('against a profiles CSV: added, changed (old -> new), unchanged by value, baseline-only; exit codes 1 and 0', async () => {
  const dir = await tempDir();
  const lines = (await readFile(await baselineCsv(dir), 'utf8')).trimEnd().split('\n');
  // ann: value edited; bob: removed (so added); cara: 129.49 written as 129.490 (same value); gone@: only in the baseline.
  const edited = [
    lines[0],
    lines.find((l) => l.startsWith('ann@'))!.replace(',1000,', ',999,'),
    lines.find((l) => l.startsWith('cara@'))!.replace(',129.49,', ',129.490,'),
    ...lines.filter((l) => /^(dan|eve)@/.test(l)),
    'gone@example.com,5,2025-01-01 00:00:00,,,,',
  ];
  await writeFile(join(dir, 'edited.csv'), `${edited.join('\n')}\n`);
  const before = await readdir(dir);
  const run = await runCli(['diff', SHOPIFY_ORDERS, ...AS_OF, '--against', 'edited.csv', '--json', '--exit-code'], { env: fastPushEnv({}), cwd: dir });
  assert.equal(run.code, 1, run.stderr);
  const diff = JSON.parse(run.stdout) as DiffJson;
  assert.deepEqual(diff.added.map((a) => a.email), ['bob@example.com']);
  assert.deepEqual(diff.changed, [{ email: 'ann@example.com', changes: [{ property: 'highest_order_value', from: 999, to: 1000 }] }]);
  assert.equal(diff.counts.unchanged, 3, 'cara, dan and eve: 129.490 equals 129.49');
  assert.deepEqual(diff.onlyInBaseline, ['gone@example.com']);
  const plain = await runCli(['diff', SHOPIFY_ORDERS, ...AS_OF, '--against', 'edited.csv'], { env: fastPushEnv({}), cwd: dir });
  assert.equal(plain.code, 0, 'without --exit-code, changes are not an error');
  assert.match(plain.stdout, /1 added, 1 changed, 3 unchanged/);
  assert.match(plain.stdout, /~ ann@example\.com: highest_order_value 999 -> 1000/);
  assert.deepEqual(await readdir(dir), before, 'diff wrote nothing');
});

test('no changes: exit 0 with --exit-code; Markdown says so', async () => {
  const dir = await tempDir();
  await baselineCsv(dir);
  const run = await runCli(['diff', SHOPIFY_ORDERS, ...AS_OF, '--against', 'base.csv', '--exit-code', '--markdown'], { env: fastPushEnv({}), cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /\| 0 \| 0 \| 5 \| 0 \| 0 \|/);
  assert.match(run.stdout, /No changes/);
});

test('a definitions change shows as changes in Markdown (the CI pull-request check), exit 1', async () => {
  const dir = await tempDir();
  await baselineCsv(dir);
  const run = await runCli(['diff', SHOPIFY_ORDERS, ...AS_OF, '--against', 'base.csv', '--windows', '30,90', '--exit-code', '--markdown'], { env: fastPushEnv({}), cwd: dir });
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stdout, /\| 0 \| 5 \| 0 \| 0 \| 0 \|/);
  assert.equal(run.stdout.split('\n').filter((l) => l.includes('| 90_day_highest_order_value |')).length, 5);
});

test('errors are exit 2 with --exit-code, never 1: missing baseline, missing state, bad flags, unreadable export', async () => {
  const dir = await tempDir();
  for (const args of [
    ['--against', 'missing.csv'],
    ['--against', 'state'],
    ['--against', 'base.csv', '--json', '--markdown'],
    ['--limit', 'many', '--against', 'base.csv'],
  ]) {
    const run = await runCli(['diff', SHOPIFY_ORDERS, ...AS_OF, '--exit-code', ...args], { env: fastPushEnv({}), cwd: dir });
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stdout, '');
  }
  const noAgainst = await runCli(['diff', SHOPIFY_ORDERS, '--exit-code'], { env: fastPushEnv({}), cwd: dir });
  assert.equal(noAgainst.code, 2);
  const notAnExport = await runCli(['diff', join(FIXTURES, 'klaviyo', 'README.md'), '--against', 'state', '--exit-code'], { env: fastPushEnv({}), cwd: dir });
  assert.equal(notAnExport.code, 2, notAnExport.stderr);
});

test('rows that cannot be read are counted, not written out, unless --rejects is given', async () => {
  const dir = await tempDir();
  await baselineCsv(dir);
  const bad = join(FIXTURES, 'shopify-bad-rows.csv');
  const run = await runCli(['diff', bad, ...AS_OF, '--against', 'base.csv', '--json'], { env: fastPushEnv({}), cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const diff = JSON.parse(run.stdout) as DiffJson;
  assert.ok(diff.counts.rowsRejected > 0);
  assert.deepEqual((await readdir(dir)).sort(), ['base.csv']);
  await runCli(['diff', bad, ...AS_OF, '--against', 'base.csv', '--rejects', 'bad.csv'], { env: fastPushEnv({}), cwd: dir });
  assert.ok((await readdir(dir)).includes('bad.csv'));
});

test('against klaviyo: the differences the stand-in holds, compared by value; read-only; the key never printed', async () => {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY }).start();
  try {
    const dir = await tempDir();
    // ann: equal, in Klaviyo's own forms (a number as text, an ISO date with offset); bob: another value;
    // cara: not in Klaviyo; dan and eve: equal, with a property of someone else's that is not compared.
    standIn.profiles.set('ann@example.com', { highest_order_value: '1000.00', highest_order_date: '2025-06-10T16:00:00+00:00', small_order_date: '2025-05-20 13:00:00', medium_order_date: '2025-06-10 16:00:00', large_order_date: '2025-03-01 15:00:00' });
    standIn.profiles.set('bob@example.com', { highest_order_value: 450, highest_order_date: '2025-04-01 12:00:00', small_order_date: '2025-04-20 12:00:00', xlarge_order_date: '2025-04-01 12:00:00' });
    standIn.profiles.set('dan@example.com', { highest_order_value: 1359.99, highest_order_date: '2025-06-05 08:00:00', small_order_date: '2025-06-05 08:00:00', xlarge_order_date: '2025-06-01 08:00:00', vip: 'yes' });
    standIn.profiles.set('eve@example.com', { highest_order_value: 2000, highest_order_date: '2025-06-20 18:30:00', large_order_date: '2025-06-20 18:30:00' });
    const env = { KLAVIYO_BASE_URL: standIn.baseUrl, KLAVIYO_API_KEY: API_KEY };
    const run = await runCli(['diff', SHOPIFY_ORDERS, ...AS_OF, '--against', 'klaviyo', '--json', '--exit-code'], { env: fastPushEnv(env), cwd: dir });
    assert.equal(run.code, 1, run.stderr);
    const diff = JSON.parse(run.stdout) as DiffJson;
    assert.deepEqual(diff.added.map((a) => a.email), ['cara@example.com']);
    assert.deepEqual(diff.changed, [{ email: 'bob@example.com', changes: [{ property: 'highest_order_value', from: 450, to: 500 }] }]);
    assert.equal(diff.counts.unchanged, 3);
    assert.deepEqual(standIn.violations, []);
    assert.deepEqual(standIn.profileLookups.map((l) => l.emails), [['ann@example.com', 'bob@example.com', 'cara@example.com', 'dan@example.com', 'eve@example.com']]);
    assert.ok(standIn.requests.every((r) => r.method === 'GET'), 'nothing sent');
    assert.ok(!run.stdout.includes(API_KEY) && !run.stderr.includes(API_KEY));

    const wrongKey = await runCli(['diff', SHOPIFY_ORDERS, ...AS_OF, '--against', 'klaviyo', '--exit-code'], { env: fastPushEnv({ ...env, KLAVIYO_API_KEY: 'pk_wrong_key_never_printed_123' }), cwd: dir });
    assert.equal(wrongKey.code, 2);
    assert.match(wrongKey.stderr, /Klaviyo refused GET \/api\/profiles: 401/);
    assert.match(wrongKey.stderr, /scopes: profiles:read/);
    assert.ok(!wrongKey.stderr.includes('pk_wrong_key_never_printed_123'));
    const noKey = await runCli(['diff', SHOPIFY_ORDERS, '--against', 'klaviyo', '--exit-code'], { env: fastPushEnv({ KLAVIYO_BASE_URL: standIn.baseUrl }), cwd: dir });
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /no Klaviyo API key/);
  } finally {
    await standIn.stop();
  }
});
