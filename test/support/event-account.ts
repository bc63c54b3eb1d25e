/**
 * Klaviyo accounts for the `--from klaviyo` tests: the fixture account (fixtures/klaviyo/), generated
 * histories for property tests and the bench, and the same orders written as a json-items CSV (the
 * export a person would otherwise make), to compare the two sources.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import assert from 'node:assert/strict';
import { FIXTURES } from './cli.js';
import { KlaviyoStandIn } from './klaviyo-stand-in.js';
import { API_KEY, fastPushEnv } from './push-harness.js';
import { EventAccount, type AccountEvent, type AccountMetric, type EventAccountOptions } from './stand-in-events.js';

export const PLACED_ORDER_ID = 'RkXyZ1';

interface AccountFixture {
  readonly metrics: AccountMetric[];
  readonly events: AccountEvent[];
}

export function fixtureAccount(options: EventAccountOptions = {}): EventAccount {
  const fixture = JSON.parse(readFileSync(join(FIXTURES, 'klaviyo', 'placed-order-account.json'), 'utf8')) as AccountFixture;
  return new EventAccount(fixture.metrics, fixture.events, options);
}

/**
 * The stand-in serving the fixture account (and the bulk import) while `run` runs, with the
 * environment a CLI child needs to reach it; afterwards no request may have broken the schema.
 */
export async function withFixtureAccount(options: EventAccountOptions, run: (standIn: KlaviyoStandIn, env: Record<string, string>) => Promise<void>): Promise<void> {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY, account: fixtureAccount(options) }).start();
  try {
    await run(standIn, fastPushEnv({ KLAVIYO_BASE_URL: standIn.baseUrl, KLAVIYO_API_KEY: API_KEY }));
    assert.deepEqual(standIn.violations, []);
  } finally {
    await standIn.stop();
  }
}

/** A Placed Order event as a test writes it. */
export function placedOrder(id: string, datetime: string, email: string, value: number, items: unknown[] = []): AccountEvent {
  return { id, metricId: PLACED_ORDER_ID, datetime, profile: { id: `P-${email}`, email, phone: null }, properties: { $value: value, items } };
}

/**
 * The account's Placed Order events as a json-items CSV: one row per event, `$event_id` the event id,
 * `Datetime` its datetime, the items of `items` and `Items` in one JSON cell (both are read alike).
 */
export async function writeJsonItemsExport(dir: string, account: EventAccount, file = 'placed-orders.csv'): Promise<string> {
  const rows: string[][] = [['$event_id', 'Datetime', '$email', '$phone_number', '$value', 'Items']];
  for (const event of account.events) {
    if (event.metricId !== PLACED_ORDER_ID) continue;
    const properties = event.properties ?? {};
    const value = properties.$value;
    const lists = [properties.items, properties.Items].filter((list) => list !== undefined);
    // An items value that is not a list stays as it is, so the CSV rejects it as the events source does.
    const items = lists.every(Array.isArray) ? JSON.stringify(lists.flat()) : String(lists.find((list) => !Array.isArray(list)));
    rows.push([event.id, event.datetime, event.profile?.email ?? '', event.profile?.phone ?? '', value === undefined ? '' : String(value), items]);
  }
  const path = join(dir, file);
  await writeFile(path, stringify(rows));
  return path;
}

const SIZES = ['small', 'medium', 'large', 'xlarge', 'S', 'XL'];

/** `count` Placed Order events over a year for `customers` profiles, one every few minutes, deterministic. */
export function generatedEvents(count: number, customers: number, seed = 1): AccountEvent[] {
  let state = seed >>> 0 || 1;
  const random = () => ((state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
  const start = Date.parse('2025-01-01T00:00:00Z');
  const step = (365 * 86_400_000) / count;
  const events: AccountEvent[] = [];
  for (let i = 0; i < count; i++) {
    const customer = Math.floor(random() * customers);
    const email = `c${customer}@example.com`;
    const at = new Date(start + Math.floor(i * step)).toISOString().replace('.000Z', '+00:00');
    events.push({
      id: `E${String(i).padStart(8, '0')}`,
      metricId: PLACED_ORDER_ID,
      datetime: at,
      profile: { id: `P${customer}`, email, phone: null },
      properties: { $value: Math.round(random() * 50_000) / 100, items: [{ ProductName: 'Tee', Size: SIZES[Math.floor(random() * SIZES.length)], Quantity: 1 }] },
    });
  }
  return events;
}
