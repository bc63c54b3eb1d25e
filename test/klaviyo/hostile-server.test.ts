/**
 * The shared HTTP layer and paging against a misbehaving server, on the paths other than Get Events
 * (tested end to end in test/cli/klaviyo-hostile.test.ts): Get Profiles (diff --against klaviyo), Get
 * Metrics (the paging every named lookup shares), the import job list and a bulk import create
 * (push). In-process against the stand-in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitCodeOfError } from '../../src/cli/exit-codes.js';
import { BackfillError } from '../../src/errors.js';
import { systemClock } from '../../src/klaviyo/clock.js';
import { KlaviyoHttp } from '../../src/klaviyo/http.js';
import { JobsApi } from '../../src/klaviyo/jobs-api.js';
import { findMetricByName } from '../../src/klaviyo/metrics-api.js';
import { readKlaviyoProfiles } from '../../src/klaviyo/profiles-api.js';
import { TokenBucket } from '../../src/klaviyo/token-bucket.js';
import { DEFAULT_TUNING, type PushTuning } from '../../src/klaviyo/tuning.js';
import { KlaviyoStandIn } from '../support/klaviyo-stand-in.js';
import { API_KEY, assertAccounted, pushTo } from '../support/push-harness.js';
import { generateRows } from '../support/profiles.js';
import { EventAccount } from '../support/stand-in-events.js';
import { linkToItself } from '../support/stand-in-hostile.js';
import { VirtualClock } from '../support/virtual-clock.js';

// Real time for the timeout (the rest is virtual): long enough for a loaded machine, short against a 2 s drip.
const TUNING: PushTuning = { ...DEFAULT_TUNING, requestTimeoutMs: 1000 };

async function withStandIn(run: (standIn: KlaviyoStandIn) => Promise<void>): Promise<void> {
  const metrics = ['Placed Order', 'Viewed Product', 'Started Checkout', 'Active on Site', 'Clicked Email'].map((name, i) => ({ id: `M${i}`, name }));
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY, pageSizeCap: 2, account: new EventAccount(metrics, []) }).start();
  try {
    await run(standIn);
  } finally {
    await standIn.stop();
  }
}

const reader = (standIn: KlaviyoStandIn, tuning: PushTuning = TUNING) => ({ connection: { baseUrl: standIn.baseUrl, apiKey: API_KEY, revision: '2026-07-15' }, tuning, clock: new VirtualClock() });

async function profilesOf(standIn: KlaviyoStandIn, tuning?: PushTuning): Promise<number> {
  let count = 0;
  for await (const page of readKlaviyoProfiles(['a@example.com', 'b@example.com', 'c@example.com'], ['x'], reader(standIn, tuning))) count += page.length;
  return count;
}

function failsWith(code: string, exit: number, message: RegExp): (error: unknown) => boolean {
  return (error) => error instanceof BackfillError && error.code === code && exitCodeOfError(error.code) === exit && message.test(error.message);
}

test('a page linking to itself stops Get Profiles, Get Metrics and the job list with exit 4 after one request', () =>
  withStandIn(async (standIn) => {
    for (const email of ['a@example.com', 'b@example.com', 'c@example.com']) standIn.profiles.set(email, { x: 1 });
    standIn.faults.push({ on: 'profiles', kind: 'rewrite', rewrite: linkToItself });
    await assert.rejects(profilesOf(standIn), failsWith('KLAVIYO_UNAVAILABLE', 4, /links\.next on page 1 of GET \/api\/profiles points to the first page, which was already read/));
    assert.equal(standIn.requests.filter((r) => r.path === '/api/profiles').length, 1);
    assert.equal(await profilesOf(standIn), 3, 'without the fault, every page is read');

    standIn.faults.push({ on: 'metrics', kind: 'rewrite', rewrite: linkToItself });
    await assert.rejects(findMetricByName('Clicked Email', reader(standIn)), failsWith('KLAVIYO_UNAVAILABLE', 4, /page 1 of GET \/api\/metrics/));

    const http = new KlaviyoHttp({ connection: reader(standIn).connection, tuning: TUNING, clock: systemClock, bucket: new TokenBucket(systemClock, 10, 150), stop: new AbortController().signal });
    const jobs = new JobsApi(http);
    for (let i = 0; i < 3; i++) await jobs.createOnce(JSON.stringify({ data: { type: 'profile-bulk-import-job', attributes: { profiles: { data: [{ type: 'profile', attributes: { email: `j${i}@example.com`, properties: { x: i } } }] } } } }));
    standIn.faults.push({ on: 'list', kind: 'rewrite', rewrite: linkToItself });
    const listed = async () => {
      for await (const _job of jobs.recentJobs());
    };
    await assert.rejects(listed(), failsWith('KLAVIYO_UNAVAILABLE', 4, /GET \/api\/profile-bulk-import-jobs/));
  }));

test('an HTML 200 on Get Profiles says Klaviyo did not answer JSON (exit 4); a dripping body is timed out and asked for again', () =>
  withStandIn(async (standIn) => {
    standIn.profiles.set('a@example.com', { x: 1 });
    standIn.faults.push({ on: 'profiles', kind: 'html' });
    await assert.rejects(profilesOf(standIn), failsWith('KLAVIYO_UNAVAILABLE', 4, /Klaviyo did not answer GET \/api\/profiles with JSON: HTTP 200 with an HTML page/));
    const before = standIn.requests.length;
    standIn.faults.push({ on: 'profiles', kind: 'drip', pieces: 40, everyMs: 50 });
    assert.equal(await profilesOf(standIn), 1);
    assert.equal(standIn.requests.length - before, 2, 'the dripping answer was given up on and asked for once more');
  }));

test('an answer over the size limit is not read (exit 2), nor retried', () =>
  withStandIn(async (standIn) => {
    for (const email of ['a@example.com', 'b@example.com', 'c@example.com']) standIn.profiles.set(email, { x: 'y'.repeat(2000) });
    await assert.rejects(profilesOf(standIn, { ...TUNING, maxResponseBytes: 1000 }), failsWith('KLAVIYO_TOO_LARGE', 2, /answer to GET \/api\/profiles is over 1000 bytes, more than a run holds/));
    assert.equal(standIn.requests.length, 1);
  }));

test('a bulk import answered with an HTML 200 stops the push (exit 4) with the batch unconfirmed; a resume finds its job and sends nothing twice', () =>
  withStandIn(async (standIn) => {
    const rows = generateRows(25);
    standIn.faults.push({ on: 'create', kind: 'html' });
    const first = await pushTo(standIn, rows);
    assert.match(first.result.stoppedBy?.message ?? '', /Klaviyo did not answer POST \/api\/profile-bulk-import-jobs with JSON/);
    assert.equal(exitCodeOfError(first.result.stoppedBy!.code), 4);
    assert.equal(standIn.jobs.length, 1, 'the create reached Klaviyo');
    const resumed = await pushTo(standIn, rows, { resume: first.runLog });
    await assertAccounted(standIn, rows, resumed.result);
    assert.equal(standIn.jobs.length, 3, 'the first job was recovered, not sent again');
  }));
