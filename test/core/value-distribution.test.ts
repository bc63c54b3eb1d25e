import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { QUANTILES, roundNear, valueDistribution } from '../../src/core/value-distribution.js';

const AMOUNT = fc.oneof(fc.integer({ min: 0, max: 5_000_000 }).map((cents) => cents / 100), fc.constantFrom(0, 1, 999, 1000, 1359.99));

test('quantiles by the nearest-rank rule: the smallest value with at least p% of the values at or below it', () => {
  fc.assert(
    fc.property(fc.array(AMOUNT, { minLength: 1, maxLength: 200 }), (values) => {
      const { quantiles } = valueDistribution(values);
      for (const p of QUANTILES) {
        const expected = Math.min(...values.filter((x) => values.filter((y) => y <= x).length * 100 >= p * values.length));
        assert.equal(quantiles![`p${p}`], expected, `p${p}`);
      }
    }),
  );
  assert.deepEqual(valueDistribution([5, 20, 80, 150, 400, 1200, 9000, 25000]).quantiles, { p50: 150, p75: 1200, p90: 25000, p95: 25000, p99: 25000 });
});

test('buckets: contiguous, every value in exactly one, log scale (1-2-5) when the values span two orders of magnitude', () => {
  fc.assert(
    fc.property(fc.array(AMOUNT, { minLength: 1, maxLength: 200 }), (values) => {
      const d = valueDistribution(values);
      assert.equal(d.buckets.reduce((sum, b) => sum + b.count, 0), values.length);
      for (let i = 1; i < d.buckets.length; i++) assert.equal(d.buckets[i]!.from, d.buckets[i - 1]!.to);
      for (const value of values) assert.equal(d.buckets.filter((b) => value >= b.from && value < b.to).length, 1, `${value} in one bucket`);
      const positive = values.filter((v) => v > 0);
      assert.equal(d.scale, positive.length > 0 && Math.max(...values) / Math.min(...positive) >= 100 ? 'log' : 'linear');
      assert.ok(d.buckets.length <= 40, `${d.buckets.length} buckets`);
    }),
  );
  const spread = valueDistribution([5, 20, 80, 150, 400, 1200, 9000, 25000]);
  assert.equal(spread.scale, 'log');
  assert.deepEqual(spread.buckets.map((b) => [b.from, b.count]), [[5, 1], [10, 0], [20, 1], [50, 1], [100, 1], [200, 1], [500, 0], [1000, 1], [2000, 0], [5000, 1], [10000, 0], [20000, 1]]);
  const narrow = valueDistribution([1000, 1359.99, 2000]);
  assert.equal(narrow.scale, 'linear');
  assert.deepEqual([narrow.buckets[0]!.from, narrow.buckets[0]!.to, narrow.buckets.at(-1)!.to], [1000, 1100, 2100]);
});

test('candidates: round numbers at or below each quantile, with the number of values at least that much', () => {
  assert.deepEqual([roundNear(870), roundNear(4210), roundNear(1450), roundNear(173), roundNear(25000), roundNear(0.37)], [800, 4000, 1000, 150, 20000, 0.3]);
  fc.assert(
    fc.property(fc.array(AMOUNT, { minLength: 1, maxLength: 200 }), fc.option(AMOUNT, { nil: undefined }), (values, chosen) => {
      const d = valueDistribution(values, chosen);
      for (const c of d.candidates) assert.equal(c.count, values.filter((v) => v >= c.threshold).length);
      for (const q of Object.values(d.quantiles!)) if (q > 0) assert.ok(d.candidates.some((c) => c.threshold <= q && c.threshold > q / 2.01), `a candidate near ${q}`);
      if (chosen !== undefined) assert.ok(d.candidates.some((c) => c.threshold === chosen));
    }),
  );
  assert.deepEqual(valueDistribution([], 100), { count: 0, min: undefined, max: undefined, quantiles: undefined, scale: 'linear', buckets: [], candidates: [{ threshold: 100, count: 0 }] });
});
