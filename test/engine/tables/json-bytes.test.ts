import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JsonBytes } from '../../../src/engine/tables/json-bytes.js';
import { formatUtc } from '../../../src/domain/timestamp.js';

test('text is written as Buffer.from writes it (UTF-8), ASCII or not, across buffer growth', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ maxLength: 40, unit: fc.constantFrom('grapheme', 'binary', 'grapheme-ascii') }), { maxLength: 20 }), (texts) => {
      const out = new JsonBytes();
      for (const text of texts) out.text(text);
      assert.deepEqual(out.bytes(), Buffer.from(texts.join('')));
    }),
  );
  const out = new JsonBytes();
  const long = 'é'.repeat(100_000);
  out.text(long);
  out.text('x');
  assert.equal(out.bytes().toString('utf8'), `${long}x`);
  out.clear();
  assert.equal(out.length, 0);
});

test('a date is JSON.stringify(formatUtc(ms)), in the years 0001-9999 and outside them', () => {
  fc.assert(
    fc.property(fc.oneof(fc.integer({ min: -62_198_755_200_000, max: 253_402_300_799_999 }), fc.integer({ min: -62_167_219_200_000, max: -62_135_596_800_000 }), fc.constantFrom(-62_167_219_200_000, -62_167_219_200_001, -62_162_035_200_000, -62_162_035_200_001, 253_402_300_799_999, 253_402_300_800_000, 0, -1, 999)), (ms) => {
      const out = new JsonBytes();
      out.quotedDate(ms);
      assert.equal(out.bytes().toString('utf8'), JSON.stringify(formatUtc(ms)));
    }),
    { numRuns: 5000 },
  );
});

test('raw bytes and single bytes go in as they are', () => {
  const out = new JsonBytes();
  out.byte(0x7b);
  out.raw(Buffer.from('"n":'));
  out.text('1.5');
  out.byte(0x7d);
  assert.equal(out.bytes().toString(), '{"n":1.5}');
});

test('a number is written as String writes it: integers, money, long fractions, tiny, huge, negative zero', () => {
  const decimal = fc.tuple(fc.integer({ min: -999_999_999, max: 999_999_999 }), fc.integer({ min: 0, max: 8 })).map(([units, places]) => units / 10 ** places);
  fc.assert(
    fc.property(fc.oneof(decimal, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.double({ min: -1e-3, max: 1e-3, noNaN: true })), (value) => {
      const out = new JsonBytes();
      out.number(value);
      assert.equal(out.bytes().toString(), String(value), `${value}`);
    }),
    { numRuns: 50_000 },
  );
  for (const value of [0, -0, 1e-6, 9.99e-7, 0.1 + 0.2, 1e15, 999_999_999.999999, 123_456_789.123456, 1e21, -1359.5]) {
    const out = new JsonBytes();
    out.number(value);
    assert.equal(out.bytes().toString(), String(value), `${value}`);
  }
});
