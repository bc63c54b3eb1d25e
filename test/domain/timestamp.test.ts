import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatUtc, parseTimestamp } from '../../src/domain/timestamp.js';

const epoch = (text: string, assumeUtc = false): number => {
  const parsed = parseTimestamp(text, assumeUtc);
  assert.ok(parsed.ok, `expected ${text} to parse`);
  return parsed.epochMs;
};

test('Shopify timestamps carry the store offset, which changes across DST in one file', () => {
  assert.equal(formatUtc(epoch('2025-03-01 10:00:00 -0500')), '2025-03-01 15:00:00');
  assert.equal(formatUtc(epoch('2025-05-11 09:55:16 -0400')), '2025-05-11 13:55:16');
  assert.equal(formatUtc(epoch('2025-06-01 10:00:00 +0200')), '2025-06-01 08:00:00');
});

test('ISO 8601 forms: T, Z, +hh:mm, fractional seconds, minutes only', () => {
  assert.equal(epoch('2022-09-22T20:41:17.298858Z'), Date.UTC(2022, 8, 22, 20, 41, 17, 298));
  assert.equal(epoch('2014-09-30 13:34:08.000001-04:00'), Date.UTC(2014, 8, 30, 17, 34, 8));
  assert.equal(epoch('2025-01-01T00:00+05:30'), Date.UTC(2024, 11, 31, 18, 30));
});

test('a timestamp without an offset is refused unless UTC is asked for', () => {
  const parsed = parseTimestamp('2025-05-11 09:55:16');
  assert.equal(parsed.ok, false);
  assert.match(parsed.ok ? '' : parsed.reason, /no UTC offset/);
  assert.equal(epoch('2025-05-11', true), Date.UTC(2025, 4, 11));
});

test('impossible dates and non-dates are refused with the text in the reason', () => {
  for (const text of ['2025-02-30 10:00:00 +0000', '2025-13-01 10:00:00 +0000', '2025-01-01 24:00:00 +0000', '16-05-2018 07:32:06', '', 'yesterday']) {
    const parsed = parseTimestamp(text);
    assert.equal(parsed.ok, false, text);
  }
  const parsed = parseTimestamp('2025-02-30 10:00:00 +0000');
  assert.match(parsed.ok ? '' : parsed.reason, /2025-02-30/);
});

test('formatting and parsing round-trip every second from 1970 to 2100', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) / 1000 }), (seconds) => {
      assert.equal(epoch(`${formatUtc(seconds * 1000)} +0000`), seconds * 1000);
    }),
  );
});

test('formatting matches Date.toISOString for any instant from year 1 to 9999', () => {
  fc.assert(
    fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), (epochMs) => {
      assert.equal(formatUtc(epochMs), new Date(epochMs).toISOString().slice(0, 19).replace('T', ' '));
    }),
    { numRuns: 5000 },
  );
  assert.equal(formatUtc(Date.UTC(2024, 1, 29, 23, 59, 59, 999)), '2024-02-29 23:59:59');
  assert.equal(formatUtc(-1), '1969-12-31 23:59:59');
});
