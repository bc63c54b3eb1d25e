import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatCount, someNames } from '../src/wording.js';

test('counts are grouped by thousands with commas, exactly as toLocaleString("en-US") groups them', () => {
  fc.assert(
    fc.property(fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.maxSafeInteger(), fc.constantFrom(0, -0, 999, 1000, -1000, 999_999, 1_000_000)), (value) => {
      assert.equal(formatCount(value), value.toLocaleString('en-US'));
    }),
    { numRuns: 2000 },
  );
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatCount(1.5), (1.5).toLocaleString('en-US'), 'anything else as toLocaleString writes it');
});

test('a list of names is named whole when short, else its first three and how many more', () => {
  assert.equal(someNames(['a', 'b', 'c', 'd']), 'a, b, c, d');
  assert.equal(someNames(['a', 'b', 'c', 'd', 'e']), 'a, b, c and 2 more');
  assert.equal(someNames(Array.from({ length: 3000 }, (_, i) => `f${i}`)), 'f0, f1, f2 and 2,997 more');
});
