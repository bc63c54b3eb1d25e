import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_EVENT_ITEM_PATHS, orderOfEvent, valueAt, type OrderEvent } from '../../src/domain/events-to-orders.js';
import { dropEventsBefore, eventsNeededFrom, storeCovers } from '../../src/domain/event-retention.js';
import { buildDefinitions, DAY_MS } from '../../src/domain/definitions.js';
import { resolveRunSettings } from '../../src/config/run-settings.js';
import { eventReading } from '../../src/io/event-orders.js';

const input = resolveRunSettings({}, undefined).input;
const reading = (paths: readonly string[] = DEFAULT_EVENT_ITEM_PATHS) => eventReading(paths, input);
const event = (properties: unknown, extra: Partial<OrderEvent> = {}): OrderEvent => ({ id: 'E1', datetime: '2025-06-10T12:00:00+02:00', email: ' Ann@Example.com ', phone: '', properties, ...extra });

test('an event is an order: datetime, $value, the event id, the email trimmed and lower-cased, sizes from items and Items', () => {
  const outcome = orderOfEvent(event({ $value: 90.5, items: [{ ProductName: 'Dress', VariantName: 'Red / L' }], Items: ['Hat - XL', 'Scarf'] }), reading());
  assert.deepEqual(outcome, { kind: 'order', order: { orderId: 'E1', email: 'ann@example.com', placedAt: Date.parse('2025-06-10T10:00:00Z'), value: 90.5, sizes: ['large', 'xlarge'] } });
});

test('the phone is the profile only without an email; neither is a skipped order', () => {
  const phone = orderOfEvent(event({ $value: 1 }, { email: '', phone: '+1 (500) 555-0006' }), reading());
  assert.equal(phone.kind === 'order' && phone.order.phone, '+15005550006');
  assert.deepEqual(orderOfEvent(event({ $value: 1 }, { email: '  ', phone: '' }), reading()), { kind: 'without-profile' });
});

test('unreadable events say why and name the event id', () => {
  const cases: [unknown, Partial<OrderEvent>, string, RegExp][] = [
    [null, {}, 'BAD_EVENT', /event E1: event_properties is not an object/],
    [{ items: [] }, {}, 'BAD_VALUE', /event E1: \$value is missing/],
    [{ $value: 'ten' }, {}, 'BAD_VALUE', /is not a number: "ten"/],
    [{ $value: 1 }, { datetime: null }, 'BAD_DATE', /datetime is missing/],
    [{ $value: 1 }, { datetime: 'yesterday' }, 'BAD_DATE', /not a timestamp/],
    [{ $value: 1, items: 'Tee' }, {}, 'BAD_ITEMS', /event E1: items: not a JSON array/],
    [{ $value: 1, Items: { Size: 'S' } }, {}, 'BAD_ITEMS', /Items: not a JSON array/],
    [{ $value: 1 }, { email: 'ann at example.com' }, 'BAD_EMAIL', /event E1: "ann at example\.com" is not an email address/],
  ];
  for (const [properties, extra, code, reason] of cases) {
    const outcome = orderOfEvent(event(properties, extra), reading());
    assert.equal(outcome.kind, 'unreadable', JSON.stringify(properties));
    if (outcome.kind === 'unreadable') {
      assert.equal(outcome.code, code);
      assert.match(outcome.reason, reason);
    }
  }
});

test('items at a configured key path: a key with a dot as such, else a dotted path; JSON text is read like a CSV cell', () => {
  const shopify = { $value: 5, $extra: { line_items: [{ title: 'Tee', variant_title: 'Black / S' }] } };
  const sizes = (properties: unknown, paths: string[]) => {
    const outcome = orderOfEvent(event(properties), reading(paths));
    return outcome.kind === 'order' ? outcome.order.sizes : outcome.kind;
  };
  assert.deepEqual(sizes(shopify, ['$extra.line_items']), ['small']);
  assert.deepEqual(sizes(shopify, ['items']), []);
  assert.deepEqual(sizes({ $value: 5, '$extra.line_items': '[{"Size": "M"}]' }, ['$extra.line_items']), ['medium']);
  assert.equal(valueAt({ a: { b: [1] } }, 'a.b.c'), undefined);
});

test('retention: flow mode and size dates need the whole history; window mode without sizes only the longest window', () => {
  const asOf = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(eventsNeededFrom(buildDefinitions('flow', [30], [], {}), asOf), undefined);
  assert.equal(eventsNeededFrom(buildDefinitions('window', [30], ['small'], {}), asOf), undefined);
  const windows = buildDefinitions('window', [30, 90], [], {});
  assert.equal(eventsNeededFrom(windows, asOf), asOf - 90 * DAY_MS);
  assert.equal(dropEventsBefore(windows, asOf), asOf - 120 * DAY_MS);
  assert.ok(storeCovers(null, buildDefinitions('flow', [30], ['small'], {}), asOf));
  assert.ok(storeCovers(asOf - 120 * DAY_MS, windows, asOf));
  assert.ok(!storeCovers(asOf - 120 * DAY_MS, buildDefinitions('flow', [30], [], {}), asOf));
  assert.ok(!storeCovers(asOf - 120 * DAY_MS, windows, asOf - 60 * DAY_MS));
});
