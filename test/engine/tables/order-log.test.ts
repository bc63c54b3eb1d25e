import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OrderLog } from '../../../src/engine/tables/order-log.js';

/** An order: its profile, time, value and two words of size bits (sizes past 32 included). */
type Row = readonly [profile: number, time: number, value: number, sizes: readonly [number, number]];

function logOf(rows: readonly Row[]): OrderLog {
  const log = new OrderLog(2);
  for (const [profile, time, value, sizes] of rows) log.append(profile, time, value, Uint32Array.from(sizes));
  return log;
}

function grouped(log: OrderLog, profiles: number): { times: number[]; values: number[]; sizes: number[]; starts: number[] } {
  const { times, values, sizes, starts } = log.groupByProfile(profiles);
  return { times: [...times], values: [...values], sizes: [...sizes], starts: [...starts] };
}

const sizeWords = fc.tuple(fc.nat({ max: 2 ** 32 - 1 }), fc.nat({ max: 2 ** 32 - 1 }));
const row = (profiles: number) => fc.tuple(fc.nat({ max: profiles - 1 }), fc.integer(), fc.integer({ min: 0, max: 10_000 }), sizeWords);

test('adopting another log renumbered gives what appending its orders renumbered in turn gives, appends after it included', () => {
  fc.assert(
    fc.property(
      fc.array(row(8)),
      fc.array(row(5)),
      fc.array(row(8)),
      fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6, 7], { minLength: 5, maxLength: 5 }),
      (before, other, after, renumbering) => {
        const numbers = Uint32Array.from(renumbering);
        const inTurn = logOf([...before, ...other.map(([p, t, v, z]): Row => [numbers[p]!, t, v, z]), ...after]);
        const adopting = logOf(before);
        adopting.adopt(logOf(other).handOver(), numbers);
        for (const [profile, time, value, sizes] of after) adopting.append(profile, time, value, Uint32Array.from(sizes));
        assert.equal(adopting.length, inTurn.length);
        assert.deepEqual(grouped(adopting, 8), grouped(inTurn, 8));
      },
    ),
  );
});

test('blocks are adopted whole, a partly filled one included, across more than one block of orders', () => {
  const rows: Row[] = Array.from({ length: 150_000 }, (_, i): Row => [i % 3, i, i % 97, [i % 5, i % 7]]);
  const other = logOf(rows).handOver();
  assert.ok(other.blocks.length > 2);
  assert.ok(other.blocks.at(-1)!.length < other.blocks.at(-1)!.profiles.length);
  const adopting = logOf([[0, -1, 5, [1, 0]]]);
  adopting.adopt(other, Uint32Array.from([2, 0, 1]));
  adopting.append(1, -2, 7, Uint32Array.from([0, 2]));
  const expected = logOf([[0, -1, 5, [1, 0]], ...rows.map(([p, t, v, z]): Row => [[2, 0, 1][p]!, t, v, z]), [1, -2, 7, [0, 2]]]);
  assert.deepEqual(grouped(adopting, 3), grouped(expected, 3));
});
