/**
 * What push says when it is not on a terminal and the endpoint fails: one line per retry wave, naming
 * the request, the cause and how long it can keep trying; and BACKFILL_PUSH_TUNING misuse is a usage error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { KlaviyoStandIn } from '../support/klaviyo-stand-in.js';
import { SHOPIFY_ORDERS } from '../support/orders.js';
import { API_KEY, fastPushEnv } from '../support/push-harness.js';
import { runCli, tempDir } from '../support/cli.js';

const PUSH = ['push', SHOPIFY_ORDERS, '--as-of', '2025-06-30', '--yes', '--run-log', 'push.ndjson'];
const retryLines = (stderr: string) => stderr.split('\n').filter((line) => line.includes('; retrying up to '));

test('push without a terminal: a request that fails three times says so once, with the cause and the longest it can take', async () => {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY }).start();
  for (let i = 0; i < 3; i++) standIn.faults.push({ on: 'create', kind: 'status', status: 503 });
  try {
    // The fast tuning: back-off 5 ms doubling to 20 ms, 5 s timeouts, 8 tries: 7 x 5 s + 5 x 1.5 x (5+10+20x5) ms.
    const run = await runCli(PUSH, { cwd: tempDir(), env: fastPushEnv({ KLAVIYO_BASE_URL: standIn.baseUrl, KLAVIYO_API_KEY: API_KEY }) });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(retryLines(run.stderr), [
      'backfill: POST /api/profile-bulk-import-jobs failed (503 Error. Injected 503.); retrying up to 7 more times for at most 36 s, then stopping with exit 4 (resumable)',
    ]);
  } finally {
    await standIn.stop();
  }
});

test('push without a terminal to an endpoint that does not answer: one line for the wave, then exit 4', async () => {
  // A port that was just free: nothing listens there.
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  const run = await runCli(PUSH, { cwd: tempDir(), env: fastPushEnv({ KLAVIYO_BASE_URL: `http://127.0.0.1:${port}`, KLAVIYO_API_KEY: API_KEY }) });
  assert.equal(run.code, 4, run.stderr);
  const lines = retryLines(run.stderr);
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0]!, /^backfill: POST \/api\/profile-bulk-import-jobs failed \(network error \(ECONNREFUSED\)\); retrying up to 7 more times for at most 36 s/);
});

test('BACKFILL_PUSH_TUNING that is not JSON, not an object, or has a field other than a timing field is a usage error', async () => {
  for (const [value, message] of [
    ['{"pollIntervalMs": 5', /BACKFILL_PUSH_TUNING is not JSON/],
    ['[5]', /BACKFILL_PUSH_TUNING must be a JSON object/],
    ['{"profilesPerJob": 1000}', /BACKFILL_PUSH_TUNING has the field "profilesPerJob", which is not a timing field/],
    ['{"maxAttempts": 1}', /has the field "maxAttempts", which is not a timing field/],
    ['{"pollIntervalMs": "5"}', /field "pollIntervalMs" must be a number, 0 or more/],
    ['{"burst": -1}', /field "burst" must be a number, 0 or more/],
  ] as const) {
    const dir = tempDir();
    const run = await runCli(PUSH, { cwd: dir, env: { BACKFILL_PUSH_TUNING: value, KLAVIYO_BASE_URL: 'http://127.0.0.1:9', KLAVIYO_API_KEY: API_KEY } });
    assert.equal(run.code, 2, `${value}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /unexpected error|    at /);
    assert.deepEqual(await readdir(dir), [], `${value}: nothing written`);
  }
});

test('push without a terminal: a first failure that is a 429 is announced too, and the summary counts the retries', async () => {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY }).start();
  standIn.faults.push({ on: 'create', kind: 'status', status: 429, retryAfter: '1' });
  try {
    const run = await runCli(PUSH, { cwd: tempDir(), env: fastPushEnv({ KLAVIYO_BASE_URL: standIn.baseUrl, KLAVIYO_API_KEY: API_KEY }) });
    assert.equal(run.code, 0, run.stderr);
    const lines = retryLines(run.stderr);
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /^backfill: POST \/api\/profile-bulk-import-jobs failed \(429 /);
    assert.match(run.stderr, /; \d+ requests to Klaviyo, 1 retry\n$/);

    const json = await runCli([...PUSH.filter((a) => a !== 'push.ndjson' && a !== '--run-log'), '--json'], { cwd: tempDir(), env: fastPushEnv({ KLAVIYO_BASE_URL: standIn.baseUrl, KLAVIYO_API_KEY: API_KEY }) });
    assert.equal(json.code, 0, json.stderr);
    const summary = JSON.parse(json.stdout) as { requests: number; retries: number };
    assert.equal(summary.retries, 0);
    assert.ok(summary.requests > 0);
  } finally {
    await standIn.stop();
  }
});
