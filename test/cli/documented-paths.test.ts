/**
 * The README's commands as a new user pastes them: the nightly cron line with its quoted pattern, in a
 * shop folder, against the Klaviyo stand-in; and the same quoted pattern given to every command that
 * reads order exports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KlaviyoStandIn } from '../support/klaviyo-stand-in.js';
import { SHOPIFY_ORDERS } from '../support/orders.js';
import { API_KEY, fastPushEnv } from '../support/push-harness.js';
import { fixture, runCli, tempDir } from '../support/cli.js';

const FIXTURE_EMAILS = ['ann@example.com', 'bob@example.com', 'cara@example.com', 'dan@example.com', 'eve@example.com'];

/** A shop folder as the README's crontab line expects it: exports/orders_*.csv and a key file. */
function shopFolder(): string {
  const shop = tempDir('backfill-shop-');
  mkdirSync(join(shop, 'exports'));
  copyFileSync(SHOPIFY_ORDERS, join(shop, 'exports', 'orders_2025-06.csv'));
  writeFileSync(join(shop, '.klaviyo-key'), `${API_KEY}\n`, { mode: 0o600 });
  return shop;
}

test("the README's nightly cron line, pasted as written (a quoted pattern and a key file), pushes the matching exports", async () => {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY }).start();
  try {
    const shop = shopFolder();
    const run = await runCli(['push', '--incremental', 'exports/orders_*.csv', '--api-key-file', join(shop, '.klaviyo-key'), '--yes', '--as-of', '2025-06-30'], {
      cwd: shop,
      env: fastPushEnv({ KLAVIYO_BASE_URL: standIn.baseUrl }),
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(standIn.imported.map((p) => p.email).sort(), FIXTURE_EMAILS);
    assert.equal(run.stderr.trimEnd().split('\n').length, 1, `one summary line for cron: ${run.stderr}`);
  } finally {
    await standIn.stop();
  }
});

test('every command that reads order exports expands a quoted pattern: compute, push, push --dry-run, diff, segments', async () => {
  const shop = shopFolder();
  writeFileSync(join(shop, 'empty-baseline.csv'), 'Email\n');
  const asOf = ['--as-of', '2025-06-30'];
  const runs = {
    compute: await runCli(['exports/orders_*.csv', ...asOf, '-o', '-', '-q'], { cwd: shop }),
    'push --dry-run': await runCli(['push', 'exports/orders_*.csv', ...asOf, '--dry-run', '--json'], { cwd: shop }),
    diff: await runCli(['diff', 'exports/orders_*.csv', ...asOf, '--against', 'empty-baseline.csv', '--json'], { cwd: shop }),
    segments: await runCli(['segments', 'exports/orders_*.csv', ...asOf, '--threshold', '100', '--json'], { cwd: shop }),
  };
  for (const [command, run] of Object.entries(runs)) assert.equal(run.code, 0, `${command}: ${run.stderr}`);
  assert.equal(runs.compute.stdout.trimEnd().split('\n').length, 1 + FIXTURE_EMAILS.length);
  assert.equal((JSON.parse(runs['push --dry-run'].stdout) as { profiles: number }).profiles, FIXTURE_EMAILS.length);
  assert.equal((JSON.parse(runs.diff.stdout) as { added: unknown[] }).added.length, FIXTURE_EMAILS.length);
  assert.ok((JSON.parse(runs.segments.stdout) as { segments: { profiles: number }[] }).segments.some((segment) => segment.profiles > 0));

  const none = await runCli(['push', 'exports/nothing_*.csv', ...asOf, '--dry-run'], { cwd: shop });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /exports\/nothing_\*\.csv: no file matches/);
});

test('a default-named output that backfill did not write stops the run before anything is read, naming the file and the flag', async () => {
  const bad = fixture('shopify-bad-rows.csv');
  const theirs = 'order,note\n1001,call back\n';
  for (const [args, name, flag] of [
    [[bad, '-o', '-'], 'rejects.csv', '--rejects'],
    [[bad], 'profiles.csv', '-o'],
    [[bad], 'profiles.rejects.csv', '--rejects'],
    [['push', bad, '--dry-run', '--run-log', 'run.ndjson'], 'run.input-rejects.csv', '--run-log'],
    [['push', bad, '--yes', '--run-log', 'run.ndjson'], 'run.rejects.csv', '--rejects'],
  ] as const) {
    const dir = tempDir();
    writeFileSync(join(dir, name), theirs);
    const run = await runCli([...args, '--as-of', '2025-06-30'], { cwd: dir, env: { KLAVIYO_API_KEY: API_KEY, KLAVIYO_BASE_URL: 'http://127.0.0.1:9' } });
    assert.equal(run.code, 2, `${name}: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`${name.replace(/\./g, '\\.')} is in the way: .* was not written by backfill`));
    assert.match(run.stderr, new RegExp(`Name another place with ${flag} <file>`));
    assert.equal(run.stdout, '');
    assert.equal(readFileSync(join(dir, name), 'utf8'), theirs, `${name} untouched`);
    assert.deepEqual(readdirSync(dir), [name], 'nothing else written');
  }
  // A rejects file backfill wrote earlier is its own to replace.
  const dir = tempDir();
  assert.equal((await runCli([bad, '-o', '-', '--as-of', '2025-06-30', '-q'], { cwd: dir })).code, 0);
  const again = await runCli([bad, '-o', '-', '--as-of', '2025-06-30', '-q'], { cwd: dir });
  assert.equal(again.code, 0, again.stderr);
});
