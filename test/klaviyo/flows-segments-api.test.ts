import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowsApi } from '../../src/klaviyo/flows-api.js';
import { findMetricByName } from '../../src/klaviyo/metrics-api.js';
import { segmentsApi } from '../../src/klaviyo/segments-api.js';
import { DEFAULT_TUNING } from '../../src/klaviyo/tuning.js';
import { KlaviyoFlowsStandIn } from '../support/klaviyo-flows-stand-in.js';
import { VirtualClock } from '../support/virtual-clock.js';

const API_KEY = 'pk_test_flows_0123456789abcdef01234';

async function withStandIn(run: (standIn: KlaviyoFlowsStandIn, clock: VirtualClock, client: Parameters<typeof flowsApi>[0]) => Promise<void>): Promise<void> {
  const standIn = await new KlaviyoFlowsStandIn(API_KEY).start();
  const clock = new VirtualClock();
  // Klaviyo's real pacing and back-off, in virtual time; only the request timeout is real.
  const client = { connection: { baseUrl: standIn.baseUrl, apiKey: API_KEY, revision: '2026-07-15' }, tuning: { ...DEFAULT_TUNING, requestTimeoutMs: 2000 }, clock };
  try {
    await run(standIn, clock, client);
    assert.deepEqual(standIn.violations, []);
  } finally {
    await standIn.stop();
  }
}

const segmentBody = (name: string) => ({
  data: { type: 'segment', attributes: { name, definition: { condition_groups: [{ conditions: [{ type: 'profile-property', property: "properties['small_order_date']", filter: { type: 'date', operator: 'in-the-last', unit: 'day', quantity: 30 } }] }] } } },
});

test('Create Segment is paced to 1/s burst and 15/min: 20 creates take 19 x 4 s of (virtual) waiting', async () => {
  await withStandIn(async (standIn, clock, client) => {
    const api = segmentsApi(client);
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const outcome = await api.createSegment(`segment ${i}`, segmentBody(`segment ${i}`));
      assert.equal(outcome.kind, 'created');
      times.push(clock.now());
    }
    assert.equal(standIn.segments.length, 20);
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 4000 - 1, `gap ${i}: ${times[i]! - times[i - 1]!} ms`);
    // Never more than 15 creates in any 60 s, and never 2 in one second.
    for (let i = 15; i < times.length; i++) assert.ok(times[i]! - times[i - 15]! >= 60_000 - 15);
  });
});

test('Create Flow after a lost answer looks the name up and does not create it again', async () => {
  await withStandIn(async (standIn, _clock, client) => {
    standIn.faults.push({ on: 'create-flow', kind: 'lost-response' });
    const outcome = await flowsApi(client).createFlow('Highest order value, 30 days (backfill)', flowBody('Highest order value, 30 days (backfill)'));
    assert.deepEqual(outcome, { kind: 'created', id: 'FL0001' });
    assert.equal(standIn.creates('create-flow'), 1);
  });
});

test('Create Segment: a 503 that created nothing is looked up, then sent again once; a 429 waits out Retry-After', async () => {
  await withStandIn(async (standIn, clock, client) => {
    standIn.faults.push({ on: 'create-segment', kind: 'status', status: 503 }, { on: 'create-segment', kind: 'status', status: 429, retryAfter: '7' });
    const before = clock.now();
    const outcome = await segmentsApi(client).createSegment('s', segmentBody('s'));
    assert.deepEqual(outcome, { kind: 'created', id: 'SG0001' });
    assert.equal(standIn.creates('create-segment'), 3);
    assert.equal(standIn.segments.length, 1);
    assert.equal(standIn.requests.filter((r) => r.route === 'get-segments').length, 2, 'looked up before, and after the 503 (not after the 429)');
    assert.ok(clock.now() - before >= 7000, 'Retry-After waited out');
  });
});

test('Create Flow: a 400 is returned as a refusal and never retried; an existing name sends nothing', async () => {
  await withStandIn(async (standIn, _clock, client) => {
    standIn.faults.push({ on: 'create-flow', kind: 'status', status: 400, detail: 'Webhook actions are not supported.' });
    const api = flowsApi(client);
    const refused = await api.createFlow('f', flowBody('f'));
    assert.equal(refused.kind, 'refused');
    assert.match(refused.kind === 'refused' ? refused.message : '', /Webhook actions are not supported/);
    assert.equal(standIn.creates('create-flow'), 1);
    assert.deepEqual(await api.createFlow('f', flowBody('f')), { kind: 'created', id: 'FL0001' });
    assert.deepEqual(await api.createFlow('f', flowBody('f')), { kind: 'exists', id: 'FL0001' });
    assert.equal(standIn.creates('create-flow'), 2);
  });
});

test('findMetricByName reads every page; several metrics of one name is an error listing them', async () => {
  await withStandIn(async (standIn, _clock, client) => {
    standIn.metrics = [{ id: 'A1', name: 'Checkout Started' }, { id: 'B2', name: 'Fulfilled Order' }, { id: 'C3', name: 'Placed Order', integration: 'Shopify' }];
    assert.deepEqual(await findMetricByName('Placed Order', client), { id: 'C3', integration: 'Shopify' });
    standIn.metrics.push({ id: 'D4', name: 'Placed Order', integration: 'API' });
    await assert.rejects(findMetricByName('Placed Order', client), /2 metrics named "Placed Order": C3 \(Shopify\), D4 \(API\)/);
    await assert.rejects(findMetricByName('Ordered', client), /no metric named "Ordered"/);
  });
});

function flowBody(name: string): unknown {
  return {
    data: {
      type: 'flow',
      attributes: {
        name,
        definition: {
          triggers: [{ type: 'metric', id: 'XyZ123' }],
          entry_action_id: 'hook',
          actions: [{ temporary_id: 'hook', type: 'send-webhook', links: { next: null }, data: { status: 'draft', message: { url: 'https://a.klaviyo.com/client/profiles?company_id=ABC123', headers: {}, body: '{}' } } }],
        },
      },
    },
  };
}
