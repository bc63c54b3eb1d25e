/**
 * A total of 10^21 or more has no plain decimal form (JavaScript writes `1e+21`): it is a bad value
 * with its reason, never a profile value that push would then refuse as the tool's own output. Just
 * below it, the value is written as a plain decimal and push takes the file as it is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportWith } from '../support/orders.js';
import { API_KEY } from '../support/push-harness.js';
import { csvRows, profileOf, runCli, tempDir } from '../support/cli.js';

test('compute: a total of 10^21 or more is BAD_VALUE with the reason; a profiles CSV compute writes is one push --profiles takes whole', async () => {
  const dir = tempDir();
  const orders = await exportWith(dir, 'orders.csv', [
    { name: '#901', email: 'huge@example.com', total: '123456789012345678901234567890', createdAt: '2025-06-01 10:00:00 -0400' },
    { name: '#902', email: 'large@example.com', total: '123456789012345678901', createdAt: '2025-06-01 10:00:00 -0400' },
    { name: '#903', email: 'large@example.com', total: '$1,000,000,000,000,000,000,000.00', createdAt: '2025-06-02 10:00:00 -0400' },
  ]);
  const run = await runCli([orders, '--as-of', '2025-06-30', '-o', 'out.csv'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const profiles = await readFile(join(dir, 'out.csv'), 'utf8');
  assert.ok(!/e\+/.test(profiles), profiles);
  assert.equal(profileOf(csvRows(profiles), 'large@example.com')['highest_order_value'], '123456789012345680000');
  const rejects = csvRows(await readFile(join(dir, 'out.rejects.csv'), 'utf8'));
  assert.deepEqual(
    rejects.map((r) => [r['code'], r['column'], r['reason']]),
    [
      ['BAD_VALUE', 'Total', 'Total is too large for an order total: "123456789012345678901234567890" (10^21 or more; is a wrong column mapped to it?)'],
      ['BAD_VALUE', 'Total', 'Total is too large for an order total: "$1,000,000,000,000,000,000,000.00" (10^21 or more; is a wrong column mapped to it?)'],
    ],
  );

  const env = { KLAVIYO_API_KEY: API_KEY, KLAVIYO_BASE_URL: 'http://127.0.0.1:9' };
  const push = await runCli(['push', '--profiles', 'out.csv', '--dry-run', '--run-log', 'run.ndjson', '--json'], { cwd: dir, env });
  assert.equal(push.code, 0, push.stderr);
  assert.equal((JSON.parse(push.stdout) as { profiles: number }).profiles, csvRows(profiles).length);
  assert.ok(!existsSync(join(dir, 'run.input-rejects.csv')), 'push rejected a row compute wrote');
});
