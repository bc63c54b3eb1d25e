/**
 * The event store is used by one run at a time, and is read only as it was written: two runs in one
 * folder, a part replaced, cut, deleted or turned into a directory, and a store an earlier version
 * wrote (no checksums in its manifest). The built CLI against the stand-in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { runCli, spawnCli, tempDir } from '../support/cli.js';
import { withFixtureAccount } from '../support/event-account.js';

const RUN = ['--from', 'klaviyo', '--as-of', '2025-07-31'];
const storeOf = (dir: string) => join(dir, '.backfill', 'events-RkXyZ1');

interface Manifest {
  parts: { file: string; events: number; bytes?: number; sha256?: string }[];
}

const manifestOf = async (dir: string) => JSON.parse(await readFile(join(storeOf(dir), 'store.json'), 'utf8')) as Manifest;

test('a second run on a store in use stops at once (exit 2) naming the first; the first finishes whole', () =>
  withFixtureAccount({ servedPageSize: 3 }, async (standIn, env) => {
    const dir = tempDir();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const firstPageAsked = new Promise<void>((resolve) => (arrived = resolve));
    let events = 0;
    // The first run's first Get Events page is held back until the second run is done.
    standIn.onRequest = (route) => {
      if (route !== 'events' || ++events !== 1) return;
      standIn.faults.push({ on: 'events', kind: 'held', until: held });
      arrived();
    };
    const first = spawnCli([...RUN, '-o', 'a.csv', '--json'], { env, cwd: dir });
    first.child.stdin!.end();
    await firstPageAsked;
    const second = await runCli([...RUN, '-o', 'b.csv'], { env, cwd: dir });
    release();
    const done = await first.done;
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`the event store .*events-RkXyZ1 is in use by another run \\(pid ${first.child.pid} on `));
    assert.equal(events, 5, 'the first run read its five pages; the second asked for none');
    assert.equal(done.code, 0, done.stderr);
    assert.equal((JSON.parse(done.stdout) as { fetch: { storeEvents: number } }).fetch.storeEvents, 13);
    await assert.rejects(stat(join(dir, 'b.csv')), /ENOENT/);
    await assert.rejects(stat(`${storeOf(dir)}.lock`), /ENOENT/, 'the lock is gone once the run is');
    const third = await runCli([...RUN, '-o', 'c.csv', '--json'], { env, cwd: dir });
    assert.equal(third.code, 0, third.stderr);
    assert.equal((JSON.parse(third.stdout) as { fetch: { storeEvents: number } }).fetch.storeEvents, 13);
  }));

/** A store of two parts (6 and 7 events), written by a first run in `dir`. */
async function storeOfTwoParts(env: Record<string, string>): Promise<string> {
  const dir = tempDir();
  const run = await runCli([...RUN, '-o', 'p.csv', '--part-events', '5'], { env, cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual((await manifestOf(dir)).parts.map((part) => part.events), [6, 7]);
  return dir;
}

/** The run after the damage: exit 2 naming the part and --refetch, no stack trace, the profiles of the first run untouched. */
async function assertStopped(dir: string, env: Record<string, string>, message: RegExp): Promise<void> {
  const before = await readFile(join(dir, 'p.csv'), 'utf8');
  const run = await runCli([...RUN, '-o', 'p.csv'], { env, cwd: dir });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, message);
  assert.match(run.stderr, /--refetch/);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(await readFile(join(dir, 'p.csv'), 'utf8'), before);
  const rebuilt = await runCli([...RUN, '-o', 'p.csv', '--refetch'], { env, cwd: dir });
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  assert.equal(await readFile(join(dir, 'p.csv'), 'utf8'), before, '--refetch rebuilds the same store');
}

test('a part replaced by a valid gzip with half its events stops the run (exit 2), naming it and --refetch', () =>
  withFixtureAccount({ servedPageSize: 3 }, async (_standIn, env) => {
    const dir = await storeOfTwoParts(env);
    const part = join(storeOf(dir), 'part-000002.ndjson.gz');
    const lines = gunzipSync(await readFile(part)).toString('utf8').split('\n').filter(Boolean);
    await writeFile(part, gzipSync(`${lines.slice(0, 3).join('\n')}\n`));
    await assertStopped(dir, env, /part part-000002\.ndjson\.gz holds \d+ bytes, not the \d+ it was written with/);
  }));

test('a part deleted, or a directory in its place, stops the run (exit 2) naming it', () =>
  withFixtureAccount({ servedPageSize: 3 }, async (_standIn, env) => {
    const dir = await storeOfTwoParts(env);
    await rm(join(storeOf(dir), 'part-000001.ndjson.gz'));
    await assertStopped(dir, env, /is missing its part part-000001\.ndjson\.gz/);
    const again = await storeOfTwoParts(env);
    const part = join(storeOf(again), 'part-000002.ndjson.gz');
    await rm(part);
    await mkdir(part);
    await assertStopped(again, env, /part part-000002\.ndjson\.gz is not a file/);
  }));

test('a store written without checksums (an earlier version) is read, and sealed with a notice', () =>
  withFixtureAccount({ servedPageSize: 3 }, async (_standIn, env) => {
    const dir = await storeOfTwoParts(env);
    const manifest = await manifestOf(dir);
    const sealed = manifest.parts.map((part) => ({ ...part }));
    await writeFile(join(storeOf(dir), 'store.json'), JSON.stringify({ ...manifest, parts: manifest.parts.map(({ bytes: _b, sha256: _s, ...part }) => part) }));
    const before = await readFile(join(dir, 'p.csv'), 'utf8');
    const run = await runCli([...RUN, '-o', 'p.csv'], { env, cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /was written by an earlier version: recorded the size and checksum of its 2 parts/);
    assert.deepEqual((await manifestOf(dir)).parts.map(({ file, bytes, sha256 }) => ({ file, bytes, sha256 })), sealed.map(({ file, bytes, sha256 }) => ({ file, bytes, sha256 })));
    assert.equal(await readFile(join(dir, 'p.csv'), 'utf8'), before);
  }));
