import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JsonBytes } from '../../src/core/json-bytes.js';
import { formatUtc } from '../../src/core/timestamp.js';

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
    fc.property(fc.integer({ min: -62_198_755_200_000, max: 253_402_300_799_000 }), (ms) => {
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
