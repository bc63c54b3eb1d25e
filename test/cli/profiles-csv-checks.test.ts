/**
 * A hand-edited profiles CSV given to `push --profiles` and `diff --against FILE`: every row is
 * checked, a bad one goes to the rejects file with its line, and nothing of it is sent or compared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KlaviyoStandIn } from '../support/klaviyo-stand-in.js';
import { SHOPIFY_ORDERS } from '../support/orders.js';
import { API_KEY, fastPushEnv } from '../support/push-harness.js';
import { csvRows, runCli, tempDir } from '../support/cli.js';

const HEADER = 'Email,highest_order_value,highest_order_date,small_order_date,medium_order_date,large_order_date,xlarge_order_date';
// Ragged rows and values shifted into the wrong properties, as a spreadsheet edit leaves them.
const EDITED = [
  HEADER,
  'ann@example.com,1000,2025-06-10 16:00:00,2025-05-20 13:00:00,2025-06-10 16:00:00,2025-03-01 15:00:00,',
  'bob@example.com,2026-01-01 00:00:00,500,,,,',
  'cara@example.com,Infinity,2025-05-01 00:00:00,,,,',
  'dan@example.com,NaN,2025-06-05 08:00:00,,,,',
  'eve@example.com,2000,2025-06-20 18:30:00',
].join('\n');

test('push --profiles: bad rows go to the input rejects file with their lines, and only the good row is sent', async () => {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY }).start();
  try {
    const dir = tempDir();
    await writeFile(join(dir, 'edited.csv'), `${EDITED}\n`);
    const env = fastPushEnv({ KLAVIYO_BASE_URL: standIn.baseUrl, KLAVIYO_API_KEY: API_KEY });
    const run = await runCli(['push', '--profiles', 'edited.csv', '--yes', '--run-log', join(dir, 'run.ndjson')], { env, cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      standIn.imported.map((p) => [p.email, p.properties]),
      [['ann@example.com', { highest_order_value: 1000, highest_order_date: '2025-06-10 16:00:00', small_order_date: '2025-05-20 13:00:00', medium_order_date: '2025-06-10 16:00:00', large_order_date: '2025-03-01 15:00:00' }]],
    );
    assert.match(run.stderr, /1 of 1 profiles sent/);
    const rejects = csvRows(await readFile(join(dir, 'run.input-rejects.csv'), 'utf8'));
    assert.deepEqual(
      rejects.map((r) => [r['line'], r['code'], r['column']]),
      [
        ['3', 'BAD_VALUE', 'highest_order_value'],
        ['4', 'BAD_VALUE', 'highest_order_value'],
        ['5', 'BAD_VALUE', 'highest_order_value'],
        ['6', 'FIELD_COUNT', ''],
      ],
    );
    assert.ok(rejects[0]!['raw']!.startsWith('bob@example.com,2026-01-01'));
    assert.match(run.stderr, /4 input rows rejected \(see .*run\.input-rejects\.csv\)/);
  } finally {
    await standIn.stop();
  }
});

test('diff --against a hand-edited profiles CSV: its bad rows are not compared, they are counted and written to --rejects', async () => {
  const dir = tempDir();
  await writeFile(join(dir, 'edited.csv'), `${EDITED}\n`);
  const run = await runCli(['diff', SHOPIFY_ORDERS, '--as-of', '2025-06-30', '--against', 'edited.csv', '--rejects', 'rejects.csv', '--json'], { env: fastPushEnv({}), cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const diff = JSON.parse(run.stdout) as { added: { email: string }[]; changed: unknown[]; counts: { unchanged: number; baselineRowsRejected: number } };
  // Only ann's row is read from the baseline, and it is unchanged; the others count as added.
  assert.equal(diff.counts.unchanged, 1);
  assert.deepEqual(diff.added.map((a) => a.email), ['bob@example.com', 'cara@example.com', 'dan@example.com', 'eve@example.com']);
  assert.equal(diff.counts.baselineRowsRejected, 4);
  const rejects = csvRows(await readFile(join(dir, 'rejects.csv'), 'utf8'));
  assert.deepEqual(rejects.map((r) => [r['file'], r['line']]), [['edited.csv', '3'], ['edited.csv', '4'], ['edited.csv', '5'], ['edited.csv', '6']]);
  const plain = await runCli(['diff', SHOPIFY_ORDERS, '--as-of', '2025-06-30', '--against', 'edited.csv'], { env: fastPushEnv({}), cwd: dir });
  assert.match(plain.stdout, /4 rows of the baseline failed its checks and were not compared \(--rejects <file> writes them out\)/);
});

test('push --profiles --dry-run counts the rows that failed the checks in its summary, and names their file', async () => {
  const dir = tempDir();
  await writeFile(join(dir, 'edited.csv'), `${EDITED}\n`);
  const env = { KLAVIYO_API_KEY: API_KEY, KLAVIYO_BASE_URL: 'http://127.0.0.1:9' };
  const run = await runCli(['push', '--profiles', 'edited.csv', '--dry-run', '--run-log', join(dir, 'run.ndjson')], { env, cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /dry run: 1 profile in 1 import job .*; 0 profiles would be rejected locally; 4 input rows rejected \(see .*run\.input-rejects\.csv\); nothing sent/);
  const json = await runCli(['push', '--profiles', 'edited.csv', '--dry-run', '--run-log', join(dir, 'run2.ndjson'), '--json'], { env, cwd: dir });
  const summary = JSON.parse(json.stdout) as { inputRowsRejected: number; inputRejectsFile: string };
  assert.equal(summary.inputRowsRejected, 4);
  assert.match(summary.inputRejectsFile, /run2\.input-rejects\.csv$/);
});

test('push --profiles: a profiles CSV with the Email column twice, in another case, is refused before anything is read', async () => {
  const dir = tempDir();
  await writeFile(join(dir, 'two-emails.csv'), 'Email,highest_order_value,email\nann@example.com,5,ann@example.com\n');
  const env = { KLAVIYO_API_KEY: API_KEY, KLAVIYO_BASE_URL: 'http://127.0.0.1:9' };
  const run = await runCli(['push', '--profiles', 'two-emails.csv', '--dry-run', '--run-log', join(dir, 'run.ndjson')], { env, cwd: dir });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /two-emails\.csv: the header has the Email column twice, at columns 1 \("Email"\) and 3 \("email"\)/);
});
