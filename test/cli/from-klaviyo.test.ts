/**
 * `--from klaviyo` end to end: the built CLI in a child process against the stand-in serving the
 * fixture account, which checks every Get Metrics and Get Events request against the derived schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { csvRows, profileOf, runCli, tempDir } from '../support/cli.js';
import { PLACED_ORDER_ID, placedOrder, withFixtureAccount, writeJsonItemsExport } from '../support/event-account.js';
import type { KlaviyoStandIn } from '../support/klaviyo-stand-in.js';
import { API_KEY } from '../support/push-harness.js';

const AS_OF = ['--as-of', '2025-07-31'];

const withAccount = withFixtureAccount;

const eventRequests = (standIn: KlaviyoStandIn) => standIn.requests.filter((r) => r.path === '/api/events').length;

for (const mode of ['flow', 'window']) {
  test(`--from klaviyo gives byte for byte the profiles of the same orders exported as a json-items CSV (${mode} mode)`, () =>
    withAccount({ servedPageSize: 3 }, async (standIn, env) => {
      const dir = tempDir();
      const args = [...AS_OF, '--mode', mode, '--windows', '30,90'];
      const fromKlaviyo = await runCli(['--from', 'klaviyo', ...args, '-o', 'k.csv', '--json'], { env, cwd: dir });
      assert.equal(fromKlaviyo.code, 0, fromKlaviyo.stderr);
      const csv = await writeJsonItemsExport(dir, standIn.options.account!);
      const fromFile = await runCli([csv, ...args, '-o', 'f.csv'], { cwd: dir });
      assert.equal(fromFile.code, 0, fromFile.stderr);
      const [k, f] = [await readFile(join(dir, 'k.csv'), 'utf8'), await readFile(join(dir, 'f.csv'), 'utf8')];
      assert.equal(k, f);
      const rows = csvRows(k);
      assert.deepEqual(rows.map((r) => r.Email || r['Phone Number']), ['', 'ann@example.com', 'bob@example.com', 'cara@example.com', 'dan@example.com'].map((e, i) => (i === 0 ? '+15005550006' : e)));
      if (mode === 'flow') {
        assert.equal(profileOf(rows, 'bob@example.com').highest_order_value, '1000');
        assert.equal(profileOf(rows, 'ann@example.com').large_order_date, '2025-06-10 16:00:00');
        assert.equal(profileOf(rows, 'cara@example.com').small_order_date, '2025-06-20 10:00:00');
        assert.equal(profileOf(rows, 'bob@example.com').xlarge_order_date, '2025-05-11 13:00:00');
      }
      const summary = JSON.parse(fromKlaviyo.stdout) as { ordersRead: number; ordersWithoutEmail: number; rowsRejected: number; rejectsFile: string; fetch: { eventsNew: number; pages: number; requests: number; metricId: string } };
      assert.equal(summary.fetch.metricId, PLACED_ORDER_ID);
      assert.equal(summary.fetch.eventsNew, 13, 'the Viewed Product event is not fetched');
      assert.equal(summary.fetch.pages, 5, '13 events, 3 a page');
      assert.equal(summary.fetch.requests, 2 + 5, 'two Get Metrics pages, five Get Events pages');
      assert.equal(summary.ordersWithoutEmail, 2);
      assert.equal(summary.rowsRejected, 2);
      const rejects = csvRows(await readFile(join(dir, summary.rejectsFile), 'utf8'));
      assert.deepEqual(rejects.map((r) => [r.code, /^event (ev\d+):/.exec(r.reason ?? '')?.[1]]), [['BAD_VALUE', 'ev09'], ['BAD_ITEMS', 'ev10']]);
      const first = standIn.options.account!.eventRequests[0]!;
      assert.equal(first.filter, `equals(metric_id,"${PLACED_ORDER_ID}")`);
      assert.equal(first.pageSize, 1000);
    }));
}

test('the event store is private, compressed, and named by the metric, beside the config', () =>
  withAccount({}, async (_standIn, env) => {
    const dir = tempDir();
    const run = await runCli(['--from', 'klaviyo', ...AS_OF, '-o', 'p.csv', '-q'], { env, cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const store = join(dir, '.backfill', `events-${PLACED_ORDER_ID}`);
    const files = (await readdir(store)).sort();
    assert.deepEqual(files, ['part-000001.ndjson.gz', 'store.json']);
    for (const file of files) assert.equal((await stat(join(store, file))).mode & 0o777, 0o600, file);
    const part = await readFile(join(store, files[0]!));
    assert.deepEqual([...part.subarray(0, 2)], [0x1f, 0x8b], 'gzip');
    assert.doesNotMatch(part.toString('latin1'), /ann@example\.com/, 'compressed, not plain text');
  }));

test('a second run fetches only from the newest event held less the overlap, and gives the profiles a fresh run gives', () =>
  withAccount({ servedPageSize: 2 }, async (standIn, env) => {
    const dir = tempDir();
    const account = standIn.options.account!;
    assert.equal((await runCli(['--from', 'klaviyo', ...AS_OF, '-o', 'p1.csv', '-q'], { env, cwd: dir })).code, 0);
    assert.equal(eventRequests(standIn), 7, '13 events, 2 a page');
    account.events.push(
      placedOrder('ev20', '2025-07-01T10:00:00+00:00', 'ann@example.com', 2000, [{ Size: 'small' }]),
      placedOrder('ev21', '2025-07-02T10:00:00+00:00', 'eve@example.com', 10),
      placedOrder('ev22', '2025-07-03T10:00:00+00:00', 'eve@example.com', 20),
      placedOrder('ev23', '2025-07-04T10:00:00+00:00', 'eve@example.com', 30),
    );
    const before = eventRequests(standIn);
    const second = await runCli(['--from', 'klaviyo', ...AS_OF, '-o', 'p2.csv', '--json'], { env, cwd: dir });
    assert.equal(second.code, 0, second.stderr);
    // The store's newest is 2025-06-28T10:00Z; 72 hours earlier brings ev12, ev13 again, then the 4 new.
    assert.equal(eventRequests(standIn) - before, 3, 'six events from the overlap on, two a page');
    assert.equal(account.eventRequests.at(-3)!.filter, `and(equals(metric_id,"${PLACED_ORDER_ID}"),greater-or-equal(datetime,2025-06-25T10:00:00.000Z))`);
    const fetch = (JSON.parse(second.stdout) as { fetch: { eventsNew: number; eventsDeduplicated: number; storeEvents: number } }).fetch;
    assert.deepEqual([fetch.eventsNew, fetch.eventsDeduplicated, fetch.storeEvents], [4, 2, 17]);
    const fresh = tempDir();
    assert.equal((await runCli(['--from', 'klaviyo', ...AS_OF, '-o', 'p.csv', '-q'], { env, cwd: fresh })).code, 0);
    assert.equal(await readFile(join(dir, 'p2.csv'), 'utf8'), await readFile(join(fresh, 'p.csv'), 'utf8'));
    assert.equal(profileOf(csvRows(await readFile(join(dir, 'p2.csv'), 'utf8')), 'ann@example.com').highest_order_value, '2000');
  }));

test('a late event inside the overlap is picked up once; one before it needs --refetch, which rebuilds the store', () =>
  withAccount({}, async (standIn, env) => {
    const dir = tempDir();
    const account = standIn.options.account!;
    assert.equal((await runCli(['--from', 'klaviyo', ...AS_OF, '-o', 'p.csv', '-q'], { env, cwd: dir })).code, 0);
    // Arrives after the run, dated before the newest event it fetched (2025-06-28), within 72 hours.
    account.events.push(placedOrder('late1', '2025-06-27T09:00:00+00:00', 'dan@example.com', 500, [{ Size: 'medium' }]));
    account.events.push(placedOrder('late2', '2025-06-01T09:00:00+00:00', 'dan@example.com', 700));
    const fetchOf = (stdout: string) => (JSON.parse(stdout) as { fetch: { eventsNew: number; storeEvents: number } }).fetch;
    for (const expected of [1, 0]) {
      const run = await runCli(['--from', 'klaviyo', ...AS_OF, '-o', 'p.csv', '--json'], { env, cwd: dir });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(fetchOf(run.stdout).eventsNew, expected);
      assert.equal(fetchOf(run.stdout).storeEvents, 14);
      const dan = profileOf(csvRows(await readFile(join(dir, 'p.csv'), 'utf8')), 'dan@example.com');
      assert.equal(dan.medium_order_date, '2025-06-27 09:00:00');
      assert.equal(dan.highest_order_value, '500', 'late2 is outside the overlap and not fetched');
    }
    const rebuilt = await runCli(['--from', 'klaviyo', ...AS_OF, '-o', 'p.csv', '--json', '--refetch'], { env, cwd: dir });
    assert.equal(fetchOf(rebuilt.stdout).storeEvents, 15);
    assert.equal(profileOf(csvRows(await readFile(join(dir, 'p.csv'), 'utf8')), 'dan@example.com').highest_order_value, '700');
  }));

test('--since limits a first fetch; a different --since on an existing store is refused with the next step', () =>
  withAccount({}, async (standIn, env) => {
    const dir = tempDir();
    const run = await runCli(['--from', 'klaviyo', '--since', '2025-06-01', ...AS_OF, '-o', 'p.csv', '--json'], { env, cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(standIn.options.account!.eventRequests[0]!.filter, `and(equals(metric_id,"${PLACED_ORDER_ID}"),greater-or-equal(datetime,2025-06-01T00:00:00.000Z))`);
    assert.equal((JSON.parse(run.stdout) as { fetch: { eventsNew: number } }).fetch.eventsNew, 10);
    const other = await runCli(['--from', 'klaviyo', '--since', '2025-01-01', ...AS_OF, '-o', 'p.csv'], { env, cwd: dir });
    assert.equal(other.code, 2);
    assert.match(other.stderr, /--since applies to a first fetch/);
    assert.match(other.stderr, /--refetch/);
  }));

test('two metrics of the name are an error listing both with their integration; --metric-id picks one', () =>
  withAccount({}, async (standIn, env) => {
    standIn.options.account!.metrics.push({ id: 'ApI9Zz', name: 'Placed Order', integration: { name: 'API', category: 'API' } });
    const dir = tempDir();
    const ambiguous = await runCli(['--from', 'klaviyo', ...AS_OF, '-o', 'p.csv'], { env, cwd: dir });
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, /2 metrics named "Placed Order": RkXyZ1 \(Shopify\), ApI9Zz \(API\)/);
    assert.match(ambiguous.stderr, /--metric-id/);
    const chosen = await runCli(['--from', 'klaviyo', '--metric-id', PLACED_ORDER_ID, ...AS_OF, '-o', 'p.csv', '-q'], { env, cwd: dir });
    assert.equal(chosen.code, 0, chosen.stderr);
    assert.equal(standIn.requests.filter((r) => r.path === '/api/metrics').length, 2, 'no lookup with --metric-id');
    const missing = await runCli(['--from', 'klaviyo', '--metric', 'Ordered Product', ...AS_OF, '-o', 'p.csv'], { env, cwd: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no metric named "Ordered Product"/);
  }));

test('a key without events:read or metrics:read gets a message naming the scope', () =>
  withAccount({}, async (standIn, env) => {
    standIn.faults.push({ on: 'metrics', kind: 'status', status: 403, detail: 'You do not have permission to perform this action.' });
    const noMetrics = await runCli(['--from', 'klaviyo', ...AS_OF, '-o', 'p.csv'], { env });
    assert.equal(noMetrics.code, 2);
    assert.match(noMetrics.stderr, /scopes: metrics:read/);
    standIn.faults.push({ on: 'events', kind: 'status', status: 403, detail: 'You do not have permission to perform this action.' });
    const noEvents = await runCli(['--from', 'klaviyo', '--metric-id', PLACED_ORDER_ID, ...AS_OF, '-o', 'p.csv'], { env });
    assert.equal(noEvents.code, 2);
    assert.match(noEvents.stderr, /scopes: events:read/);
    assert.doesNotMatch(noEvents.stderr + noMetrics.stderr, new RegExp(API_KEY));
  }));

test('429 with Retry-After, 5xx and a reset are retried, and a refused page size falls back to 200', () =>
  withAccount({ maxPageSize: 200, servedPageSize: 4 }, async (standIn, env) => {
    standIn.faults.push(
      { on: 'events', kind: 'status', status: 429, retryAfter: '1' },
      { on: 'metrics', kind: 'status', status: 503 },
    );
    let eventsSeen = 0;
    standIn.onRequest = (route) => {
      if (route === 'events' && ++eventsSeen === 3) standIn.faults.push({ on: 'events', kind: 'reset' }, { on: 'events', kind: 'status', status: 500 });
    };
    const dir = tempDir();
    const run = await runCli(['--from', 'klaviyo', ...AS_OF, '-o', 'p.csv', '--json'], { env, cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const fetch = (JSON.parse(run.stdout) as { fetch: { eventsNew: number; pageSize: number; retries: number; pages: number } }).fetch;
    assert.equal(fetch.eventsNew, 13);
    assert.equal(fetch.pageSize, 200);
    assert.equal(fetch.pages, 4);
    assert.ok(fetch.retries >= 3, `retries: ${fetch.retries}`);
    // Not at a terminal: each request that is retried says so once, as push does.
    assert.match(run.stderr, /GET \/api\/metrics failed \(.*503.*\); retrying up to/);
    assert.match(run.stderr, /GET \/api\/events failed \(network error.*\); retrying up to/);
    const sizes = standIn.options.account!.eventRequests.map((r) => r.pageSize);
    // The 429 is answered before the page size is looked at; then 1000 is refused, 200 asked, and the
    // links.next Klaviyo sends (with the size it serves) followed as given.
    assert.deepEqual(sizes, [1000, 200, 4, 4, 4]);
  }));

test('usage: files and --from klaviyo together, and klaviyo flags without it, stop with the next step', async () => {
  const both = await runCli(['orders.csv', '--from', 'klaviyo']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /leave out the files/);
  const stray = await runCli(['orders.csv', '--refetch']);
  assert.equal(stray.code, 2);
  assert.match(stray.stderr, /--refetch go with --from klaviyo/);
  const none = await runCli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no order files given/);
  const noKey = await runCli(['--from', 'klaviyo']);
  assert.equal(noKey.code, 2);
  assert.match(noKey.stderr, /KLAVIYO_API_KEY/);
});
