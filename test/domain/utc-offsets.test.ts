/**
 * UTC offsets beyond ±14:00, or with minutes of 60 or more, are typos (`+2500`, `-9959`): read as
 * written they would move an order by a day or more, so every layout refuses them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TimestampReader } from '../../src/domain/order-timestamps.js';
import { parseTimestamp } from '../../src/domain/timestamp.js';

const reader = new TimestampReader(undefined, 'dmy');
const pad = (n: number) => String(n).padStart(2, '0');

test('every offset ±hhmm: accepted exactly when it is a real one, and then it moves the time by itself', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.boolean(), fc.boolean(), (hours, minutes, negative, colon) => {
      const offset = `${negative ? '-' : '+'}${pad(hours)}${colon ? ':' : ''}${pad(minutes)}`;
      const real = minutes < 60 && hours * 60 + minutes <= 14 * 60;
      const expected = Date.UTC(2025, 4, 11, 9, 55, 16) - (negative ? -1 : 1) * (hours * 60 + minutes) * 60_000;
      // The fast Shopify path, ISO with a T, a day/month date and RFC 2822 (which has no colon form).
      const texts = [`2025-05-11 09:55:16 ${offset}`, `2025-05-11T09:55:16${offset}`, `11/05/2025 09:55:16 ${offset}`];
      if (!colon) texts.push(`Sun, 11 May 2025 09:55:16 ${offset}`);
      for (const text of texts) {
        const parsed = reader.read(text);
        if (real) assert.deepEqual(parsed, { ok: true, epochMs: expected }, text);
        else assert.ok(!parsed.ok && parsed.reason.startsWith(`UTC offset ${offset} is impossible (offsets run from -14:00 to +14:00, minutes below 60): "${text}"`), text);
      }
      assert.equal(parseTimestamp(`2025-05-11T09:55:16${offset}`).ok, real, `--as-of with ${offset}`);
    }),
    { numRuns: 400 },
  );
});

test('the cases the trial found, and the real extremes', () => {
  assert.equal(reader.read('2025-05-11 09:55:16 +2500').ok, false);
  assert.equal(reader.read('2025-05-11 09:55:16 -9959').ok, false);
  assert.equal(reader.read('2025-05-11 09:55:16 +0160').ok, false);
  assert.deepEqual(reader.read('2025-05-11 09:55:16 +1400'), { ok: true, epochMs: Date.UTC(2025, 4, 10, 19, 55, 16) });
  assert.deepEqual(reader.read('2025-05-11 09:55:16 -1200'), { ok: true, epochMs: Date.UTC(2025, 4, 11, 21, 55, 16) });
});
