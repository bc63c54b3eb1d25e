/**
 * Every file the tool writes, when the write fails: a clear message naming the file and the cause,
 * exit 2, no temporary file left, the earlier file intact. The failure is a real one, made by running
 * the binary under a file-size limit (`ulimit -f`): writes past it fail with EFBIG, as on a full disk.
 * A limit of 16 blocks is 8 KB or 16 KB depending on the shell; every file meant to fit is far smaller,
 * every file meant to fail far larger.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KlaviyoStandIn } from '../support/klaviyo-stand-in.js';
import { exportWith, SHOPIFY_ORDERS } from '../support/orders.js';
import { API_KEY, fastPushEnv } from '../support/push-harness.js';
import { runCli, tempDir } from '../support/cli.js';

const LIMIT = 16;
const temporaries = (names: readonly string[]) => names.filter((name) => name.endsWith('.tmp'));

test('compute: a rejects file that cannot be written (file too large) exits 2 naming it; output and earlier rejects intact', async () => {
  const dir = tempDir();
  const text = await readFile(SHOPIFY_ORDERS, 'utf8');
  const line = text.split('\n').find((l) => l.startsWith('#1013,'))!;
  // 300 orders with an unreadable total: their rejects (the rows' own text) are ~120 KB; the profiles CSV under 1 KB.
  const bad = Array.from({ length: 300 }, (_, i) => line.replace('#1013', `#${3000 + i}`).replace(',50.00,,0.00,Standard', ',fifty,,0.00,Standard'));
  await writeFile(join(dir, 'orders.csv'), `${text}${bad.join('\n')}\n`);
  await writeFile(join(dir, 'out.csv'), 'earlier output\n');
  await writeFile(join(dir, 'out.rejects.csv'), 'file,line,column,code,reason,raw\nearlier,1,,X,y,z\n');

  const run = await runCli(['orders.csv', '--as-of', '2025-06-30', '-o', 'out.csv'], { cwd: dir, fileSizeLimitBlocks: LIMIT });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /^backfill: .*cannot write the rejects file out\.rejects\.csv: file too large \(a file-size limit was reached\) \(EFBIG\)/m);
  assert.doesNotMatch(run.stderr, /unexpected error|at .*\.js:\d+/);
  const names = await readdir(dir);
  assert.deepEqual(temporaries(names), [], 'no temporary file left');
  assert.deepEqual(names.sort(), ['orders.csv', 'out.csv', 'out.rejects.csv']);
  assert.equal(await readFile(join(dir, 'out.csv'), 'utf8'), 'earlier output\n', 'the output of the earlier run is intact: parts and rejects go together');
  assert.equal(await readFile(join(dir, 'out.rejects.csv'), 'utf8'), 'file,line,column,code,reason,raw\nearlier,1,,X,y,z\n');
});

test('compute: a profiles CSV that cannot be written exits 2 naming it; its rejects are not committed without it', async () => {
  const dir = tempDir();
  // 400 new customers (a ~40 KB profiles CSV) and one unreadable row (a rejects file well under the limit).
  const orders = Array.from({ length: 400 }, (_, i) => ({ name: `#${6000 + i}`, email: `c-${i}@example.com`, total: '12.00', createdAt: '2025-06-25 10:00:00 -0400' }));
  const grown = await exportWith(dir, 'grown.csv', orders);
  const text = await readFile(grown, 'utf8');
  await writeFile(join(dir, 'orders.csv'), text.replace(',0.00,0.00,50.00,,0.00,Standard', ',0.00,0.00,fifty,,0.00,Standard'));
  await writeFile(join(dir, 'out.csv'), 'earlier output\n');
  await writeFile(join(dir, 'out.rejects.csv'), 'file,line,column,code,reason,raw\nearlier,1,,X,y,z\n');

  const run = await runCli(['orders.csv', '--as-of', '2025-06-30', '-o', 'out.csv'], { cwd: dir, fileSizeLimitBlocks: LIMIT });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /cannot write the output out\.csv: file too large \(a file-size limit was reached\) \(EFBIG\)/);
  assert.doesNotMatch(run.stderr, /unexpected error/);
  assert.deepEqual(temporaries(await readdir(dir)), []);
  assert.equal(await readFile(join(dir, 'out.csv'), 'utf8'), 'earlier output\n');
  assert.equal(await readFile(join(dir, 'out.rejects.csv'), 'utf8'), 'file,line,column,code,reason,raw\nearlier,1,,X,y,z\n', 'the rejects stay with the output they belong to');
});

test('push: a run log that cannot be written exits 2 naming it and the cause; nothing is sent', async () => {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY }).start();
  try {
    const dir = tempDir();
    // 600 unusable emails are held back locally, all in one run log entry of ~40 KB.
    const rows = [...Array.from({ length: 600 }, (_, i) => `not-an-email-${i},5`), 'ok@example.com,7'];
    await writeFile(join(dir, 'p.csv'), `Email,highest_order_value\n${rows.join('\n')}\n`);
    const env = fastPushEnv({ KLAVIYO_BASE_URL: standIn.baseUrl, KLAVIYO_API_KEY: API_KEY });
    const run = await runCli(['push', '--profiles', 'p.csv', '--yes', '--run-log', 'log.ndjson'], { cwd: dir, env, fileSizeLimitBlocks: LIMIT });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /cannot write the run log .*log\.ndjson: file too large .*\(EFBIG\)/);
    assert.match(run.stderr, /backfill push --resume .*log\.ndjson/);
    assert.doesNotMatch(run.stderr, /unexpected error/);
    assert.equal(standIn.jobs.length, 0, 'nothing sent without its record');
    assert.deepEqual(temporaries(await readdir(dir)), []);
    assert.deepEqual((await readdir(dir)).sort(), ['log.ndjson', 'p.csv'], 'the lock is released');
  } finally {
    await standIn.stop();
  }
});

test('push --incremental: a state file that cannot be written after the push says the push completed and how to record it', async () => {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY }).start();
  try {
    const dir = tempDir();
    const env = fastPushEnv({ KLAVIYO_BASE_URL: standIn.baseUrl, KLAVIYO_API_KEY: API_KEY });
    const nightly = ['--incremental', '--yes', '--as-of', '2025-06-30'];
    const first = await runCli(['push', SHOPIFY_ORDERS, ...nightly, '--run-log', 'night-1.ndjson'], { cwd: dir, env });
    assert.equal(first.code, 0, first.stderr);
    const statePath = join(dir, '.backfill', 'state.json');
    const stateBefore = await readFile(statePath, 'utf8');

    // 300 new customers: the state grows to ~30 KB, past the limit; the run log stays at a few KB.
    const orders = Array.from({ length: 300 }, (_, i) => ({ name: `#${5000 + i}`, email: `new-${i}@example.com`, total: '12.00', createdAt: '2025-06-25 10:00:00 -0400' }));
    const grown = await exportWith(dir, 'orders-2.csv', orders);
    const second = await runCli(['push', grown, ...nightly, '--run-log', 'night-2.ndjson'], { cwd: dir, env, fileSizeLimitBlocks: LIMIT });
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, /The push itself completed \(every batch sent and its job collected\), but could not write the state file .*state\.json: file too large/);
    assert.match(second.stderr, /run backfill push --resume .*night-2\.ndjson: it sends only what is unsent and records the state/);
    assert.equal(standIn.imported.length, 305);
    assert.equal(await readFile(statePath, 'utf8'), stateBefore, 'the earlier state is intact');
    assert.deepEqual(await readdir(join(dir, '.backfill')), ['state.json'], 'no temporary file, no lock');

    const jobs = standIn.jobs.length;
    const resumed = await runCli(['push', '--resume', 'night-2.ndjson'], { cwd: dir, env });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(standIn.jobs.length, jobs, 'nothing sent again');
    const state = JSON.parse(await readFile(statePath, 'utf8')) as { profiles: Record<string, unknown> };
    assert.equal(Object.keys(state.profiles).length, 305);
  } finally {
    await standIn.stop();
  }
});
