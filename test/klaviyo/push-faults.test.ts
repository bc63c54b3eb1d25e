/**
 * The push against the Klaviyo stand-in, one fault at a time. Each scenario ends with the same check
 * (assertAccounted): every profile imported exactly once with its computed values, or rejected with
 * Klaviyo's reason, no batch created twice, and the summary agreeing with what the server holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { exitCodeOf, exitCodeOfError } from '../../src/cli/exit-codes.js';
import { readRunLog } from '../../src/io/run-log.js';
import { KlaviyoStandIn, type Fault, type StandInOptions } from '../support/klaviyo-stand-in.js';
import { API_KEY, assertAccounted, pushTo, rejectsByEmail } from '../support/push-harness.js';
import { generateRows } from '../support/profiles.js';

async function withStandIn(options: Partial<StandInOptions>, faults: Fault[], run: (standIn: KlaviyoStandIn) => Promise<void>): Promise<void> {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY, ...options }).start();
  standIn.faults.push(...faults);
  try {
    await run(standIn);
  } finally {
    await standIn.stop();
  }
}

const rows = generateRows(25); // three jobs of 10, 10 and 5

test('no faults: three jobs, all imported into the list, exit 0', () =>
  withStandIn({}, [], async (standIn) => {
    const run = await pushTo(standIn, rows, { listId: 'VRgFBd' });
    await assertAccounted(standIn, rows, run.result);
    assert.equal(pushExitCode(run.result), 0);
    assert.equal(run.result.stoppedBy, undefined);
    assert.equal(standIn.jobs.length, 3);
    assert.ok(standIn.imported.every((p) => p.listId === 'VRgFBd'));
    assert.equal(run.result.rejectsFile, undefined);
  }));

test('429 with Retry-After on create and on polling: waits it out (virtual time) and loses nothing', () =>
  withStandIn({}, [
    { on: 'create', kind: 'status', status: 429, retryAfter: '7' },
    { on: 'list', kind: 'status', status: 429, retryAfter: '0' },
  ], async (standIn) => {
    const run = await pushTo(standIn, rows);
    await assertAccounted(standIn, rows, run.result);
    assert.equal(standIn.jobs.length, 3);
    assert.ok(run.clock.sleeps.some((ms) => ms >= 7000), `waited Retry-After: ${run.clock.sleeps.join(',')}`);
    assert.ok(run.clock.sleeps.some((ms) => ms >= 1000 && ms < 7000), 'Retry-After: 0 still waits a second');
  }));

test('5xx on create (no job made) and on reads: backs off, checks for a job, resends once', () =>
  withStandIn({}, [
    { on: 'create', kind: 'status', status: 503 },
    { on: 'create', kind: 'status', status: 524 },
    { on: 'list', kind: 'status', status: 500 },
    { on: 'get-job', kind: 'status', status: 502 },
  ], async (standIn) => {
    const run = await pushTo(standIn, rows);
    await assertAccounted(standIn, rows, run.result);
    assert.equal(standIn.jobs.length, 3);
    assert.equal(pushExitCode(run.result), 0);
  }));

test('connection reset before a create is handled: resent, one job per batch', () =>
  withStandIn({}, [{ on: 'create', kind: 'reset' }, { on: 'get-job', kind: 'reset' }], async (standIn) => {
    const run = await pushTo(standIn, rows);
    await assertAccounted(standIn, rows, run.result);
    assert.equal(standIn.jobs.length, 3);
  }));

test('create answered after the timeout: the job it made is found by listing, not created again', () =>
  withStandIn({}, [{ on: 'create', kind: 'slow', delayMs: 1000 }], async (standIn) => {
    const run = await pushTo(standIn, rows);
    await assertAccounted(standIn, rows, run.result);
    assert.equal(standIn.jobs.length, 3);
    const entries = await readRunLog(run.runLog);
    assert.ok(entries.some((e) => e.type === 'submitted' && e.recovered === true), 'the job was recovered from the list');
  }));

test('create succeeded but its response was lost: recovered, not duplicated', () =>
  withStandIn({}, [{ on: 'create', kind: 'lost-response' }, { on: 'create', kind: 'lost-response' }], async (standIn) => {
    const run = await pushTo(standIn, rows);
    await assertAccounted(standIn, rows, run.result);
    assert.equal(standIn.jobs.length, 3);
  }));

test('400 naming two profiles: they go to the rejects file with Klaviyo\'s detail, the rest is resent once', () =>
  withStandIn({}, [{ on: 'create', kind: 'invalid-profiles', emails: [rows[2]!.email, rows[7]!.email] }], async (standIn) => {
    const run = await pushTo(standIn, rows);
    await assertAccounted(standIn, rows, run.result);
    assert.equal(pushExitCode(run.result), 3);
    const rejected = await rejectsByEmail(run.result.rejectsFile);
    assert.deepEqual([...rejected.keys()].sort(), [rows[2]!.email, rows[7]!.email]);
    assert.match(rejected.get(rows[2]!.email)!, /is not a valid email address/);
    const resent = standIn.jobs.find((job) => job.profiles.some((p) => p.email === rows[0]!.email));
    assert.equal(resent?.profiles.length, 8, 'the first batch less its two refused profiles');
  }));

test('413: the batch is split in halves until Klaviyo takes it', () =>
  withStandIn({ maxBodyBytes: 1500 }, [], async (standIn) => {
    const run = await pushTo(standIn, rows);
    await assertAccounted(standIn, rows, run.result);
    assert.equal(pushExitCode(run.result), 0);
    assert.ok(standIn.jobs.length > 3, `split into ${standIn.jobs.length} jobs`);
  }));

test('jobs with failed profiles: import errors (paged) map back to emails; an unattributed failure is unknown, not imported', () =>
  withStandIn({ pageSizeCap: 1 }, [], async (standIn) => {
    for (const i of [1, 4, 12]) standIn.importFailures.set(rows[i]!.email, `Phone number for ${rows[i]!.email} is not valid.`);
    standIn.unattributedFailures = { email: rows[21]!.email, count: 1 };
    const run = await pushTo(standIn, rows);
    await assertAccounted(standIn, rows, run.result);
    assert.equal(pushExitCode(run.result), 3);
    assert.equal(run.result.totals.unknown, 1);
    assert.equal(run.result.totals.rejected, 3);
    const text = await readFile(run.result.rejectsFile!, 'utf8');
    assert.match(text, new RegExp(`${rows[12]!.email},IMPORT_ERROR,Invalid input: Phone number for ${rows[12]!.email} is not valid`));
    assert.match(text, /,UNCONFIRMED,1 of the 5 profiles in this batch are not confirmed/);
  }));

test('a 400 about the request itself (unknown list) stops the run with Klaviyo\'s message, exit 2', () =>
  withStandIn({}, [{ on: 'create', kind: 'status', status: 400, detail: 'List ID VRgFBd does not exist.' }], async (standIn) => {
    const run = await pushTo(standIn, rows, { listId: 'VRgFBd' });
    assert.equal(run.result.stoppedBy?.code, 'KLAVIYO_REFUSED');
    assert.equal(stoppedExitCode(run.result), 2);
    assert.match(run.result.stoppedBy!.message, /List ID VRgFBd does not exist/);
    assert.equal(standIn.jobs.length, 0);
  }));

test('a 403 while polling (a key without profiles:read or lists:read) stops the run naming those scopes; on create, the write scopes', async () => {
  const forbidden = (on: Fault['on']): Fault => ({ on, kind: 'status', status: 403, detail: 'You do not have permission to perform this action.' });
  for (const [fault, batch, scopes] of [
    [forbidden('list'), rows, /scopes: profiles:read and lists:read, to poll the import jobs and read their import errors/],
    [forbidden('get-job'), rows.slice(0, 5), /scopes: profiles:read and lists:read/],
    [forbidden('create'), rows, /scopes: profiles:write and lists:write \(a push needs profiles:write, lists:write, profiles:read and lists:read\)/],
  ] as const) {
    await withStandIn({}, [fault], async (standIn) => {
      const run = await pushTo(standIn, batch);
      assert.equal(run.result.stoppedBy?.code, 'KLAVIYO_REFUSED', fault.on);
      assert.equal(stoppedExitCode(run.result), 2);
      assert.match(run.result.stoppedBy!.hint!, scopes);
    });
  }
});

test('gives up after repeated 503s (exit 4), then --resume finishes without sending anything twice', () =>
  withStandIn({}, Array.from({ length: 3 }, (): Fault => ({ on: 'create', kind: 'status', status: 503 })), async (standIn) => {
    const first = await pushTo(standIn, rows, { tuning: { maxAttempts: 2 } });
    assert.equal(first.result.stoppedBy?.code, 'KLAVIYO_UNAVAILABLE');
    assert.equal(stoppedExitCode(first.result), 4);
    const resumed = await pushTo(standIn, rows, { resume: first.runLog });
    await assertAccounted(standIn, rows, resumed.result);
    assert.equal(standIn.jobs.length, 3);
  }));

test('Ctrl-C (stop signal) after the first batch: exit 130 with the log written; resume sends only the rest', () =>
  withStandIn({}, [], async (standIn) => {
    const first = await pushTo(standIn, rows, { stopAfterBatches: 1 });
    assert.equal(stoppedExitCode(first.result), 130);
    assert.equal(standIn.jobs.length, 1);
    const entries = await readRunLog(first.runLog);
    assert.equal(entries.at(-1)?.type, 'stopped');
    const resumed = await pushTo(standIn, rows, { resume: first.runLog });
    await assertAccounted(standIn, rows, resumed.result);
    assert.equal(standIn.jobs.length, 3);
  }));

/** The exit code the CLI gives a push that ran to its end. */
function pushExitCode(result: { readonly totals: { readonly rejected: number; readonly unknown: number } }): number {
  return exitCodeOf({ kind: 'push', rejected: result.totals.rejected, unknown: result.totals.unknown });
}

/** The exit code the CLI gives a push that stopped early. */
function stoppedExitCode(result: { readonly stoppedBy: { readonly code: Parameters<typeof exitCodeOfError>[0] } | undefined }): number | undefined {
  return result.stoppedBy === undefined ? undefined : exitCodeOfError(result.stoppedBy.code);
}
