/**
 * `push --incremental --clear-emptied`, as cron runs it: a June night records the windows, an October
 * night finds them emptied and removes them from Klaviyo through Create or Update Profile. The built
 * CLI in child processes, the stand-in checking every request against the spec's schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readStateFile } from '../../src/io/state-file.js';
import { runCli, spawnCli } from '../support/cli.js';
import { nights, statePath, type Night } from '../support/nights.js';
import { exportWith } from '../support/orders.js';
import { fastPushEnv, rejectsByEmail } from '../support/push-harness.js';

const WINDOW = ['--incremental', '--yes', '--mode', 'window'];
const JUNE = [...WINDOW, '--as-of', '2025-06-30'];
const OCTOBER = [...WINDOW, '--as-of', '2025-10-30', '--clear-emptied'];
const WINDOW_PAIR = ['highest_order_value', 'highest_order_date'];
/** Ann, cara, dan and eve had a June window and keep size dates; fay's only order has no size, so in October she has nothing left. */
const EMPTIED = ['ann@example.com', 'cara@example.com', 'dan@example.com', 'eve@example.com', 'fay@example.com'];

/** The fixture export and fay's one order of June, without a size. */
async function orders(dir: string): Promise<string> {
  return exportWith(dir, 'orders.csv', [{ name: '#1016', email: 'fay@example.com', total: '80.00', createdAt: '2025-06-26 10:00:00 -0400' }]);
}

async function june(night: Night, file: string): Promise<void> {
  const run = await night.push([file, ...JUNE]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(night.standIn.profiles.get('fay@example.com')!.highest_order_value, 80);
}

test('a night where windows empty: one profile-import each, unsetting exactly the window pair; Klaviyo and the state forget them; the next night clears nothing', () =>
  nights(async (night) => {
    const { standIn, dir } = night;
    const file = await orders(dir);
    await june(night, file);
    const october = await night.push([file, ...OCTOBER, '--json']);
    assert.equal(october.code, 0, october.stderr);
    assert.deepEqual(standIn.violations, [], 'every request matched the spec');
    assert.deepEqual(standIn.profileImports.map((r) => [r.email, r.unset]), EMPTIED.map((email) => [email, WINDOW_PAIR]));
    for (const email of EMPTIED) {
      assert.equal(standIn.profiles.get(email)!.highest_order_value, undefined, `${email}: value cleared in Klaviyo`);
      assert.equal(standIn.profiles.get(email)!.highest_order_date, undefined, `${email}: date cleared in Klaviyo`);
    }
    assert.equal(standIn.profiles.get('ann@example.com')!.xlarge_order_date, '2025-07-05 15:00:00', 'properties not cleared are kept');
    assert.deepEqual(october.sent, [['ann@example.com']], 'only her new size date goes through the bulk import');
    const summary = JSON.parse(october.stdout) as { incremental: { emptied: number; onlyInState: number; cleared: number; clear: { planned: number; sent: number; confirmed: number; failed: number; unsent: number } } };
    assert.deepEqual(summary.incremental.clear, { planned: 5, sent: 5, confirmed: 5, failed: 0, unsent: 0, withoutEmail: 0 });
    assert.equal(summary.incremental.cleared, 5);
    assert.equal(summary.incremental.onlyInState, 0, 'fay had orders: her windows emptied, she is not "not in the export"');

    const state = await readStateFile(statePath(dir));
    for (const email of EMPTIED.filter((e) => e !== 'fay@example.com')) assert.deepEqual(Object.keys(state!.profiles.get(email)!).filter((p) => WINDOW_PAIR.includes(p)), [], email);
    assert.equal(state!.profiles.get('fay@example.com'), undefined, 'a profile left with nothing is dropped from the state');
    assert.equal(state!.profiles.get('ann@example.com')!.xlarge_order_date, '2025-07-05 15:00:00');

    const next = await night.push([file, ...WINDOW, '--as-of', '2025-10-31', '--clear-emptied']);
    assert.equal(next.code, 0, next.stderr);
    assert.equal(standIn.profileImports.length, 5, 'a cleared window is never sent again');
    assert.deepEqual(next.sent, []);
  }));

test('the text summary counts the clears; without --clear-emptied the same night leaves them and says so', () =>
  nights(async (night) => {
    const file = await orders(night.dir);
    await june(night, file);
    const left = await night.push([file, ...WINDOW, '--as-of', '2025-10-30']);
    assert.equal(left.code, 0, left.stderr);
    assert.match(left.stderr, /10 emptied properties left as they are in Klaviyo/);
    assert.equal(night.standIn.profileImports.length, 0);
    await writeFile(join(night.dir, 'backfill.config.json'), JSON.stringify({ mode: 'window', clearEmptied: true }));
    const cleared = await night.push([file, '--incremental', '--yes', '--as-of', '2025-10-30']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.equal(cleared.stderr.trimEnd().split('\n').length, 1, `one summary line: ${cleared.stderr}`);
    assert.match(cleared.stderr, /emptied windows cleared on 5 profiles: 5 sent, 5 confirmed, 0 failed/);
    assert.match(cleared.stderr, /\(0 recorded, 5 cleared\)/);
    assert.equal(night.standIn.profileImports.length, 5, '"clearEmptied": true in the config does what the flag does');
  }));

test('a clear Klaviyo refuses goes to the rejects file (exit 3), stays in the state, and is sent again the next night', () =>
  nights(async (night) => {
    const { standIn, dir } = night;
    const file = await orders(dir);
    await june(night, file);
    standIn.profileImportRefusals.add('cara@example.com');
    const failing = await night.push([file, ...OCTOBER, '--run-log', join(dir, 'october.ndjson')]);
    assert.equal(failing.code, 3, failing.stderr);
    assert.match(failing.stderr, /5 sent, 4 confirmed, 1 failed/);
    const rejects = await rejectsByEmail(join(dir, 'october.rejects.csv'));
    assert.match(rejects.get('cara@example.com')!, /cara@example\.com is not a valid email address/);
    assert.equal((await readStateFile(statePath(dir)))!.profiles.get('cara@example.com')!.highest_order_value, 100, 'not recorded as cleared');
    assert.equal(standIn.profiles.get('cara@example.com')!.highest_order_value, 100);

    standIn.profileImportRefusals.clear();
    const retried = await night.push([file, ...WINDOW, '--as-of', '2025-10-31', '--clear-emptied']);
    assert.equal(retried.code, 0, retried.stderr);
    assert.deepEqual(standIn.profileImports.slice(5).map((r) => r.email), ['cara@example.com'], 'only the failed one, once');
    assert.equal(standIn.profiles.get('cara@example.com')!.highest_order_value, undefined);
    assert.equal((await readStateFile(statePath(dir)))!.profiles.get('cara@example.com')!.highest_order_value, undefined);
    assert.deepEqual(standIn.violations, []);
  }));

test('killed during the clears, --resume sends only the ones Klaviyo has not answered and records them all', () =>
  nights(async (night) => {
    const { standIn, dir, env } = night;
    const file = await orders(dir);
    await june(night, file);
    const runLog = join(dir, 'october.ndjson');
    const { child, done } = spawnCli(['push', file, ...OCTOBER, '--run-log', runLog], { env: fastPushEnv(env), cwd: dir });
    child.stdin!.end();
    // Killed as the third clear arrives: two are answered, the third is in flight.
    standIn.onRequest = (route) => {
      if (route === 'profile-import' && standIn.profileImports.length === 2) child.kill('SIGKILL');
    };
    assert.equal((await done).signal, 'SIGKILL');
    standIn.onRequest = undefined;
    const arrived = standIn.profileImports.length;
    const stateBefore = await readStateFile(statePath(dir));
    assert.equal(stateBefore!.profiles.get('ann@example.com')!.highest_order_value, 1000, 'nothing recorded by the killed run');
    const answered = (await readFile(runLog, 'utf8')).split('\n').filter((line) => line.includes('"type":"cleared"')).length;
    assert.ok(answered >= 2 && answered <= arrived && arrived < EMPTIED.length, `${answered} of ${arrived} clears answered before the kill`);

    const resumed = await night.push(['--resume', runLog]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const emails = standIn.profileImports.map((r) => r.email);
    assert.deepEqual([...new Set(emails)].sort(), EMPTIED, 'every clear reached Klaviyo');
    assert.equal(emails.length, EMPTIED.length + (arrived - answered), 'only the one in flight at the kill was sent twice (it is idempotent)');
    const state = await readStateFile(statePath(dir));
    for (const email of EMPTIED) assert.equal(state!.profiles.get(email)?.highest_order_value, undefined, `${email} recorded as cleared`);
    assert.deepEqual((await night.push([file, ...WINDOW, '--as-of', '2025-10-31', '--clear-emptied'])).sent, []);
    assert.equal(standIn.profileImports.length, emails.length, 'nothing left to clear the next night');
  }));

test('429 and 5xx on a clear are retried; a 403 stops the run (exit 2) naming the profiles:write scope', () =>
  nights(async (night) => {
    const { standIn } = night;
    const file = await orders(night.dir);
    await june(night, file);
    standIn.faults.push({ on: 'profile-import', kind: 'status', status: 503 }, { on: 'profile-import', kind: 'status', status: 429, retryAfter: '1' }, { on: 'profile-import', kind: 'reset' });
    const retried = await night.push([file, ...OCTOBER]);
    assert.equal(standIn.faults.length, 0, 'every fault was met');
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stderr, /POST \/api\/profile-import failed/, 'the first retry says so where no progress line shows');
    assert.equal(standIn.requests.filter((r) => r.path === '/api/profile-import').length, 5 + 3, 'the first clear tried four times, then the other four once');
    assert.equal(standIn.profileImports.length, 5);
    assert.equal(standIn.profiles.get('ann@example.com')!.highest_order_value, undefined);

    await june(night, file);
    standIn.faults.push({ on: 'profile-import', kind: 'status', status: 403, detail: 'You do not have permission to perform this action.' });
    const refused = await night.push([file, ...OCTOBER]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /Klaviyo refused POST \/api\/profile-import/);
    assert.match(refused.stderr, /scopes: profiles:write/);
    assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');
  }));

test('--dry-run and diff --against state show what would be cleared, and send nothing', () =>
  nights(async (night) => {
    const { standIn, dir, env } = night;
    const file = await orders(dir);
    await june(night, file);
    const stateText = await readFile(statePath(dir), 'utf8');
    const requests = standIn.requests.length;
    const dry = await night.push([file, ...OCTOBER, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /the emptied windows of 5 profiles would be cleared/);
    assert.match(dry.stderr, /\n {2}clear fay@example\.com: highest_order_value, highest_order_date\n/);
    const dryJson = await night.push([file, ...OCTOBER, '--dry-run', '--json']);
    const clear = (JSON.parse(dryJson.stdout) as { incremental: { clear: { planned: number; profiles: { email: string; properties: string[] }[] } } }).incremental.clear;
    assert.deepEqual(clear.profiles.map((p) => p.email), EMPTIED);
    assert.equal(clear.planned, 5);

    const diff = await runCli(['diff', file, '--mode', 'window', '--as-of', '2025-10-30', '--against', 'state', '--clear-emptied', '--json'], { env: fastPushEnv(env), cwd: dir });
    assert.equal(diff.code, 0, diff.stderr);
    const json = JSON.parse(diff.stdout) as { counts: { clears: number; onlyInBaseline: number }; clears: { email: string; properties: string[] }[] };
    assert.deepEqual(json.clears, clear.profiles, 'diff and the dry run plan the same clears');
    assert.equal(json.counts.clears, 5);
    const text = await runCli(['diff', file, '--mode', 'window', '--as-of', '2025-10-30', '--against', 'state', '--clear-emptied'], { env: fastPushEnv(env), cwd: dir });
    assert.match(text.stdout, /\n {2}- eve@example\.com: clear highest_order_value, highest_order_date\n/);
    assert.match(text.stdout, /would clear 10 properties of emptied windows on 5 profiles/);
    const without = await runCli(['diff', file, '--mode', 'window', '--as-of', '2025-10-30', '--against', 'state'], { env: fastPushEnv(env), cwd: dir });
    assert.match(without.stdout, /keep their value in Klaviyo/);

    assert.equal(standIn.requests.length, requests, 'nothing sent');
    assert.equal(await readFile(statePath(dir), 'utf8'), stateText, 'state untouched');
  }));

test('usage: --clear-emptied needs --incremental and --mode window (exit 2, nothing sent)', () =>
  nights(async (night) => {
    const file = await orders(night.dir);
    const alone = await night.push([file, '--clear-emptied', '--yes']);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /go with --incremental/);
    const flow = await night.push([file, '--incremental', '--clear-emptied', '--yes']);
    assert.equal(flow.code, 2);
    assert.match(flow.stderr, /--clear-emptied goes with --mode window: in flow mode a stored maximum never empties/);
    assert.equal(night.standIn.requests.length, 0);
  }));
