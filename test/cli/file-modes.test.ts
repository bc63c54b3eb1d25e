/**
 * Files holding customer emails are created readable by their owner only (0600), whatever the umask
 * allows; a file that replaces another keeps the mode the operator gave the old one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KlaviyoStandIn } from '../support/klaviyo-stand-in.js';
import { SHOPIFY_ORDERS } from '../support/orders.js';
import { API_KEY, fastPushEnv } from '../support/push-harness.js';
import { runCli, tempDir } from '../support/cli.js';

// The usual umask, under which a file is created 0644 unless the tool asks for less.
process.umask(0o022);

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

async function withBadRow(dir: string): Promise<string> {
  const text = await readFile(SHOPIFY_ORDERS, 'utf8');
  const path = join(dir, 'orders.csv');
  await writeFile(path, text.replace(',0.00,0.00,50.00,,0.00,Standard', ',0.00,0.00,fifty,,0.00,Standard'));
  return path;
}

test('compute: the profiles CSV and the rejects file are created 0600; a replaced profiles CSV keeps its mode', async () => {
  const dir = tempDir();
  const orders = await withBadRow(dir);
  const run = await runCli([orders, '--as-of', '2025-06-30', '-o', 'out.csv', '-q'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await modeOf(join(dir, 'out.csv')), 0o600);
  assert.equal(await modeOf(join(dir, 'out.rejects.csv')), 0o600);

  await chmod(join(dir, 'out.csv'), 0o640);
  await chmod(join(dir, 'out.rejects.csv'), 0o604);
  assert.equal((await runCli([orders, '--as-of', '2025-06-30', '-o', 'out.csv', '-q'], { cwd: dir })).code, 0);
  assert.equal(await modeOf(join(dir, 'out.csv')), 0o640, 'the mode the operator gave the file it replaces');
  assert.equal(await modeOf(join(dir, 'out.rejects.csv')), 0o604);
});

test('push --incremental: state, run log, rejects and input rejects are created 0600; the state keeps the mode it was given', async () => {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY }).start();
  standIn.importFailures.set('bob@example.com', 'Invalid value for highest_order_value.');
  try {
    const dir = tempDir();
    const orders = await withBadRow(dir);
    const env = fastPushEnv({ KLAVIYO_BASE_URL: standIn.baseUrl, KLAVIYO_API_KEY: API_KEY });
    const nightly = ['push', orders, '--incremental', '--yes', '--as-of', '2025-06-30'];
    const first = await runCli([...nightly, '--run-log', 'logs/night-1.ndjson'], { cwd: dir, env });
    assert.equal(first.code, 3, first.stderr);
    const state = join(dir, '.backfill', 'state.json');
    for (const file of [state, join(dir, 'logs', 'night-1.ndjson'), join(dir, 'logs', 'night-1.rejects.csv'), join(dir, 'logs', 'night-1.input-rejects.csv')]) {
      assert.equal(await modeOf(file), 0o600, file);
    }
    await chmod(state, 0o640);
    const second = await runCli([...nightly, '--run-log', 'logs/night-2.ndjson'], { cwd: dir, env });
    assert.equal(second.code, 3, second.stderr);
    assert.match(second.stderr, /1 changed|1 added/, 'bob is sent again, so the state is rewritten');
    assert.equal(await modeOf(state), 0o640);
  } finally {
    await standIn.stop();
  }
});
