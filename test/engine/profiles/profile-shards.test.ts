import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildDefinitions, DAY_MS, type ReducerMode } from '../../../src/domain/definitions.js';
import { keyHash } from '../../../src/engine/tables/key-index.js';
import type { Order } from '../../../src/domain/order.js';
import { FIRST_SHARD_WEIGHT, mergeShard, ProfileShards, shardOf } from '../../../src/engine/profiles/profile-shards.js';
import { accumulatedArrays, ProfileAccumulator } from '../../../src/engine/profiles/profile-accumulator.js';
import { computationOf } from '../../../src/domain/computation.js';

const AS_OF = Date.UTC(2025, 5, 30);
const SIZES = ['small', 'large'];

/** Emails and phones, some wide (UTF-16) and some sorting as prefixes of others. */
const arbitraryOrder = fc.record({
  key: fc.constantFrom('a@x.com', 'a@x.co', 'b@x.com', 'zoë@x.com', 'ā@例え.jp', '\u{1F600}@x.com', '+15550100199', '+1555', 'c@x.com', 'd@x.com', 'e@x.com'),
  placedAt: fc.integer({ min: AS_OF - 120 * DAY_MS, max: AS_OF + DAY_MS }),
  value: fc.integer({ min: 0, max: 50_000 }).map((cents) => cents / 100),
  sizes: fc.subarray(SIZES),
});

function orderOf({ key, ...rest }: { key: string; placedAt: number; value: number; sizes: string[] }, i: number): Order {
  return { orderId: `#${i}`, ...(key.includes('@') ? { email: key } : { email: '', phone: key }), ...rest };
}

test('profiles in any number of shards give the rows, in the order, of one accumulator', () => {
  fc.assert(
    fc.property(fc.array(arbitraryOrder, { maxLength: 60 }), fc.integer({ min: 1, max: 5 }), fc.constantFrom<ReducerMode>('flow', 'window'), (raw, count, mode) => {
      const definitions = buildDefinitions(mode, [30, 60], SIZES);
      const one = new ProfileAccumulator(computationOf({ definitions, asOf: AS_OF }));
      const shards = new ProfileShards(computationOf({ definitions, asOf: AS_OF }), count);
      raw.forEach((o, i) => assert.equal(shards.add(orderOf(o, i)), one.add(orderOf(o, i))));
      const rows = shards.rows();
      assert.equal(rows.withPhone, one.rows().withPhone);
      assert.deepEqual([...rows], one.toRows());
      assert.equal(shards.profileCount(), one.profileCount);
    }),
  );
});

test('shards read on two threads, absorbed, then each merged on a thread of its own, give what reading in turn gives', () => {
  fc.assert(
    fc.property(fc.array(arbitraryOrder, { maxLength: 60 }), fc.nat(), fc.integer({ min: 1, max: 4 }), (raw, cutAt, count) => {
      const definitions = buildDefinitions('flow', [30], SIZES);
      const orders = raw.map(orderOf);
      const cut = cutAt % (orders.length + 1);
      const inTurn = new ProfileShards(computationOf({ definitions, asOf: AS_OF }), count);
      for (const order of orders) inTurn.add(order);
      const first = new ProfileShards(computationOf({ definitions, asOf: AS_OF }), count);
      const second = new ProfileShards(computationOf({ definitions, asOf: AS_OF }), count);
      orders.slice(0, cut).forEach((order) => first.add(order));
      orders.slice(cut).forEach((order) => second.add(order));
      first.absorb(second.handOver());
      for (let shard = 0; shard < count; shard++) {
        // As a shard thread gets it: the pieces moved, not copied.
        const pieces = first.handOverShard(shard);
        const moved = structuredClone(pieces, { transfer: pieces.flatMap(accumulatedArrays).map((array) => array.buffer as ArrayBuffer) });
        assert.deepEqual(mergeShard(computationOf({ definitions, asOf: AS_OF }), moved).toRows(), inTurn.merged(shard).toRows(), `shard ${shard}`);
      }
    }),
  );
});

test('a key always lands in the same shard, and keys spread over the shards as their shares say (the first a little less)', () => {
  for (const count of [1, 2, 3, 7, 16]) {
    const counts = new Array<number>(count).fill(0);
    const keys = 40_000;
    for (let i = 0; i < keys; i++) {
      const hash = keyHash(`customer${i}@example.com`);
      const shard = shardOf(hash, count);
      assert.ok(Number.isInteger(shard) && shard >= 0 && shard < count, `shard ${shard} of ${count}`);
      assert.equal(shardOf(hash, count), shard);
      counts[shard]!++;
    }
    const first = count === 1 ? 1 : FIRST_SHARD_WEIGHT / count;
    const expected = counts.map((_, shard) => keys * (shard === 0 ? first : (1 - first) / (count - 1)));
    counts.forEach((n, shard) => assert.ok(Math.abs(n - expected[shard]!) < expected[shard]! * 0.1, `${counts.join(', ')} for ${count} shards`));
  }
  assert.equal(shardOf(0, 4), 0);
  assert.equal(shardOf(-1, 4), 3, 'the highest hash, in the last shard');
  assert.equal(shardOf(-1, 1), 0);
});

test('shards must be a positive whole number, and pieces must match them', () => {
  const definitions = buildDefinitions('flow', [30], SIZES);
  assert.throws(() => new ProfileShards(computationOf({ definitions, asOf: AS_OF }), 0), RangeError);
  assert.throws(() => new ProfileShards(computationOf({ definitions, asOf: AS_OF }), 2).absorb(new ProfileShards(computationOf({ definitions, asOf: AS_OF }), 3).handOver()), /expected 2 shards, got 3/);
});
