import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { shardedProfilesCsv } from '../../../src/engine/parallel/sharded-csv.js';
import { buildDefinitions, DAY_MS, type ReducerMode } from '../../../src/domain/definitions.js';
import { keyHash } from '../../../src/engine/tables/key-index.js';
import type { Order } from '../../../src/domain/order.js';
import { ProfileShards, shardOf } from '../../../src/engine/profiles/profile-shards.js';
import { ProfileAccumulator } from '../../../src/engine/profiles/profile-accumulator.js';
import { profileValuesCsvChunks } from '../../../src/io/profiles-csv.js';
import { computationOf } from '../../../src/domain/computation.js';

const AS_OF = Date.UTC(2025, 5, 30);
const SIZES = ['small', 'medium', 'large'];

function orderOf(key: string, placedAt: number, value: number, sizes: string[], i: number): Order {
  return { orderId: `#${i}`, ...(key.includes('@') ? { email: key } : { email: '', phone: key }), placedAt, value, sizes };
}

/** The CSV one accumulator writes: what every way of computing the shards must give, byte for byte. */
function oneAccumulatorCsv(mode: ReducerMode, orders: readonly Order[]): string {
  const accumulator = new ProfileAccumulator(computationOf({ definitions: buildDefinitions(mode, [30, 90], SIZES), asOf: AS_OF }));
  for (const order of orders) accumulator.add(order);
  return [...profileValuesCsvChunks(accumulator.values())].join('');
}

async function shardedCsv(mode: ReducerMode, orders: readonly Order[], shards: number, minProfiles: number): Promise<{ csv: string; lines: number; profileCount: number }> {
  const profiles = new ProfileShards(computationOf({ definitions: buildDefinitions(mode, [30, 90], SIZES), asOf: AS_OF }), shards);
  for (const order of orders) profiles.add(order);
  const sharded = await shardedProfilesCsv(profiles, { minProfiles });
  const parts: string[] = [];
  try {
    for (let next = await sharded.chunks.next(); next.done !== true; next = await sharded.chunks.next()) parts.push(next.value.toString());
  } finally {
    await sharded.stop();
  }
  return { csv: parts.join(''), lines: sharded.lines, profileCount: sharded.profileCount };
}

const arbitraryOrders = fc.array(
  fc.record({
    key: fc.constantFrom('a@x.com', 'b,"quoted"@x.com', '+15550100199', '+4420', 'zoë@x.com', 'ā@例え.jp', '\u{1F600}@x.com', 'c@x.com', 'd@x.com', 'e@x.com', 'f@x.com'),
    placedAt: fc.integer({ min: AS_OF - 200 * DAY_MS, max: AS_OF }),
    value: fc.integer({ min: 0, max: 500_000 }).map((cents) => cents / 100),
    sizes: fc.subarray(SIZES),
  }),
  { maxLength: 40 },
);

test('shards computed on their own threads, and on this one, write byte for byte the CSV of one accumulator', async () => {
  await fc.assert(
    fc.asyncProperty(arbitraryOrders, fc.integer({ min: 1, max: 4 }), fc.constantFrom<ReducerMode>('flow', 'window'), fc.boolean(), async (raw, shards, mode, onThreads) => {
      const orders = raw.map((o, i) => orderOf(o.key, o.placedAt, o.value, o.sizes, i));
      const expected = oneAccumulatorCsv(mode, orders);
      const sharded = await shardedCsv(mode, orders, shards, onThreads ? 0 : Number.MAX_SAFE_INTEGER);
      assert.equal(sharded.csv, expected);
      assert.equal(sharded.lines, expected.split('\n').length - 2, 'one line a profile with properties, header aside');
      assert.equal(sharded.profileCount, new Set(raw.map((o) => o.key)).size);
    }),
    // Each run with threads starts up to three of them.
    { numRuns: 40 },
  );
});

test('a phone-only profile in another thread\'s shard gives every line of this one the phone column', async () => {
  // A phone whose shard of two is the second, computed on the other thread; emails in the first.
  const phone = ['+15550100199', '+15550100200', '+15550100201', '+15550100202'].find((p) => shardOf(keyHash(p), 2) === 1)!;
  const email = ['a@x.com', 'b@x.com', 'c@x.com', 'd@x.com'].find((e) => shardOf(keyHash(e), 2) === 0)!;
  const orders = [orderOf(email, AS_OF - DAY_MS, 10, ['small'], 1), orderOf(phone, AS_OF - 2 * DAY_MS, 5, [], 2)];
  const { csv } = await shardedCsv('window', orders, 2, 0);
  assert.equal(csv, oneAccumulatorCsv('window', orders));
  assert.match(csv, /^Email,Phone Number,/);
  assert.match(csv, new RegExp(`\\n\\+?${phone.slice(1)}|\\n,\\${phone}`));
  assert.ok(csv.includes(`\n${email},,10,`), 'the email row has a blank phone cell');
});
