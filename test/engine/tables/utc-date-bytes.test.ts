import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DAY_MS } from '../../../src/domain/definitions.js';
import { formatUtc } from '../../../src/domain/timestamp.js';
import { UTC_DATE_BYTES, UtcDateBytes } from '../../../src/engine/tables/utc-date-bytes.js';

const YEAR_0001 = Date.UTC(2000, 0, 1) - 730_119 * DAY_MS;
const YEAR_10000 = Date.UTC(9999, 11, 31) + DAY_MS;

/** What `write` gives, as text, or undefined when it writes nothing. */
function written(dates: UtcDateBytes, epochMs: number): string | undefined {
  const into = new Uint8Array(UTC_DATE_BYTES + 3).fill(0x21);
  const count = dates.write(epochMs, into, 2);
  if (count < 0) {
    assert.ok(into.every((byte) => byte === 0x21), 'nothing written');
    return undefined;
  }
  assert.equal(count, UTC_DATE_BYTES);
  return Buffer.from(into.subarray(2, 2 + count)).toString('latin1');
}

test('dates written as bytes are formatUtc, the cached day reused across times, days, years and 4096-day strides', () => {
  assert.equal(formatUtc(YEAR_0001), '0001-01-01 00:00:00');
  assert.equal(formatUtc(YEAR_10000 - 1000), '9999-12-31 23:59:59');
  // Within three days either side, the upper end left out: around(YEAR_10000 - 3 days) must stay in range.
  const around = (ms: number) => fc.integer({ min: -3 * DAY_MS, max: 3 * DAY_MS - 1 }).map((d) => ms + d);
  const instant = fc.oneof(
    fc.integer({ min: YEAR_0001, max: YEAR_10000 - 1 }),
    fc.double({ min: YEAR_0001, max: YEAR_10000 - 1, noNaN: true }),
    around(0),
    around(Date.UTC(2024, 1, 29)),
    around(Date.UTC(2025, 0, 1)),
    around(Date.UTC(1969, 11, 31, 23, 59, 59)),
    around(YEAR_0001 + 3 * DAY_MS),
    around(YEAR_10000 - 3 * DAY_MS),
    fc.integer({ min: -50, max: 50 }).map((k) => Date.UTC(2025, 5, 1, 13, 14, 15) + k * 4096 * DAY_MS),
  );
  fc.assert(
    fc.property(fc.array(instant, { minLength: 1, maxLength: 60 }), (instants) => {
      // One writer for the whole run, as the CSV writer keeps it: the cache must never show a stale day.
      const dates = new UtcDateBytes();
      for (const ms of [...instants, ...instants]) assert.equal(written(dates, ms), formatUtc(ms), String(ms));
    }),
    { numRuns: 300 },
  );
});

test('outside years 1 to 9999, and for no instant at all, nothing is written (formatUtc falls back)', () => {
  const dates = new UtcDateBytes();
  for (const ms of [YEAR_0001 - 1, YEAR_0001 - DAY_MS, YEAR_10000, YEAR_10000 + 4096 * DAY_MS, -8.64e15, 8.64e15, NaN, Infinity, -Infinity]) {
    assert.equal(written(dates, ms), undefined, String(ms));
  }
  // The same cache lines, once holding a day in range, still refuse the days out of range that share them.
  assert.equal(written(dates, YEAR_10000 - 4096 * DAY_MS), formatUtc(YEAR_10000 - 4096 * DAY_MS));
  assert.equal(written(dates, YEAR_10000), undefined);
  assert.equal(written(dates, YEAR_0001 + 4096 * DAY_MS - 1), formatUtc(YEAR_0001 + 4096 * DAY_MS - 1));
  assert.equal(written(dates, YEAR_0001 - 1), undefined);
});
