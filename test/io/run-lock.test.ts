/**
 * The lock file itself, in-process: held, released, never half-written, and only a lock this host can
 * judge stale is ever taken over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BackfillError } from '../../src/errors.js';
import { RunLock } from '../../src/io/run-lock.js';
import { tempDir } from '../support/cli.js';

const NOW = () => Date.UTC(2026, 11, 1, 3, 15);
const quiet = () => {};

function refusal(run: () => unknown): BackfillError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof BackfillError);
    return error;
  }
  assert.fail('expected the lock to be refused');
}

test('a lock names its holder, refuses a second taker, and is gone once released; no temporary file stays', () => {
  const dir = tempDir();
  const file = join(dir, 'state.json');
  const lock = RunLock.acquire(file, 'the state file', quiet, NOW);
  assert.deepEqual(JSON.parse(readFileSync(`${file}.lock`, 'utf8')), { pid: process.pid, host: hostname(), startedAt: '2026-12-01T03:15:00.000Z' });
  const second = refusal(() => RunLock.acquire(file, 'the state file', quiet, NOW));
  assert.equal(second.code, 'LOCKED');
  assert.equal(second.message, `the state file is in use by another run (pid ${process.pid} on ${hostname()}, started 2026-12-01T03:15:00.000Z)`);
  lock.release();
  lock.release(); // twice is harmless
  assert.equal(existsSync(`${file}.lock`), false);
  RunLock.acquire(file, 'the state file', quiet, NOW).release();
  assert.deepEqual(readdirSync(dir), []);
});

test('a lock file that cannot be read (empty, not JSON) is treated as held, never removed', () => {
  const dir = tempDir();
  const file = join(dir, 'out.csv');
  for (const text of ['', 'garbage\n', '{"pid": "x"}\n']) {
    writeFileSync(`${file}.lock`, text);
    const error = refusal(() => RunLock.acquire(file, 'the output', quiet, NOW));
    assert.match(error.message, /in use by another run \(its lock file cannot be read\)/);
    assert.equal(readFileSync(`${file}.lock`, 'utf8'), text);
  }
});

test('a stale lock of this host is taken over once, with the notice; the new lock is this run', () => {
  const dir = tempDir();
  const file = join(dir, 'state.json');
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  writeFileSync(`${file}.lock`, `${JSON.stringify({ pid: dead, host: hostname(), startedAt: '2026-11-30T03:15:00.000Z' })}\n`);
  const notices: string[] = [];
  const lock = RunLock.acquire(file, 'the state file', (message) => notices.push(message), NOW);
  assert.equal(notices.length, 1);
  assert.match(notices[0]!, new RegExp(`took over the lock .*state\\.json\\.lock: the run that left it \\(pid ${dead} on `));
  assert.equal((JSON.parse(readFileSync(`${file}.lock`, 'utf8')) as { pid: number }).pid, process.pid);
  lock.release();
  assert.deepEqual(readdirSync(dir), [], 'the stale lock moved aside is gone too');
});
