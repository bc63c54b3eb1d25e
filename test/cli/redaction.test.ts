/**
 * The API key never reaches a file or a message in clear, even when Klaviyo's own error text quotes it:
 * the push rejects CSV, the run log, the summary and --json all go through the same redaction.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KlaviyoStandIn } from '../support/klaviyo-stand-in.js';
import { SHOPIFY_ORDERS } from '../support/orders.js';
import { API_KEY, fastPushEnv } from '../support/push-harness.js';
import { csvRows, runCli, tempDir } from '../support/cli.js';

test('push: a Klaviyo import error quoting the API key is written to the rejects CSV as [redacted]', async () => {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY }).start();
  standIn.importFailures.set('bob@example.com', `Profile rejected for key ${API_KEY}: invalid property.`);
  try {
    const dir = tempDir();
    const env = fastPushEnv({ KLAVIYO_BASE_URL: standIn.baseUrl, KLAVIYO_API_KEY: API_KEY });
    const run = await runCli(['push', SHOPIFY_ORDERS, '--as-of', '2025-06-30', '--yes', '--run-log', 'push.ndjson', '--json'], { cwd: dir, env });
    assert.equal(run.code, 3, run.stderr);
    const rejects = csvRows(await readFile(join(dir, 'push.rejects.csv'), 'utf8'));
    assert.deepEqual(rejects.map((r) => r['email']), ['bob@example.com']);
    assert.match(rejects[0]!['reason']!, /Profile rejected for key \[redacted\]: invalid property\./);
    for (const name of await readdir(dir)) {
      assert.ok(!(await readFile(join(dir, name), 'utf8')).includes(API_KEY), `${name} holds the key in clear`);
    }
    assert.ok(!run.stdout.includes(API_KEY) && !run.stderr.includes(API_KEY));
  } finally {
    await standIn.stop();
  }
});
