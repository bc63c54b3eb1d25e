import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatCount } from '../src/text.js';

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
