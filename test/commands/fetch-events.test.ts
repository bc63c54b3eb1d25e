/**
 * Fetching into the event store, in-process against the stand-in: however the history is split into
 * successive fetches (events arriving late by less than the overlap), the store ends up holding each
 * event once and the profiles are those of one fetch of everything. And the retention rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkRetention } from '../../src/cli/order-source-flags.js';
import { computeProfileTable } from '../../src/commands/compute.js';
import { fetchEvents } from '../../src/commands/fetch-events.js';
import { resolveRunSettings } from '../../src/config/run-settings.js';
import { eventReading, storedEventOrders } from '../../src/io/event-orders.js';
import type { EventStore } from '../../src/io/event-store.js';
import { systemClock } from '../../src/klaviyo/clock.js';
import { DEFAULT_TUNING } from '../../src/klaviyo/tuning.js';
import { tempDir } from '../support/cli.js';
import { KlaviyoStandIn } from '../support/klaviyo-stand-in.js';
import { API_KEY } from '../support/push-harness.js';
import { EventAccount, type AccountEvent } from '../support/stand-in-events.js';
import { computationOf } from '../../src/domain/computation.js';

const METRIC = { id: 'RkXyZ1', name: 'Placed Order', integration: { name: 'Shopify', category: 'eCommerce' } };
const HOUR = 3_600_000;
const OVERLAP = 24 * HOUR;
const START = Date.parse('2025-03-01T00:00:00Z');
const SETTINGS = resolveRunSettings({ windows: [7, 30] }, undefined);

async function storedIds(store: EventStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const event of store.events()) ids.push(event.id);
  return ids;
}

async function profilesOf(store: EventStore): Promise<string> {
  const table = await computeProfileTable({
    files: [],
    source: storedEventOrders(store, eventReading(SETTINGS.events.itemPaths, SETTINGS.input), 'klaviyo'),
    computation: computationOf({ definitions: SETTINGS.definitions, asOf: START + 40 * 24 * HOUR }),
    input: SETTINGS.input,
    strict: false,
    rejectsPath: undefined,
  });
  return JSON.stringify(table.rows);
}

const history = fc
  .array(
    fc.record({
      hour: fc.integer({ min: 0, max: 30 * 24 }),
      // Late by up to half the overlap: the store's rule then promises to catch the event.
      delay: fc.integer({ min: 0, max: OVERLAP / HOUR / 2 }),
      customer: fc.integer({ min: 0, max: 5 }),
      cents: fc.integer({ min: 1, max: 100_000 }),
      size: fc.constantFrom('small', 'M', 'XL', 'none'),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .chain((events) => fc.tuple(fc.constant(events), fc.uniqueArray(fc.integer({ min: 0, max: 31 * 24 }), { maxLength: 5 })));

test('any split of the history into successive fetches gives the same store and the same profiles', async () => {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY, account: new EventAccount([METRIC], [], { servedPageSize: 3 }) }).start();
  const reader = { connection: { baseUrl: standIn.baseUrl, apiKey: API_KEY, revision: '2026-07-15' }, tuning: DEFAULT_TUNING, clock: systemClock };
  const fetchInto = (stateDir: string) =>
    fetchEvents({ reader, metric: { id: METRIC.id }, stateDir, refetch: false, since: undefined, overlapMs: OVERLAP, partEvents: 2, definitions: SETTINGS.definitions });
  try {
    await fc.assert(
      fc.asyncProperty(history, async ([drawn, fetchHours]) => {
        const all: (AccountEvent & { arrives: number })[] = drawn.map((e, i) => ({
          id: `ev${i}`,
          metricId: METRIC.id,
          datetime: new Date(START + e.hour * HOUR).toISOString().replace('.000Z', '+00:00'),
          arrives: START + (e.hour + e.delay) * HOUR,
          profile: { id: `p${e.customer}`, email: `c${e.customer}@example.com`, phone: null },
          properties: { $value: e.cents / 100, items: e.size === 'none' ? [] : [{ Size: e.size }] },
        }));
        const account = standIn.options.account!;
        const split = tempDir();
        for (const hour of [...fetchHours.sort((a, b) => a - b), Infinity]) {
          account.events.splice(0, account.events.length, ...all.filter((e) => e.arrives <= START + hour * HOUR));
          await fetchInto(split);
        }
        const once = await fetchInto(tempDir());
        const splitStore = (await fetchInto(split)).store;
        const ids = await storedIds(splitStore);
        assert.deepEqual([...ids].sort(), all.map((e) => e.id).sort(), 'each event once');
        assert.deepEqual([...ids].sort(), (await storedIds(once.store)).sort());
        assert.equal(await profilesOf(splitStore), await profilesOf(once.store));
      }),
      { numRuns: 25 },
    );
    assert.deepEqual(standIn.violations, []);
  } finally {
    await standIn.stop();
  }
});

test('retention: window mode without sizes drops events older than its longest window plus 30 days, and a later flow run is refused', async () => {
  const now = Date.now();
  const at = (daysAgo: number) => new Date(now - daysAgo * 24 * HOUR).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const events: AccountEvent[] = [200, 100, 59, 10].map((daysAgo) => ({
    id: `d${daysAgo}`,
    metricId: METRIC.id,
    datetime: at(daysAgo),
    profile: { id: 'p', email: 'p@example.com', phone: null },
    properties: { $value: daysAgo, items: [] },
  }));
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY, account: new EventAccount([METRIC], events) }).start();
  try {
    const reader = { connection: { baseUrl: standIn.baseUrl, apiKey: API_KEY, revision: '2026-07-15' }, tuning: DEFAULT_TUNING, clock: systemClock };
    const windowOnly = resolveRunSettings({ mode: 'window', windows: [30], sizes: [] }, undefined);
    const { store } = await fetchEvents({ reader, metric: { id: METRIC.id }, stateDir: tempDir(), refetch: false, since: undefined, overlapMs: OVERLAP, definitions: windowOnly.definitions });
    assert.deepEqual((await storedIds(store)).sort(), ['d10', 'd59'], '30 days + 30 days of margin kept');
    assert.ok(store.manifest.trimmedBefore !== null);
    assert.doesNotThrow(() => checkRetention(store, windowOnly, now));
    assert.throws(() => checkRetention(store, resolveRunSettings({ mode: 'flow' }, undefined), now), /dropped the events before/);
    const flow = await fetchEvents({ reader, metric: { id: METRIC.id }, stateDir: tempDir(), refetch: false, since: undefined, overlapMs: OVERLAP, definitions: SETTINGS.definitions });
    assert.equal(flow.store.eventCount, 4, 'window mode with sizes (the default sizes) keeps everything');
  } finally {
    await standIn.stop();
  }
});
