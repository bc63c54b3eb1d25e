/**
 * One run at a time per state file and per run log: two real `backfill push` processes started at
 * once on one state file, a resume of a run log another run holds, and the stale lock of a crashed run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { KlaviyoStandIn } from '../support/klaviyo-stand-in.js';
import { SHOPIFY_ORDERS } from '../support/orders.js';
import { API_KEY } from '../support/push-harness.js';
import { runCli, spawnCli, tempDir } from '../support/cli.js';

const NIGHTLY = ['--incremental', '--yes', '--as-of', '2025-06-30'];
const EMAILS = ['ann@example.com', 'bob@example.com', 'cara@example.com', 'dan@example.com', 'eve@example.com'];

async function withStandIn(run: (standIn: KlaviyoStandIn, dir: string, env: Record<string, string>) => Promise<void>): Promise<void> {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY }).start();
  const dir = tempDir();
  // Jobs held by the test keep a push polling; without a lock both would, until this timeout (exit 4).
  const tuning = JSON.stringify({ pollIntervalMs: 20, pollTimeoutMs: 20_000, backoffBaseMs: 5, backoffMaxMs: 20, retryAfterUnitMs: 5, requestTimeoutMs: 5000 });
  try {
    await run(standIn, dir, { KLAVIYO_BASE_URL: standIn.baseUrl, KLAVIYO_API_KEY: API_KEY, BACKFILL_PUSH_TUNING: tuning });
  } finally {
    await standIn.stop();
  }
}

/** A pid that certainly belonged to a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

const lockOf = (owner: { pid: number; host: string; startedAt: string }) => `${JSON.stringify(owner)}\n`;

test('two incremental pushes started at once on one state file: one runs, the other exits 2 at once naming it', () =>
  withStandIn(async (standIn, dir, env) => {
    // Jobs do not complete until one run has exited: the winner holds its lock until the loser has tried.
    standIn.holdJobs = true;
    const first = spawnCli(['push', SHOPIFY_ORDERS, ...NIGHTLY, '--run-log', join(dir, 'a.ndjson')], { cwd: dir, env });
    const second = spawnCli(['push', SHOPIFY_ORDERS, ...NIGHTLY, '--run-log', join(dir, 'b.ndjson')], { cwd: dir, env });
    first.child.stdin!.end();
    second.child.stdin!.end();
    const pids = [first.child.pid!, second.child.pid!];
    const firstDone = await Promise.race([first.done.then((run) => ({ run, index: 0 })), second.done.then((run) => ({ run, index: 1 }))]);
    standIn.holdJobs = false;
    const loser = firstDone.run;
    const winner = 1 - firstDone.index;
    assert.equal(loser.code, 2, loser.stderr);
    assert.match(loser.stderr, /the state file is in use by another run/);
    assert.ok(loser.stderr.includes(`pid ${pids[winner]} on ${hostname()}, started `), loser.stderr);
    assert.match(loser.stderr, /state\.json\.lock/);
    const won = await (winner === 0 ? first.done : second.done);
    assert.equal(won.code, 0, won.stderr);
    // Every profile was imported exactly once, by the run that held the lock.
    assert.deepEqual(standIn.imported.map((p) => p.email).sort(), EMAILS);
    assert.equal(standIn.jobs.length, 1);
    const state = JSON.parse(await readFile(join(dir, '.backfill', 'state.json'), 'utf8')) as { profiles: Record<string, unknown> };
    assert.deepEqual(Object.keys(state.profiles).sort(), EMAILS);
    assert.equal(existsSync(join(dir, '.backfill', 'state.json.lock')), false, 'the winner released its lock');
  }));

test('a stale lock (this host, its process gone) is taken over with a message, and released after', () =>
  withStandIn(async (standIn, dir, env) => {
    await mkdir(join(dir, '.backfill'));
    const pid = deadPid();
    await writeFile(join(dir, '.backfill', 'state.json.lock'), lockOf({ pid, host: hostname(), startedAt: '2026-11-30T03:15:00.000Z' }));
    const run = await runCli(['push', SHOPIFY_ORDERS, ...NIGHTLY, '--run-log', join(dir, 'a.ndjson')], { cwd: dir, env });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`took over the lock .*state\\.json\\.lock: the run that left it \\(pid ${pid} on .*, started 2026-11-30T03:15:00.000Z\\) is no longer running`));
    assert.deepEqual(standIn.imported.map((p) => p.email).sort(), EMAILS);
    assert.deepEqual((await readdir(join(dir, '.backfill'))).sort(), ['state.json']);
  }));

test('a lock of a live run, or of another host, is never taken over: exit 2, nothing sent, state untouched', () =>
  withStandIn(async (standIn, dir, env) => {
    await mkdir(join(dir, '.backfill'));
    const lock = join(dir, '.backfill', 'state.json.lock');
    for (const owner of [
      { pid: process.pid, host: hostname(), startedAt: '2026-12-01T03:15:00.000Z' },
      { pid: deadPid(), host: `not-${hostname()}`, startedAt: '2026-12-01T03:15:00.000Z' },
    ]) {
      await writeFile(lock, lockOf(owner));
      const run = await runCli(['push', SHOPIFY_ORDERS, ...NIGHTLY, '--run-log', join(dir, 'a.ndjson')], { cwd: dir, env });
      assert.equal(run.code, 2, run.stderr);
      assert.ok(run.stderr.includes(`in use by another run (pid ${owner.pid} on ${owner.host}, started 2026-12-01T03:15:00.000Z)`), run.stderr);
      assert.match(run.stderr, /delete .*state\.json\.lock/);
      assert.equal(await readFile(lock, 'utf8'), lockOf(owner), 'the lock is left as it was');
    }
    assert.equal(standIn.requests.length, 0);
    assert.deepEqual((await readdir(join(dir, '.backfill'))).sort(), ['state.json.lock'], 'no state, no run log');
  }));

test('push --resume of a run log another live run holds exits 2 before reading it', () =>
  withStandIn(async (standIn, dir, env) => {
    const runLog = join(dir, 'a.ndjson');
    await writeFile(runLog, '');
    await writeFile(`${runLog}.lock`, lockOf({ pid: process.pid, host: hostname(), startedAt: '2026-12-01T03:15:00.000Z' }));
    const run = await runCli(['push', '--resume', runLog], { cwd: dir, env });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`the run log is in use by another run \\(pid ${process.pid} on `));
    assert.equal(await readFile(runLog, 'utf8'), '', 'not read, not appended to');
    assert.equal(standIn.requests.length, 0);
  }));
