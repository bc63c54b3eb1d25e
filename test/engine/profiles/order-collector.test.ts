import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildDefinitions, DAY_MS, type ReducerMode } from '../../../src/domain/definitions.js';
import type { Order } from '../../../src/domain/order.js';
import { OrderCollector, transferables } from '../../../src/engine/profiles/order-collector.js';
import type { RejectedRecord } from '../../../src/io/formats/format.js';
import { computationOf } from '../../../src/domain/computation.js';

const AS_OF = Date.UTC(2025, 5, 30);
const SIZES = ['small', 'large'];
const at = { file: 'orders.csv', line: 2 };

const arbitraryOrder = fc.record({
  // Numeric ids (kept as numbers) and text ids (kept in a Map), few enough to meet again now and then.
  orderId: fc.oneof(fc.constant(''), fc.integer({ min: 1, max: 300 }).map((n) => `#${n}`), fc.integer({ min: 1, max: 60 }).map((n) => `A-${n}`)),
  email: fc.constantFrom('a@x.com', 'b@x.com', 'c@x.com', ''),
  placedAt: fc.integer({ min: AS_OF - 120 * DAY_MS, max: AS_OF + DAY_MS }),
  value: fc.integer({ min: 0, max: 50_000 }).map((cents) => cents / 100),
  sizes: fc.subarray(SIZES),
});

function collect(orders: readonly Order[], mode: ReducerMode, rejects: RejectedRecord[], shards = 1): OrderCollector {
  const collector = new OrderCollector(computationOf({ definitions: buildDefinitions(mode, [30, 60], SIZES), asOf: AS_OF }), (r) => rejects.push(r), shards);
  for (const order of orders) {
    if (order.email === '') collector.withoutEmail();
    else collector.order(order, at, () => 'raw');
  }
  return collector;
}

test('a part absorbed after the first gives what one collector reading both in turn gives, or is refused, in any number of shards', () => {
  fc.assert(
    fc.property(fc.array(arbitraryOrder, { maxLength: 40 }), fc.nat(), fc.constantFrom<ReducerMode>('flow', 'window'), fc.integer({ min: 1, max: 4 }), (orders, cutAt, mode, shards) => {
      const cut = orders.length === 0 ? 0 : cutAt % (orders.length + 1);
      const inTurnRejects: RejectedRecord[] = [];
      const inTurn = collect(orders, mode, inTurnRejects);
      const firstRejects: RejectedRecord[] = [];
      const first = collect(orders.slice(0, cut), mode, firstRejects, shards);
      const secondRejects: RejectedRecord[] = [];
      const second = collect(orders.slice(cut), mode, secondRejects, shards);
      const firstIds = new Set(orders.slice(0, cut).filter((o) => o.email !== '' && o.orderId !== '').map((o) => o.orderId));
      const shared = orders.slice(cut).some((o) => o.email !== '' && firstIds.has(o.orderId));
      const part = second.handOver();
      // Refused exactly when an id of the second part was read in the first.
      assert.equal(first.canAbsorb(part), !shared);
      if (shared) return;
      first.absorb(part);
      assert.deepEqual(first.counts, inTurn.counts);
      assert.deepEqual(first.profiles.toRows(), inTurn.profiles.toRows());
      assert.deepEqual([...firstRejects, ...secondRejects], inTurnRejects);
    }),
  );
});

test('without keepIds the part is counted and accumulated, but its ids are not recognised afterwards', () => {
  const order = (orderId: string, value: number): Order => ({ orderId, email: 'a@x.com', placedAt: AS_OF - DAY_MS, value, sizes: [] });
  const first = collect([order('#1', 10)], 'flow', []);
  first.absorb(collect([order('#2', 99)], 'flow', []).handOver(), { keepIds: false });
  assert.equal(first.counts.ordersRead, 2);
  assert.equal(first.profiles.toRows()[0]?.properties['highest_order_value'], 99);
  first.order(order('#1', 10), at, () => 'raw');
  first.order(order('#2', 99), at, () => 'raw');
  assert.equal(first.counts.ordersDuplicate, 1, 'only #1, whose id was kept');
});

test('a part sent as a worker sends it (its arrays transferred) is absorbed as the part itself is', () => {
  fc.assert(
    fc.property(fc.array(arbitraryOrder, { maxLength: 40 }), fc.array(arbitraryOrder, { maxLength: 40 }), fc.integer({ min: 1, max: 3 }), (firstOrders, secondOrders, shards) => {
      // Distinct ids in the second part, so that it is always taken.
      const second = secondOrders.map((o, i) => ({ ...o, orderId: o.orderId === '' ? '' : `Z-${i}`, email: o.email === '' ? '' : `z${i % 7}${o.email}` }));
      const direct = collect(firstOrders, 'window', [], shards);
      direct.absorb(collect(second, 'window', [], shards).handOver());
      const part = collect(second, 'window', [], shards).handOver();
      const sent = structuredClone(part, { transfer: transferables(part) });
      const viaClone = collect(firstOrders, 'window', [], shards);
      viaClone.absorb(sent);
      assert.deepEqual(viaClone.counts, direct.counts);
      assert.deepEqual(viaClone.profiles.toRows(), direct.profiles.toRows());
    }),
  );
});
