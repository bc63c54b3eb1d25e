/**
 * `--from klaviyo` against a server or network that misbehaves: a cursor that leads back to a page
 * already read, a Retry-After of decades, a body that drips, an HTML page with 200, pages that drop
 * the profiles they name, events without a proper id, pages too large to hold. The built CLI in a
 * child process against the stand-in; each run ends by itself, with a code and a message that says
 * what happened.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { csvRows, REPO_ROOT, runCli, spawnCli, tempDir } from '../support/cli.js';
import { placedOrder, withFixtureAccount } from '../support/event-account.js';
import type { KlaviyoStandIn } from '../support/klaviyo-stand-in.js';
import { linkToItself, type JsonObject } from '../support/stand-in-hostile.js';

const RUN = ['--from', 'klaviyo', '--as-of', '2025-07-31', '-o', 'p.csv'];

const eventRequests = (standIn: KlaviyoStandIn) => standIn.requests.filter((r) => r.path === '/api/events').length;

/** The pacing of the other CLI tests, with some fields changed. */
function tuned(env: Record<string, string>, fields: Record<string, number>): Record<string, string> {
  return { ...env, BACKFILL_PUSH_TUNING: JSON.stringify({ ...JSON.parse(env.BACKFILL_PUSH_TUNING!), ...fields }) };
}

async function storedEvents(dir: string): Promise<number> {
  const manifest = JSON.parse(await readFile(join(dir, '.backfill', 'events-RkXyZ1', 'store.json'), 'utf8')) as { parts: { events: number }[] };
  return manifest.parts.reduce((sum, part) => sum + part.events, 0);
}

test('a links.next that leads back to a page already read stops the fetch (exit 4, saying why), keeping what was read', () =>
  withFixtureAccount({ servedPageSize: 3 }, async (standIn, env) => {
    // From the second page on, each page links to itself: at most 20 times, so a client that follows it still ends.
    let seen = 0;
    standIn.onRequest = (route) => {
      if (route === 'events' && ++seen >= 2 && seen <= 21) standIn.faults.push({ on: 'events', kind: 'rewrite', rewrite: linkToItself });
    };
    const dir = tempDir();
    const run = await runCli(RUN, { env, cwd: dir });
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, /links\.next on page 2 of GET \/api\/events points to the page of cursor 3, which was already read: following it would read the same pages forever/);
    assert.equal(eventRequests(standIn), 2, 'the cursor is not followed');
    assert.equal(await storedEvents(dir), 6, 'the two pages read are kept');
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  }));

test('two pages that link to each other stop the fetch the same way', () =>
  withFixtureAccount({ servedPageSize: 3 }, async (standIn, env) => {
    // The third page links back to the second (cursor 3), once.
    let seen = 0;
    standIn.onRequest = (route) => {
      if (route !== 'events' || ++seen !== 3) return;
      const back = (body: JsonObject) => {
        const next = new URL((body.links as { self: string }).self);
        next.searchParams.set('page[cursor]', '3');
        return { ...body, links: { ...(body.links as JsonObject), next: next.href } };
      };
      standIn.faults.push({ on: 'events', kind: 'rewrite', rewrite: back });
    };
    const run = await runCli(RUN, { env });
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, /links\.next on page 3 of GET \/api\/events points to the page of cursor 3, which was already read/);
    assert.equal(eventRequests(standIn), 3);
  }));

test('a Retry-After of 4,000,000,000 s is waited out 60 s at most and said so; the run gives up within its tries (exit 4), no timer warnings', () =>
  withFixtureAccount({}, async (standIn, env) => {
    for (let i = 0; i < 8; i++) standIn.faults.push({ on: 'events', kind: 'status', status: 429, retryAfter: '4000000000' });
    // A Retry-After second is 1 ms here, so the 60 s cap is 60 ms (and 4e9 ms is past what a Node timer holds).
    const { child, done } = spawnCli(RUN, { env: tuned(env, { retryAfterUnitMs: 1 }) });
    child.stdin!.end();
    // A client that hands the wait to a timer as it is spins, warning each time: stop it at the first warning.
    child.stderr!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('TimeoutOverflowWarning')) child.kill();
    });
    const run = await done;
    assert.doesNotMatch(run.stderr, /TimeoutOverflowWarning/);
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, /gave up on GET \/api\/events after 8 tries: 429 .*\(Retry-After 4000000000 s; waiting 60 s at most\)/);
    assert.equal(eventRequests(standIn), 8);
  }));

test('the timeout covers the whole answer: a body that drips past it is given up on and asked for again', () =>
  withFixtureAccount({}, async (standIn, env) => {
    // The first page's body takes 50 x 60 ms = 3 s to arrive; the client waits 500 ms for a whole answer.
    standIn.faults.push({ on: 'events', kind: 'drip', pieces: 50, everyMs: 60 });
    // Garbage is collected every 20 ms, as in any long run: a timeout kept alive by nothing but luck is lost.
    const gc = `--expose-gc --import ${join(REPO_ROOT, 'dist', 'test', 'support', 'gc-pressure.js')}`;
    const run = await runCli([...RUN, '--json'], { env: { ...tuned(env, { requestTimeoutMs: 500 }), NODE_OPTIONS: gc } });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /GET \/api\/events failed \(no complete answer within 500 ms\); retrying/);
    const fetch = (JSON.parse(run.stdout) as { fetch: { retries: number; eventsNew: number } }).fetch;
    assert.ok(fetch.retries >= 1, `retries: ${fetch.retries}`);
    assert.equal(fetch.eventsNew, 13);
  }));

test('a 200 in HTML (a proxy, a wrong base URL) says Klaviyo did not answer JSON, exit 4, and is not retried', () =>
  withFixtureAccount({}, async (standIn, env) => {
    standIn.faults.push({ on: 'events', kind: 'html' });
    const run = await runCli(RUN, { env });
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, /Klaviyo did not answer GET \/api\/events with JSON: HTTP 200 with an HTML page \(text\/html\)/);
    assert.match(run.stderr, /proxy .* or a wrong KLAVIYO_BASE_URL/);
    assert.equal(eventRequests(standIn), 1);
    standIn.faults.push({ on: 'metrics', kind: 'html' });
    const metrics = await runCli(RUN, { env });
    assert.equal(metrics.code, 4, metrics.stderr);
    assert.match(metrics.stderr, /Klaviyo did not answer GET \/api\/metrics with JSON/);
  }));

test('a page that names profiles it does not include stops the fetch (exit 4) and stores none of its events; the next run completes', () =>
  withFixtureAccount({ servedPageSize: 3 }, async (standIn, env) => {
    const dropIncluded = ({ included: _dropped, ...page }: JsonObject) => page;
    let seen = 0;
    standIn.onRequest = (route) => {
      if (route === 'events' && ++seen === 2) standIn.faults.push({ on: 'events', kind: 'rewrite', rewrite: dropIncluded });
    };
    const dir = tempDir();
    const run = await runCli(RUN, { env, cwd: dir });
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, /Get Events page 2 names the profile of 3 of its 3 events without including it: their orders would have no email/);
    assert.doesNotMatch(run.stderr, /every order was placed after --as-of/);
    assert.equal(await storedEvents(dir), 3, 'only the first page is stored');
    const again = await runCli([...RUN, '--json'], { env, cwd: dir });
    assert.equal(again.code, 0, again.stderr);
    const fresh = tempDir();
    assert.equal((await runCli(RUN, { env, cwd: fresh })).code, 0);
    assert.equal(await readFile(join(dir, 'p.csv'), 'utf8'), await readFile(join(fresh, 'p.csv'), 'utf8'));
  }));

test('an event with a numeric id is read; one without an id goes to the rejects file with the reason', () =>
  withFixtureAccount({ servedPageSize: 3 }, async (standIn, env) => {
    const clean = await runCli([...RUN, '--json'], { env });
    assert.equal(clean.code, 0, clean.stderr);
    const ids = (page: JsonObject) => {
      const [first, second, ...rest] = page.data as JsonObject[];
      const { id: _id, ...withoutId } = second!;
      return { ...page, data: [{ ...first, id: 1001 }, withoutId, ...rest] };
    };
    standIn.faults.push({ on: 'events', kind: 'rewrite', rewrite: ids });
    const dir = tempDir();
    const run = await runCli([...RUN, '--json'], { env, cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    type Summary = { ordersRead: number; rowsRejected: number; rejectsFile: string };
    const [before, after] = [JSON.parse(clean.stdout) as Summary, JSON.parse(run.stdout) as Summary];
    assert.equal(after.ordersRead, before.ordersRead - 1, 'the numeric id is an order; the one without an id is not');
    assert.equal(after.rowsRejected, before.rowsRejected + 1);
    const rejects = csvRows(await readFile(join(dir, after.rejectsFile), 'utf8'));
    const rejected = rejects.find((r) => r.code === 'BAD_EVENT');
    assert.match(rejected?.reason ?? '', /event without an id: Klaviyo sent none, or one that is neither text nor a whole number/);
    assert.match(rejected?.raw ?? '', /2025-05-11T09:00:00-04:00/, 'the event itself is in the rejects file');
  }));

test('a page too large to hold is asked for again in smaller pages; one event too large stops the run (exit 2) saying what to do', () =>
  withFixtureAccount({}, async (standIn, env) => {
    const small = tuned(env, { maxResponseBytes: 3000 });
    const dir = tempDir();
    const run = await runCli([...RUN, '--json'], { env: small, cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const fetch = (JSON.parse(run.stdout) as { fetch: { pageSize: number; eventsNew: number; pages: number } }).fetch;
    assert.deepEqual([fetch.eventsNew, fetch.pageSize, fetch.pages], [13, 1, 13]);
    assert.deepEqual(standIn.options.account!.eventRequests.slice(0, 4).map((r) => r.pageSize), [1000, 100, 10, 1]);
    const fresh = tempDir();
    assert.equal((await runCli(RUN, { env, cwd: fresh })).code, 0);
    assert.equal(await readFile(join(dir, 'p.csv'), 'utf8'), await readFile(join(fresh, 'p.csv'), 'utf8'));

    const huge = placedOrder('big1', '2025-07-05T10:00:00+00:00', 'ann@example.com', 5, [{ Size: 'small', Note: 'x'.repeat(4000) }]);
    standIn.options.account!.events.push(huge);
    const stuck = await runCli(RUN, { env: small, cwd: dir });
    assert.equal(stuck.code, 2, stuck.stderr);
    assert.match(stuck.stderr, /Get Events page is over 3000 bytes even at one event a page: the first event after 2025-06-28T10:00:00\+00:00 is larger than a run can hold/);
    assert.match(stuck.stderr, /--refetch --since/);
  }));
