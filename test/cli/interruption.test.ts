/**
 * A run stopped by Ctrl-C, SIGTERM or SIGHUP, whatever the command: its lock and temporary files are
 * removed, one line says what was and was not written, the exit code is 128 + the signal's number;
 * and a run that takes over a dead run's lock removes the temporary files that run left.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watch, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { spawnSync } from 'node:child_process';
import { KlaviyoStandIn } from '../support/klaviyo-stand-in.js';
import { API_KEY } from '../support/push-harness.js';
import { generateRows, writeProfiles } from '../support/profiles.js';
import { fixture, runCli, spawnCli, tempDir } from '../support/cli.js';
import { PLACED_ORDER_ID, withFixtureAccount } from '../support/event-account.js';

/** Resolves once `dir` holds a file whose name passes `wanted` (watched, not polled on a timer). */
function fileAppears(dir: string, wanted: (name: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      const found = readdirSync(dir).find(wanted);
      if (found === undefined) return false;
      watcher.close();
      resolve(found);
      return true;
    };
    const watcher = watch(dir, () => check());
    check();
  });
}

/** The temporary rejects file: the run has read and rejected rows, and holds its lock. */
const isTemporaryRejects = (name: string) => /^\.(profiles\.)?rejects\.csv\..*\.tmp$/.test(name);
const EARLIER = 'Email,highest_order_value\nearlier@example.com,1\n';

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  test(`compute stopped by ${signal} while reading: exit ${code}, its lock and temporary rejects file removed, one line, the earlier output intact`, { timeout: 60_000 }, async (t) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'profiles.csv'), EARLIER);
    // Orders on stdin, and stdin left open: the run reads them, rejects the bad ones into its temporary
    // rejects file, and waits for more.
    const { child, done } = spawnCli(['-', '--as-of', '2025-06-30'], { cwd: dir });
    t.after(() => child.kill('SIGKILL'));
    child.stdin!.write(readFileSync(fixture('shopify-bad-rows.csv')));
    await fileAppears(dir, isTemporaryRejects);
    assert.ok(readdirSync(dir).includes('profiles.csv.lock'), 'the run holds its lock');
    child.kill(signal);
    const run = await done;
    assert.equal(run.code, code, run.stderr);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, new RegExp(`^backfill: stopped by .*${signal}.*: not written: profiles\\.csv, profiles\\.rejects\\.csv \\(earlier files of those names are as they were\\); its lock and its temporary file removed$`));
    assert.deepEqual(readdirSync(dir), ['profiles.csv'], 'no lock, no temporary file');
    assert.equal(readFileSync(join(dir, 'profiles.csv'), 'utf8'), EARLIER);
  });
}

test('compute to stdout stopped by SIGTERM says stdout was cut off', { timeout: 60_000 }, async (t) => {
  const dir = tempDir();
  const { child, done } = spawnCli(['-', '--as-of', '2025-06-30', '-o', '-'], { cwd: dir });
  t.after(() => child.kill('SIGKILL'));
  child.stdin!.write(readFileSync(fixture('shopify-bad-rows.csv')));
  await fileAppears(dir, isTemporaryRejects);
  child.kill('SIGTERM');
  const run = await done;
  assert.equal(run.code, 143, run.stderr);
  assert.match(run.stderr, /^backfill: stopped by SIGTERM: not written: stdout \(cut off\), rejects\.csv \(an earlier file of that name is as it was\); its temporary file removed\n$/);
  assert.deepEqual(readdirSync(dir), []);
});

test('a second Ctrl-C while push waits for the request in flight quits at once: exit 130, locks removed, the run log kept for --resume', { timeout: 60_000 }, async (t) => {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY }).start();
  try {
    const dir = tempDir();
    const profiles = await writeProfiles(dir, generateRows(20));
    // The first create never answers in time: the run is waiting on it when the signals come.
    standIn.faults.push({ on: 'create', kind: 'slow', delayMs: 60_000 });
    const { child, done } = spawnCli(['push', '--profiles', profiles, '--yes', '--run-log', 'run.ndjson'], { cwd: dir, env: { KLAVIYO_BASE_URL: standIn.baseUrl, KLAVIYO_API_KEY: API_KEY } });
    t.after(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // The first signal is taken: the run says it is finishing the request in flight; then the second.
      if (stderr.includes('stopping after the request in flight')) child.kill('SIGINT');
    });
    standIn.onRequest = (route) => {
      if (route === 'create') child.kill('SIGINT');
    };
    const run = await done;
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stderr, /^backfill: stopped by Ctrl-C \(SIGINT\): not written: .*run\.rejects\.csv .*; its lock removed; the run log .*run\.ndjson holds every step so far: backfill push --resume .*run\.ndjson carries on$/m);
    assert.deepEqual(readdirSync(dir).sort(), ['profiles.csv', 'run.ndjson'], 'no lock, no temporary file');
  } finally {
    await standIn.stop();
  }
});

test('flow --create, which writes no file, stopped by SIGTERM: exit 143, "nothing written"', { timeout: 60_000 }, (t) =>
  withFixtureAccount({}, async (standIn, env) => {
    // The metric lookup hangs: the run is waiting on it when the signal comes.
    standIn.faults.push({ on: 'metrics', kind: 'slow', delayMs: 60_000 });
    const { child, done } = spawnCli(['flow', '--target', 'client', '--public-key', 'ABC123', '--create'], { env });
    t.after(() => child.kill('SIGKILL'));
    standIn.onRequest = () => child.kill('SIGTERM');
    const run = await done;
    assert.equal(run.code, 143, run.stderr);
    assert.equal(run.stderr, 'backfill: stopped by SIGTERM: nothing written\n');
  }));

test('a fetch from Klaviyo stopped by SIGTERM: exit 143, no temporary file in the event store, and the line says the store keeps its parts', { timeout: 60_000 }, (t) =>
  withFixtureAccount({ servedPageSize: 3 }, async (standIn, env) => {
    const dir = tempDir();
    const { child, done } = spawnCli(['--from', 'klaviyo', '--as-of', '2025-07-31', '--part-events', '3', '-o', 'p.csv'], { env, cwd: dir });
    t.after(() => child.kill('SIGKILL'));
    let pages = 0;
    standIn.onRequest = (route) => {
      if (route === 'events' && ++pages === 3) child.kill('SIGTERM');
    };
    const run = await done;
    assert.equal(run.code, 143, run.stderr);
    assert.match(run.stderr, /^backfill: stopped by SIGTERM: not written: p\.csv, p\.rejects\.csv \(earlier files of those names are as they were\); .*the event store keeps the events of every part written so far: the next run fetches from there\n$/);
    const store = join(dir, '.backfill', `events-${PLACED_ORDER_ID}`);
    assert.deepEqual(readdirSync(store).filter((name) => name.endsWith('.tmp')), []);
    assert.deepEqual(readdirSync(dir).sort(), ['.backfill']);
  }));

test('a run that takes over the lock of a killed run removes the temporary files that run left beside its outputs', async () => {
  const dir = tempDir();
  // A process that is certainly gone: one that has exited.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(dead.stdout);
  writeFileSync(join(dir, 'profiles.csv.lock'), `${JSON.stringify({ pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' })}\n`);
  const left = [`.profiles.csv.${pid}.1767225600000.1.tmp`, `.profiles.rejects.csv.${pid}.1767225600000.2.tmp`, `.profiles-2.csv.${pid}.1767225600000.tmp`];
  for (const name of left) writeFileSync(join(dir, name), 'ann@example.com,1\n', { mode: 0o600 });
  // Another run's temporary file (another pid), and a file of the user's: neither is touched.
  const others = [`.profiles.csv.${process.pid}.1767225600000.9.tmp`, 'notes.tmp'];
  for (const name of others) writeFileSync(join(dir, name), 'x');
  const run = await runCli([fixture('shopify-orders.csv'), '--as-of', '2025-06-30'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`took over the lock .*profiles\\.csv\\.lock: the run that left it \\(pid ${pid} on .*\\) is no longer running; removed the 3 temporary files it left`));
  assert.deepEqual(readdirSync(dir).sort(), [...others, 'profiles.csv'].sort());
});
