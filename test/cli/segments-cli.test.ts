import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, runCli, tempDir } from '../support/cli.js';
import { bodySchema, describeValidation } from '../support/klaviyo-schema.js';
import { KlaviyoFlowsStandIn } from '../support/klaviyo-flows-stand-in.js';

const API_KEY = 'pk_test_segments_0123456789abcdef012';
const validSegment = bodySchema('SegmentCreateQuery');

interface Report {
  name: string;
  body: { data: { attributes: { name: string; definition: { condition_groups: { conditions: { property: string; filter: Record<string, unknown> }[] }[] } } } };
  profiles?: number;
  outcome?: { kind: string; id?: string };
}

test('segments --json: valid Create Segment bodies on the configured names; counts from a profiles CSV as of --as-of, ends inclusive', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'backfill.config.json'), JSON.stringify({ sizes: ['small'], windows: [30, 90], properties: { windows: { '30': { value: 'vip_value' } } } }));
  writeFileSync(
    join(dir, 'profiles.csv'),
    [
      'Email,vip_value,highest_order_date,90_day_highest_order_value,90_day_highest_order_date,small_order_date',
      'at-threshold@example.com,1000,2026-11-01 00:00:00,1000,2026-11-01 00:00:00,2026-11-01 00:00:00', // exactly 30 days before
      'just-under@example.com,999.99,2026-11-20 10:00:00,999.99,2026-11-20 10:00:00,',
      'too-old@example.com,5000,2026-10-31 23:59:59,5000,2026-10-31 23:59:59,2026-10-31 23:59:59',
      'after-as-of@example.com,5000,2026-12-01 00:00:01,5000,2026-12-01 00:00:01,2026-12-01 00:00:01',
      'old-for-30@example.com,1200,2026-09-15 00:00:00,1200,2026-09-15 00:00:00,',
    ].join('\n'),
  );
  const run = await runCli(['segments', '--threshold', '1000', '--profiles', 'profiles.csv', '--as-of', '2026-12-01', '--json'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const reports = JSON.parse(run.stdout) as Report[];
  for (const report of reports) assert.ok(validSegment(report.body), describeValidation(validSegment));
  assert.deepEqual(
    reports.map((r) => [r.name, r.profiles]),
    [
      ['Order of 1000 or more, last 30 days (backfill)', 1],
      ['Order of 1000 or more, last 90 days (backfill)', 3],
      ['Ordered small, last 30 days (backfill)', 1],
    ],
  );
  const [value] = reports;
  assert.deepEqual(value!.body.data.attributes.definition.condition_groups, [
    { conditions: [{ type: 'profile-property', property: "properties['highest_order_date']", filter: { type: 'date', operator: 'in-the-last', unit: 'day', quantity: 30 } }] },
    { conditions: [{ type: 'profile-property', property: "properties['vip_value']", filter: { type: 'numeric', operator: 'greater-than-or-equal', value: 1000 } }] },
  ]);
});

test('segments: counts from orders equal the counts from the profiles CSV compute writes for them', async () => {
  const dir = tempDir();
  const args = ['--threshold', '100', '--as-of', '2025-06-30'];
  const compute = await runCli(['compute', fixture('shopify-orders.csv'), '--as-of', '2025-06-30', '-o', join(dir, 'p.csv'), '--quiet']);
  assert.equal(compute.code, 0, compute.stderr);
  const fromOrders = await runCli(['segments', fixture('shopify-orders.csv'), ...args, '--json']);
  const fromCsv = await runCli(['segments', '--profiles', join(dir, 'p.csv'), ...args, '--json']);
  assert.equal(fromOrders.code, 0, fromOrders.stderr);
  const counts = (text: string) => (JSON.parse(text) as Report[]).map((r) => r.profiles);
  assert.deepEqual(counts(fromOrders.stdout), counts(fromCsv.stdout));
  assert.ok(counts(fromOrders.stdout).some((n) => n !== undefined && n > 0));
});

test('segments: --threshold is required; orders and --profiles together are refused', async () => {
  const missing = await runCli(['segments']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--threshold/);
  const both = await runCli(['segments', '--threshold', '5', fixture('shopify-orders.csv'), '--profiles', 'x.csv']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /not both/);
});

test('segments --create: created once, a second run finds them by name and creates nothing', async () => {
  const standIn = await new KlaviyoFlowsStandIn(API_KEY).start();
  const env = { KLAVIYO_API_KEY: API_KEY, KLAVIYO_BASE_URL: standIn.baseUrl, BACKFILL_PUSH_TUNING: JSON.stringify({ createPerMinute: 6000 }) };
  try {
    const first = await runCli(['segments', '--threshold', '1000', '--sizes', 'small,large', '--create', '--json'], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(standIn.violations, []);
    assert.deepEqual(standIn.segments.map((s) => s.name), ['Order of 1000 or more, last 30 days (backfill)', 'Ordered small, last 30 days (backfill)', 'Ordered large, last 30 days (backfill)']);
    assert.deepEqual((JSON.parse(first.stdout) as Report[]).map((r) => r.outcome), [{ kind: 'created', id: 'SG0001' }, { kind: 'created', id: 'SG0002' }, { kind: 'created', id: 'SG0003' }]);
    const second = await runCli(['segments', '--threshold', '1000', '--sizes', 'small,large', '--create'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(standIn.creates('create-segment'), 3);
    assert.match(second.stdout, /exists already \(segment id SG0002\): nothing sent/);
    assert.deepEqual(standIn.violations, []);
  } finally {
    await standIn.stop();
  }
});
