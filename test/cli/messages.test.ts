/**
 * Messages and help in one style, for every command: help on a command there is none of, a warning
 * where segments would show only zeros, an order export given as a profiles CSV, what flow needs a
 * key for, one error prefix, each command's own help after its errors, counts in the singular, a
 * path named once, help headings once each, a declined confirmation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHOPIFY_HEADER } from '../support/shopify-generator.js';
import { CLI, fixture, runCli, tempDir } from '../support/cli.js';

const SHOPIFY = fixture('shopify-orders.csv');

test('backfill help <no such command> is a usage error (exit 2) with did-you-mean, not the root help', async () => {
  const typo = await runCli(['help', 'pussh']);
  assert.equal(typo.code, 2, typo.stderr);
  assert.match(typo.stderr, /^backfill: no help for "pussh": there is no such command; did you mean push\?\n/);
  assert.equal(typo.stdout, '');
  const none = await runCli(['help', 'nope']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no help for "nope": there is no such command\n  Commands: compute, push, diff, flow, segments, sql\./);
  assert.doesNotMatch(none.stderr, /Usage:/);
  const known = await runCli(['help', 'push']);
  assert.equal(known.code, 0);
  assert.match(known.stdout, /Usage: backfill push/);
});

test('segments with data that ends before every window: all zeros come with a warning naming the newest order and the --as-of that counts them', async () => {
  // The fixture's newest order is of 2025-07-05; now is long after.
  for (const source of [[SHOPIFY], ['--profiles', 'profiles.csv']]) {
    const dir = tempDir();
    assert.equal((await runCli([SHOPIFY, '--as-of', '2025-07-06', '-q'], { cwd: dir })).code, 0);
    const run = await runCli(['segments', ...source, '--threshold', '100', '--as-of', '2026-12-01'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /: [1-9][\d,]* profiles?\n/, 'every segment holds 0');
    assert.match(run.stderr, /^backfill: warning: every segment holds 0 profiles as of 2026-12-01 00:00:00 UTC: the newest order date in the profiles is 2025-07-05 \d\d:\d\d:\d\d UTC, before every segment's window \(the shortest is 30 days\); --as-of 2025-07-06 would count them\n$/);
    const counted = await runCli(['segments', ...source, '--threshold', '100', '--as-of', '2025-07-06'], { cwd: dir });
    assert.match(counted.stdout, /: [1-9][\d,]* profiles?\n/, 'the --as-of it names counts them');
    assert.equal(counted.stderr, '');
  }
});

test('an order export given where a profiles CSV goes (push --profiles, diff --against, segments --profiles) is named as one', async () => {
  for (const args of [
    ['push', '--profiles', SHOPIFY, '--dry-run'],
    ['diff', SHOPIFY, '--against', SHOPIFY, '--as-of', '2025-06-30'],
    ['segments', '--profiles', SHOPIFY, '--threshold', '100'],
  ]) {
    const run = await runCli(args);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, /shopify-orders\.csv is an order export \(its header is a shopify export's\), not a profiles CSV/);
    assert.doesNotMatch(run.stderr, /one row per profile|also on line/);
  }
});

test('flow without a key, and without --create: the key only serves the metric lookup, and --metric-id does without it', async () => {
  const run = await runCli(['flow', '--public-key', 'ABC123']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^backfill: no Klaviyo API key: without --create, flow needs a key only to look up the metric "Placed Order" by name\n  Pass --metric-id <id>/);
  const create = await runCli(['flow', '--public-key', 'ABC123', '--metric-id', 'XyZ123', '--create']);
  assert.equal(create.code, 2);
  assert.doesNotMatch(create.stderr, /only to look up/, 'with --create the key creates the flows');
});

test('one error prefix; an option error points to its own command\'s help', async () => {
  for (const [command, args] of [['push', ['push', '--bogus']], ['diff', ['diff', SHOPIFY]], ['segments', ['segments', '--size-days', 'x', '--threshold', '1']], ['compute', ['compute', '--bogus']]] as const) {
    const run = await runCli(args);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^backfill: /, `${command}: ${run.stderr}`);
    assert.doesNotMatch(run.stderr, /^error:/m);
    assert.match(run.stderr, new RegExp(`\\(run backfill ${command} --help for examples\\)`));
  }
});

test('counts of one read in the singular: 1 order, 1 row, 1 import job', async () => {
  const dir = tempDir();
  const blank = ','.repeat(SHOPIFY_HEADER.split(',').length - 18);
  writeFileSync(join(dir, 'one.csv'), `${SHOPIFY_HEADER}\n#1,ann@example.com,paid,,,,,USD,,,,10.00,,,,2025-05-01 10:00:00 -0400,1,Tee - Black / M${blank}\n`);
  const run = await runCli(['one.csv', '--as-of', '2025-06-30', '-o', '-'], { cwd: dir });
  assert.match(run.stderr, /^backfill: 1 order \(1 row\) read from one\.csv \(shopify\); 1 profile written to stdout;/);
  const dry = await runCli(['push', 'one.csv', '--as-of', '2025-06-30', '--dry-run'], { cwd: dir });
  assert.match(dry.stderr, /1 profile in 1 import job \(largest 1 profile, /);
});

test('an output in a directory that does not exist names its path once', async () => {
  const run = await runCli([SHOPIFY, '-o', '/nonexistent-dir/sub/p.csv']);
  assert.equal(run.code, 2);
  assert.equal(run.stderr.split('/nonexistent-dir/sub/p.csv').length - 1, 1, run.stderr);
});

test('help: each heading once; diff\'s baseline options under their own heading, --against marked required', async () => {
  for (const command of ['compute', 'push', 'diff', 'flow', 'segments']) {
    const help = (await runCli([command, '--help'])).stdout;
    const headings = help.split('\n').filter((line) => /^[A-Z][^:]*:$/.test(line));
    assert.deepEqual(headings.filter((heading, index) => headings.indexOf(heading) !== index), [], `${command}: ${headings.join(' | ')}`);
    assert.doesNotMatch(help, /^Options:$/m, `${command}: no catch-all heading`);
  }
  const diff = (await runCli(['diff', '--help'])).stdout;
  assert.match(diff, /^Baseline \(what to compare with\):\n  --against <baseline> +\(required\)/m);
});

test('declining push\'s confirmation at a terminal exits 1, sends nothing and writes no run log', () => {
  const dir = tempDir();
  const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} push ${JSON.stringify(SHOPIFY)} --as-of 2025-06-30 --run-log run.ndjson`;
  // util-linux script: the push runs on a pseudo-terminal, and the answer is typed into it.
  const run = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: dir, input: 'n\n', encoding: 'utf8', timeout: 60_000, env: { ...process.env, KLAVIYO_API_KEY: 'pk_test_declined', KLAVIYO_BASE_URL: 'http://127.0.0.1:9' } });
  assert.equal(run.status, 1, run.stdout);
  assert.match(run.stdout, /Send 5 profiles to Klaviyo in 1 import job\? \[y\/N\]/);
  assert.match(run.stdout, /backfill: not sent: not confirmed/);
  assert.equal(existsSync(join(dir, 'run.ndjson')), false);
  assert.deepEqual(readdirSync(dir), []);
});
