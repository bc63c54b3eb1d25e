import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildDefinitions, DAY_MS, type ReducerMode } from '../../../src/domain/definitions.js';
import type { Order } from '../../../src/domain/order.js';
import { ProfileAccumulator } from '../../../src/engine/profiles/profile-accumulator.js';
import { type ProfileRow } from '../../../src/domain/profile-row.js';
import { profileValuesCsvChunks } from '../../../src/io/profiles-csv.js';
import { computationOf } from '../../../src/domain/computation.js';

const AS_OF = Date.UTC(2025, 5, 30);
const SIZES = ['small', 'medium', 'large', 'xlarge'];

function profiles(orders: readonly Order[], mode: ReducerMode = 'flow', windows = [30], asOf = AS_OF): ProfileRow[] {
  const accumulator = new ProfileAccumulator(computationOf({ definitions: buildDefinitions(mode, windows, SIZES), asOf }));
  for (const order of orders) accumulator.add(order);
  return accumulator.toRows();
}

const order = (email: string, placedAt: number, value: number, sizes: string[] = [], orderId = `#${placedAt}`): Order => ({
  orderId,
  email,
  placedAt,
  value,
  sizes,
});

test('template defect 3: two items of one size give one date, not the date twice', () => {
  const [row] = profiles([order('a@x.com', Date.UTC(2025, 5, 1, 12), 10, ['small'])]);
  assert.equal(row?.properties['small_order_date'], '2025-06-01 12:00:00');
});

test('template defect 4: a size missing from the latest order keeps its earlier date', () => {
  const [row] = profiles([
    order('a@x.com', Date.UTC(2025, 4, 1), 10, ['small']),
    order('a@x.com', Date.UTC(2025, 5, 1), 20, ['medium']),
  ]);
  assert.equal(row?.properties['small_order_date'], '2025-05-01 00:00:00');
  assert.equal(row?.properties['medium_order_date'], '2025-06-01 00:00:00');
  assert.equal(row?.properties['large_order_date'], undefined);
});

test('a size date is the latest order with that size, even if that order came first in the input', () => {
  const [row] = profiles([order('a@x.com', Date.UTC(2025, 5, 1), 20, ['small']), order('a@x.com', Date.UTC(2025, 4, 1), 10, ['small'])]);
  assert.equal(row?.properties['small_order_date'], '2025-06-01 00:00:00');
});

test('orders after as-of are ignored entirely', () => {
  const rows = profiles([order('a@x.com', AS_OF + 1, 99, ['small']), order('b@x.com', AS_OF, 5)]);
  assert.deepEqual(rows.map((r) => r.email), ['b@x.com']);
});

test('extra windows are written under N_day_ names; window mode leaves empty windows blank', () => {
  const [row] = profiles([order('a@x.com', AS_OF - 45 * DAY_MS, 300), order('a@x.com', AS_OF - 70 * DAY_MS, 900)], 'window', [30, 60, 90]);
  assert.deepEqual(row?.properties, {
    '60_day_highest_order_value': 300,
    '60_day_highest_order_date': '2025-05-16 00:00:00',
    '90_day_highest_order_value': 900,
    '90_day_highest_order_date': '2025-04-21 00:00:00',
  });
});

test('window mode leaves out a profile with nothing to set', () => {
  assert.deepEqual(profiles([order('a@x.com', AS_OF - 40 * DAY_MS, 300)], 'window'), []);
});

test('rows are sorted by email in code-unit order', () => {
  const rows = profiles([order('b@x.com', 1, 1), order('A@x.com', 2, 1), order('a@x.com', 3, 1)]);
  assert.deepEqual(rows.map((r) => r.email), ['A@x.com', 'a@x.com', 'b@x.com']);
});

// Random orders for a handful of profiles over ~120 days before as-of, with whole-cent values.
const arbitraryOrders = fc.array(
  fc.record({
    email: fc.constantFrom('a@x.com', 'b@x.com', 'c@x.com'),
    placedAt: fc.integer({ min: AS_OF - 120 * DAY_MS, max: AS_OF }),
    value: fc.integer({ min: 0, max: 500_000 }).map((cents) => cents / 100),
    sizes: fc.subarray(SIZES),
  }),
  { maxLength: 40 },
);

for (const mode of ['flow', 'window'] as const) {
  test(`${mode}: shuffling the orders never changes the profiles`, () => {
    fc.assert(
      fc.property(arbitraryOrders, fc.func(fc.integer()), (raw, rank) => {
        const orders = raw.map((o, i) => order(o.email, o.placedAt, o.value, o.sizes, `#${i}`));
        const shuffled = [...orders].sort((x, y) => rank(x.orderId) - rank(y.orderId));
        assert.deepEqual(profiles(shuffled, mode, [30, 60]), profiles(orders, mode, [30, 60]));
      }),
    );
  });
}

test('flow and window agree when all of a profile\'s orders fall in one window ending at as-of, values distinct', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 20 }),
      fc.array(fc.integer({ min: 0, max: 30 * DAY_MS }), { minLength: 20, maxLength: 20 }),
      (cents, ages) => {
        const orders = cents.map((c, i) => order('a@x.com', AS_OF - ages[i]!, c / 100));
        assert.deepEqual(profiles(orders, 'flow'), profiles(orders, 'window'));
      },
    ),
  );
});

test('the order in which orders arrive never changes the profiles CSV, in both modes', () => {
  const csvOf = (orders: readonly Order[], mode: ReducerMode): string => {
    const definitions = buildDefinitions(mode, [30, 60], SIZES);
    const accumulator = new ProfileAccumulator(computationOf({ definitions, asOf: AS_OF }));
    for (const order of orders) accumulator.add(order);
    return [...profileValuesCsvChunks(accumulator.values())].map(String).join('');
  };
  fc.assert(
    fc.property(
      arbitraryOrders.chain((raw) => fc.tuple(fc.constant(raw), fc.shuffledSubarray(raw.map((_, i) => i), { minLength: raw.length, maxLength: raw.length }))),
      fc.constantFrom<ReducerMode>('flow', 'window'),
      ([raw, permutation], mode) => {
        // Distinct times per profile: equal times would be a tie the export's row order decides.
        const orders = raw.map((o, i) => order(o.email, o.placedAt + i, o.value, o.sizes, `#${i}`));
        assert.equal(csvOf(permutation.map((i) => orders[i]!), mode), csvOf(orders, mode));
      },
    ),
  );
});

test('a profile with more orders than the insertion-sort limit still gets them in time order', () => {
  // 200 orders, newest first (as Shopify exports are), one much larger in the middle.
  const orders = Array.from({ length: 200 }, (_, i) => order('a@x.com', AS_OF - i * 3_600_000, i === 100 ? 999 : 10));
  const [row] = profiles(orders);
  assert.equal(row?.properties['highest_order_value'], 999);
  assert.equal(row?.properties['highest_order_date'], '2025-06-25 20:00:00');
});
