import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildDefinitions, DAY_MS, type ReducerMode } from '../../src/domain/definitions.js';
import { ProfileAccumulator } from '../../src/engine/profiles/profile-accumulator.js';
import { profileValuesCsvChunks } from '../../src/io/profiles-csv.js';
import { referenceProfilesCsv } from '../support/profiles-csv-reference.js';
import { computationOf, PropertySchema } from '../../src/domain/computation.js';

const AS_OF = Date.UTC(2025, 5, 30);
const SIZES = ['small', 'medium', 'large'];

function accumulate(mode: ReducerMode, orders: readonly { key: string; placedAt: number; value: number; sizes: string[] }[]): ProfileAccumulator {
  const accumulator = new ProfileAccumulator(computationOf({ definitions: buildDefinitions(mode, [30, 90], SIZES), asOf: AS_OF }));
  orders.forEach((o, i) => {
    const identity = o.key.includes('@') ? { email: o.key } : { email: '', phone: o.key };
    accumulator.add({ orderId: `#${i}`, ...identity, placedAt: o.placedAt, value: o.value, sizes: o.sizes });
  });
  return accumulator;
}

test('the CSV written from numbers is, byte for byte, what csv-stringify writes from the rows (emails, phones, blanks)', () => {
  const orders = fc.array(
    fc.record({
      // Keys copied as bytes (ASCII, no quotes needed) and keys that must be quoted or UTF-8 encoded.
      key: fc.constantFrom('a@x.com', 'b,"quoted"@x.com', '+15550100199', '+442071838750', 'zoë@x.com', 'ünïcödé@例え.jp', 'line\nbreak@x.com', 'cr\r@x.com', 'ÿ@x.com', '~@x.com'),
      // Some orders fall outside every window (window mode: blank values, or no row at all); some
      // are centuries old, down to before year 1 (size dates show them all).
      placedAt: fc.oneof(fc.integer({ min: AS_OF - 200 * DAY_MS, max: AS_OF }), fc.integer({ min: -62_135_596_800_000 - 400 * DAY_MS, max: AS_OF })),
      value: fc.oneof(fc.integer({ min: 0, max: 500_000 }).map((cents) => cents / 100), fc.double({ min: 0, max: 1e22, noNaN: true })),
      sizes: fc.subarray(SIZES),
    }),
    { maxLength: 30 },
  );
  fc.assert(
    fc.property(orders, fc.constantFrom<ReducerMode>('flow', 'window'), (raw, mode) => {
      const definitions = buildDefinitions(mode, [30, 90], SIZES);
      const fromRows = referenceProfilesCsv(new PropertySchema(definitions).names, accumulate(mode, raw).toRows());
      const fromValues = [...profileValuesCsvChunks(accumulate(mode, raw).values())].join('');
      assert.equal(fromValues, fromRows);
    }),
  );
});

test('a phone-only profile adds the Phone Number column, blank for email profiles', () => {
  const day = (d: number) => AS_OF - d * DAY_MS;
  const csv = [
    ...profileValuesCsvChunks(
      accumulate('window', [
        { key: 'a@x.com', placedAt: day(1), value: 20.5, sizes: ['small'] },
        { key: '+15550100199', placedAt: day(40), value: 7, sizes: [] },
      ]).values(),
    ),
  ].join('');
  assert.equal(
    csv,
    [
      'Email,Phone Number,highest_order_value,highest_order_date,90_day_highest_order_value,90_day_highest_order_date,small_order_date,medium_order_date,large_order_date',
      ',+15550100199,,,7,2025-05-21 00:00:00,,,',
      'a@x.com,,20.5,2025-06-29 00:00:00,20.5,2025-06-29 00:00:00,2025-06-29 00:00:00,,',
      '',
    ].join('\n'),
  );
});
