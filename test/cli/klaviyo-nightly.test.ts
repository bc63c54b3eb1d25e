/**
 * The nightly run from Klaviyo, as cron runs it: `push --incremental --from klaviyo`, `diff --from
 * klaviyo`, and a fetch killed with SIGKILL and run again. The built CLI in child processes, the
 * stand-in serving the fixture account and the bulk import, the store and state on disk between runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, spawnCli, tempDir } from '../support/cli.js';
import { placedOrder, withFixtureAccount } from '../support/event-account.js';
import type { KlaviyoStandIn } from '../support/klaviyo-stand-in.js';

const NIGHTLY = ['push', '--incremental', '--from', 'klaviyo', '--yes', '--as-of', '2025-07-31'];

const withStandIn = (servedPageSize: number, run: Parameters<typeof withFixtureAccount>[1]) => withFixtureAccount({ servedPageSize }, run);

const posts = (standIn: KlaviyoStandIn) => standIn.requests.filter((r) => r.method === 'POST').length;

test('push --incremental --from klaviyo: the first night sends every profile, a quiet night sends nothing, a new order sends its profile', () =>
  withStandIn(5, async (standIn, env) => {
    const dir = tempDir();
    const first = await runCli([...NIGHTLY, '--run-log', join(dir, 'n1.ndjson')], { env, cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr.trimEnd().split('\n').length, 1, `one summary line: ${first.stderr}`);
    assert.match(first.stderr, /13 new events fetched from Klaviyo metric "Placed Order" \(RkXyZ1\)/);
    // The phone-only profile is not sent: the import keys on email.
    assert.deepEqual(standIn.imported.map((p) => p.email).sort(), ['ann@example.com', 'bob@example.com', 'cara@example.com', 'dan@example.com']);

    const postsBefore = posts(standIn);
    const quiet = await runCli([...NIGHTLY, '--run-log', join(dir, 'n2.ndjson'), '--json'], { env, cwd: dir });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(posts(standIn), postsBefore, 'nothing sent');
    const summary = JSON.parse(quiet.stdout) as { sent: number; fetch: { eventsNew: number; eventsDeduplicated: number } };
    assert.equal(summary.sent, 0);
    assert.deepEqual([summary.fetch.eventsNew, summary.fetch.eventsDeduplicated], [0, 2], 'the overlap brings ev12 and ev13 again');

    standIn.options.account!.events.push(placedOrder('ev30', '2025-07-10T10:00:00+00:00', 'bob@example.com', 5000, [{ Size: 'large' }]));
    const jobsBefore = standIn.jobs.length;
    const next = await runCli([...NIGHTLY, '--run-log', join(dir, 'n3.ndjson')], { env, cwd: dir });
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(standIn.jobs.slice(jobsBefore).flatMap((job) => job.profiles.map((p) => [p.email, p.properties.highest_order_value, p.properties.large_order_date])), [
      ['bob@example.com', 5000, '2025-07-10 10:00:00'],
    ]);

    const diff = await runCli(['diff', '--from', 'klaviyo', '--against', 'klaviyo', '--as-of', '2025-07-31', '--json', '--exit-code'], { env, cwd: dir });
    assert.equal(diff.code, 0, diff.stderr);
    const counts = (JSON.parse(diff.stdout) as { counts: { added: number; changed: number; unchanged: number } }).counts;
    assert.deepEqual([counts.added, counts.changed, counts.unchanged], [0, 0, 4]);
  }));

test('a fetch killed with SIGKILL keeps the pages it wrote; the rerun fetches from there and gives the uninterrupted result', () =>
  withStandIn(2, async (standIn, env) => {
    const dir = tempDir();
    const args = ['--from', 'klaviyo', '--as-of', '2025-07-31', '--part-events', '2', '-o', 'p.csv', '--json'];
    const { child, done } = spawnCli(args, { env, cwd: dir });
    child.stdin!.end();
    let events = 0;
    standIn.onRequest = (route) => {
      if (route === 'events' && ++events === 4) child.kill('SIGKILL');
    };
    const killed = await done;
    standIn.onRequest = undefined;
    assert.equal(killed.signal, 'SIGKILL');

    // What the killed run kept: whole parts only (the store's manifest lists them).
    const manifest = JSON.parse(await readFile(join(dir, '.backfill', 'events-RkXyZ1', 'store.json'), 'utf8')) as { parts: { events: number; newest: number }[] };
    const held = manifest.parts.reduce((sum, part) => sum + part.events, 0);
    assert.ok(held >= 2 && held < 13, `kept ${held} events`);
    const newest = Math.max(...manifest.parts.map((part) => part.newest));
    const again = standIn.options.account!.events.filter((e) => e.metricId === 'RkXyZ1' && Date.parse(e.datetime) >= newest - 72 * 3_600_000).length;

    const before = standIn.requests.filter((r) => r.path === '/api/events').length;
    const rerun = await runCli(args, { env, cwd: dir });
    assert.equal(rerun.code, 0, rerun.stderr);
    const fetch = (JSON.parse(rerun.stdout) as { fetch: { eventsNew: number; eventsDeduplicated: number; storeEvents: number } }).fetch;
    // The rerun asks only from 72 hours before the newest event kept, two events a page.
    assert.equal(standIn.requests.filter((r) => r.path === '/api/events').length - before, Math.ceil(again / 2));
    assert.ok(Math.ceil(again / 2) < 7, 'fewer pages than a fetch from the start');
    assert.deepEqual([fetch.eventsNew, fetch.storeEvents], [13 - held, 13]);
    assert.equal(fetch.eventsDeduplicated, again - (13 - held));

    const fresh = tempDir();
    const uninterrupted = await runCli(args, { env, cwd: fresh });
    assert.equal(uninterrupted.code, 0, uninterrupted.stderr);
    assert.equal(await readFile(join(dir, 'p.csv'), 'utf8'), await readFile(join(fresh, 'p.csv'), 'utf8'));
  }));

test('push --resume of a push from Klaviyo reads the same store again without fetching', () =>
  withStandIn(5, async (standIn, env) => {
    const dir = tempDir();
    const runLog = join(dir, 'push.ndjson');
    const { child, done } = spawnCli(['push', '--from', 'klaviyo', '--yes', '--as-of', '2025-07-31', '--batch-size', '1', '--run-log', runLog], { env, cwd: dir });
    child.stdin!.end();
    standIn.onJobCreated = () => {
      if (standIn.jobs.length === 2) child.kill('SIGKILL');
    };
    assert.equal((await done).signal, 'SIGKILL');
    standIn.onJobCreated = undefined;
    const eventsBefore = standIn.requests.filter((r) => r.path === '/api/events' || r.path === '/api/metrics').length;
    const resumed = await runCli(['push', '--resume', runLog], { env, cwd: dir });
    // 3: the phone-only profile cannot be imported (the import keys on email); everything else was.
    assert.equal(resumed.code, 3, resumed.stderr);
    assert.match(resumed.stderr, /4 of 5 profiles sent; 4 imported; 1 rejected/);
    assert.equal(standIn.requests.filter((r) => r.path === '/api/events' || r.path === '/api/metrics').length, eventsBefore, 'no fetch on resume');
    assert.deepEqual(standIn.imported.map((p) => p.email).sort(), ['ann@example.com', 'bob@example.com', 'cara@example.com', 'dan@example.com']);
  }));
