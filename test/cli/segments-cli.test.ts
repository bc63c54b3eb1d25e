import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, runCli, tempDir } from '../support/cli.js';
import { bodySchema, describeValidation } from '../support/klaviyo-schema.js';
import { KlaviyoFlowsStandIn } from '../support/klaviyo-flows-stand-in.js';
import { exportWith } from '../support/orders.js';

const API_KEY = 'pk_test_segments_0123456789abcdef012';
const validSegment = bodySchema('SegmentCreateQuery');

interface Condition {
  type: string;
  property?: string;
  filter?: Record<string, unknown>;
  metric_id?: string;
  metric_filters?: { property: string; filter: Record<string, unknown> }[];
  timeframe_filter?: Record<string, unknown>;
  measurement_filter?: Record<string, unknown>;
}
interface Segment {
  kind: 'property' | 'native' | 'size';
  days: number;
  name: string;
  body: { data: { attributes: { name: string; definition: { condition_groups: { conditions: Condition[] }[] } } } };
  profiles?: number;
  comparison?: { nativeOnly: number; propertyOnly: number };
  outcome?: { kind: string; id?: string };
}
interface Report {
  asOf: string | null;
  threshold: number | null;
  metric: { id: string | null; name: string };
  distribution: {
    window: number;
    property: string;
    count: number;
    quantiles: Record<string, number> | null;
    scale: string;
    buckets: { from: number; to: number; profiles: number }[];
    candidates: { threshold: number; profiles: number }[];
  } | null;
  segments: Segment[];
}

const parse = (stdout: string): Report => JSON.parse(stdout) as Report;

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
  const run = await runCli(['segments', '--threshold', '1000', '--profiles', 'profiles.csv', '--as-of', '2026-12-01', '--json', '--metric-id', 'XyZ123'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const report = parse(run.stdout);
  for (const segment of report.segments) assert.ok(validSegment(segment.body), `${segment.name}: ${describeValidation(validSegment)}`);
  assert.deepEqual(
    report.segments.map((s) => [s.kind, s.name, s.profiles]),
    [
      ['property', 'Order of 1000 or more, last 30 days (backfill)', 1],
      ['native', 'Placed Order of 1000 or more, last 30 days (native)', undefined],
      ['property', 'Order of 1000 or more, last 90 days (backfill)', 3],
      ['native', 'Placed Order of 1000 or more, last 90 days (native)', undefined],
      ['size', 'Ordered small, last 30 days (backfill)', 1],
    ],
    'a native segment is counted from orders only: a profiles CSV does not say which mode made it',
  );
  assert.deepEqual(report.segments[0]!.body.data.attributes.definition.condition_groups, [
    { conditions: [{ type: 'profile-property', property: "properties['highest_order_date']", filter: { type: 'date', operator: 'in-the-last', unit: 'day', quantity: 30 } }] },
    { conditions: [{ type: 'profile-property', property: "properties['vip_value']", filter: { type: 'numeric', operator: 'greater-than-or-equal', value: 1000 } }] },
  ]);
  assert.deepEqual(report.segments[3]!.body.data.attributes.definition.condition_groups, [
    {
      conditions: [
        {
          type: 'profile-metric',
          metric_id: 'XyZ123',
          measurement: 'count',
          measurement_filter: { type: 'numeric', operator: 'greater-than-or-equal', value: 1 },
          timeframe_filter: { type: 'date', operator: 'in-the-last', unit: 'day', quantity: 90 },
          metric_filters: [{ property: '$value', filter: { type: 'numeric', operator: 'greater-than-or-equal', value: 1000 } }],
        },
      ],
    },
  ]);
  assert.equal(report.distribution!.count, 2, 'the 30-day values of the profiles whose 30-day date is in the window');
});

test('segments: counts from orders equal the counts from the profiles CSV compute writes for them', async () => {
  const dir = tempDir();
  const args = ['--threshold', '100', '--as-of', '2025-06-30'];
  const compute = await runCli(['compute', fixture('shopify-orders.csv'), '--as-of', '2025-06-30', '-o', join(dir, 'p.csv'), '--quiet']);
  assert.equal(compute.code, 0, compute.stderr);
  const fromOrders = await runCli(['segments', fixture('shopify-orders.csv'), ...args, '--json']);
  const fromCsv = await runCli(['segments', '--profiles', join(dir, 'p.csv'), ...args, '--json']);
  assert.equal(fromOrders.code, 0, fromOrders.stderr);
  const counts = (text: string) => parse(text).segments.filter((s) => s.kind !== 'native').map((s) => s.profiles);
  assert.deepEqual(counts(fromOrders.stdout), counts(fromCsv.stdout));
  assert.ok(counts(fromOrders.stdout).some((n) => n !== undefined && n > 0));
  assert.deepEqual(parse(fromOrders.stdout).distribution, parse(fromCsv.stdout).distribution);
});

/** zed: $2,000 35 days before the as-of, then $1,500 20 days before; the flow keeps the older maximum. */
async function ordersWithOlderMaximum(dir: string): Promise<string> {
  return exportWith(dir, 'orders.csv', [
    { name: '#2001', email: 'zed@example.com', total: '2000.00', createdAt: '2025-05-26 00:00:00 +0000' },
    { name: '#2002', email: 'zed@example.com', total: '1500.00', createdAt: '2025-06-10 00:00:00 +0000' },
  ]);
}

test('native beside property: flow mode counts one profile fewer in the property segment, and says why; window mode the same profiles', async () => {
  const dir = tempDir();
  const orders = await ordersWithOlderMaximum(dir);
  const args = ['segments', orders, '--threshold', '1000', '--as-of', '2025-06-30', '--metric-id', 'XyZ123'];
  const flow = await runCli([...args, '--json'], { cwd: dir });
  assert.equal(flow.code, 0, flow.stderr);
  const [property, native] = parse(flow.stdout).segments;
  for (const segment of parse(flow.stdout).segments) assert.ok(validSegment(segment.body), describeValidation(validSegment));
  assert.deepEqual([property!.kind, property!.profiles, native!.kind, native!.profiles, native!.comparison], ['property', 3, 'native', 4, { nativeOnly: 1, propertyOnly: 0 }]);

  const window = await runCli([...args, '--mode', 'window', '--json'], { cwd: dir });
  const [windowProperty, windowNative] = parse(window.stdout).segments;
  assert.deepEqual([windowProperty!.profiles, windowNative!.profiles, windowNative!.comparison], [4, 4, { nativeOnly: 0, propertyOnly: 0 }], 'the native segment is the window-mode answer');

  const text = await runCli(args, { cwd: dir });
  assert.match(text.stdout, /native {4}"Placed Order of 1000 or more, last 30 days \(native\)": 4 profiles/);
  assert.match(text.stdout, /Placed Order at least once in the last 30 days where \$value is at least 1,000/);
  assert.match(text.stdout, /1 profile more than the property segment: an order of at least 1,000 in the\s+last 30 days, but the flow keeps an older, higher maximum whose date has left the\s+window/);
  assert.match(text.stdout, /Which to use: the property segments carry the order value and date into message content/);
  const windowText = await runCli([...args, '--mode', 'window'], { cwd: dir });
  assert.match(windowText.stdout, /The same profiles as the property segment \(window mode computes exactly this\)/);
});

test('the threshold picture: histogram, nearest-rank quantiles and candidates in 80 columns, no colour; each candidate\'s size is the segment it gives', async () => {
  const dir = tempDir();
  const values = [5, 20, 80, 150, 400, 1200, 9000, 25000];
  writeFileSync(join(dir, 'profiles.csv'), ['Email,highest_order_value,highest_order_date', ...values.map((v, i) => `p${i}@example.com,${v},2026-11-2${i % 9} 10:00:00`), 'old@example.com,99999,2026-01-01 00:00:00'].join('\n'));
  const args = ['segments', '--profiles', 'profiles.csv', '--as-of', '2026-12-01', '--sizes', 'small'];
  const run = await runCli(args, { cwd: dir, env: { FORCE_COLOR: '1' } });
  assert.equal(run.code, 0, `no threshold is not an error: ${run.stderr}`);
  const lines = run.stdout.split('\n');
  const picture = lines.slice(0, lines.findIndex((line) => line.startsWith('No --threshold given')));
  assert.ok(picture.length > 15, run.stdout);
  for (const line of picture) assert.ok(line.length <= 80, `${line.length} columns: ${line}`);
  assert.doesNotMatch(run.stdout, /\x1b\[/, 'no colour codes');
  assert.match(picture.join(' ').replace(/\s+/g, ' '), /over the 8 profiles whose highest_order_date is in the last 30 days/, 'the profile outside the window is not counted');
  assert.match(run.stdout, /\n {7}5 to 10 {6}#+ 1 {2}12\.5%\n {6}10 to 20 {5} +0 {3}0\.0%\n/);
  assert.match(run.stdout, /\(log scale, 1-2-5 steps/);
  assert.match(run.stdout, /Quantiles \(nearest rank\): p50 150, p75 1,200, p90 25,000, p95 25,000,\s+p99 25,000/);
  assert.match(run.stdout, /No --threshold given: choose one .* and run again with --threshold <amount>/);
  assert.match(run.stdout, /"Ordered small, last 30 days \(backfill\)"/, 'the size segments need no threshold');

  const json = parse((await runCli([...args, '--json'], { cwd: dir })).stdout);
  const d = json.distribution!;
  assert.deepEqual([d.window, d.property, d.count, d.scale], [30, 'highest_order_value', 8, 'log']);
  assert.deepEqual(d.quantiles, { p50: 150, p75: 1200, p90: 25000, p95: 25000, p99: 25000 });
  assert.equal(d.buckets.reduce((sum, b) => sum + b.profiles, 0), 8);
  assert.deepEqual(d.candidates, [{ threshold: 150, profiles: 5 }, { threshold: 1000, profiles: 3 }, { threshold: 20000, profiles: 1 }]);
  assert.equal(json.threshold, null);
  for (const candidate of d.candidates) {
    const chosen = parse((await runCli([...args, '--threshold', String(candidate.threshold), '--json'], { cwd: dir })).stdout);
    assert.equal(chosen.segments.find((s) => s.kind === 'property')!.profiles, candidate.profiles, `threshold ${candidate.threshold}`);
  }
  const marked = await runCli([...args, '--threshold', '500'], { cwd: dir });
  assert.match(marked.stdout, /\n {10}500 {10}3 {3}37\.5% {2}<- --threshold\n/);
});

test('segments: --threshold is required without profiles to count and to create; orders and --profiles together are refused', async () => {
  const missing = await runCli(['segments']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--threshold is required/);
  assert.match(missing.stderr, /Give order exports or --profiles without --threshold/);
  const create = await runCli(['segments', fixture('shopify-orders.csv'), '--create']);
  assert.equal(create.code, 2);
  assert.match(create.stderr, /--threshold is required to create the segments/);
  const both = await runCli(['segments', '--threshold', '5', fixture('shopify-orders.csv'), '--profiles', 'x.csv']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /not both/);
});

test('segments --create: property, native and size segments created once, the metric looked up by name; a second run creates nothing', async () => {
  const standIn = await new KlaviyoFlowsStandIn(API_KEY).start();
  const env = { KLAVIYO_API_KEY: API_KEY, KLAVIYO_BASE_URL: standIn.baseUrl, BACKFILL_PUSH_TUNING: JSON.stringify({ createPerMinute: 6000 }) };
  try {
    const first = await runCli(['segments', '--threshold', '1000', '--sizes', 'small,large', '--create', '--json'], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(standIn.violations, [], 'every Create Segment body matched the schema');
    assert.deepEqual(standIn.segments.map((s) => s.name), [
      'Order of 1000 or more, last 30 days (backfill)',
      'Placed Order of 1000 or more, last 30 days (native)',
      'Ordered small, last 30 days (backfill)',
      'Ordered large, last 30 days (backfill)',
    ]);
    const native = standIn.segments[1]!.body as Segment['body'];
    assert.equal(native.data.attributes.definition.condition_groups[0]!.conditions[0]!.metric_id, 'XyZ123', 'the metric found by name');
    const report = parse(first.stdout);
    assert.equal(report.metric.id, 'XyZ123');
    assert.deepEqual(report.segments.map((s) => s.outcome), [{ kind: 'created', id: 'SG0001' }, { kind: 'created', id: 'SG0002' }, { kind: 'created', id: 'SG0003' }, { kind: 'created', id: 'SG0004' }]);
    const second = await runCli(['segments', '--threshold', '1000', '--sizes', 'small,large', '--create', '--metric-id', 'XyZ123'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(standIn.creates('create-segment'), 4);
    assert.match(second.stdout, /exists already \(segment id SG0002\): nothing sent/);
    assert.deepEqual(standIn.violations, []);
  } finally {
    await standIn.stop();
  }
});
