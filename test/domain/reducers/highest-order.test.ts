import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowHighest } from '../../../src/domain/reducers/flow-replay.js';
import type { OrderSeries } from '../../../src/domain/reducers/highest-order.js';
import { windowHighest } from '../../../src/domain/reducers/trailing-window.js';
import { DAY_MS } from '../../../src/domain/definitions.js';

const WINDOW = 30 * DAY_MS;
const t0 = Date.UTC(2025, 0, 1);
const day = (n: number) => t0 + n * DAY_MS;
const series = (...orders: [number, number][]): OrderSeries => ({
  placedAt: orders.map(([t]) => t),
  values: orders.map(([, v]) => v),
});

test('flow: the first order in the window is stored whatever its value', () => {
  assert.deepEqual(flowHighest(series([day(0), 50]), WINDOW), { value: 50, placedAt: day(0) });
});

test('flow: a later, larger order in the window replaces the stored one', () => {
  assert.deepEqual(flowHighest(series([day(0), 50], [day(10), 80]), WINDOW), { value: 80, placedAt: day(10) });
});

test('flow: an equal value does not replace the stored one (strictly greater)', () => {
  assert.deepEqual(flowHighest(series([day(0), 80], [day(10), 80]), WINDOW), { value: 80, placedAt: day(0) });
});

test('flow: the stored maximum can be older than the window, as in the live flow', () => {
  // Day 20 still counts day 0 in its window, so it is compared (and loses); day 45 counts day 20
  // in its window, so it is compared with the day-0 value, now 45 days old, and loses too.
  const result = flowHighest(series([day(0), 500], [day(20), 100], [day(45), 200]), WINDOW);
  assert.deepEqual(result, { value: 500, placedAt: day(0) });
});

test('flow: an order alone in its window resets the stored value, even to a smaller one', () => {
  assert.deepEqual(flowHighest(series([day(0), 500], [day(31), 20]), WINDOW), { value: 20, placedAt: day(31) });
});

test('flow: an order exactly N days earlier is inside the window (lower bound inclusive)', () => {
  // Counted: day 30's order is compared with day 0's and loses. Were the bound exclusive it would
  // be alone in its window and stored.
  assert.deepEqual(flowHighest(series([day(0), 129.49], [day(30), 100]), WINDOW), { value: 129.49, placedAt: day(0) });
  assert.deepEqual(flowHighest(series([day(0), 129.49], [day(30) + 1, 100]), WINDOW), { value: 100, placedAt: day(30) + 1 });
});

test('flow: orders at the same instant count each other, whatever their input order', () => {
  assert.deepEqual(flowHighest(series([day(0), 10], [day(0), 30]), WINDOW), { value: 30, placedAt: day(0) });
});

test('template defect 1: $999 then $1000 updates (compared as numbers, not floatformat strings)', () => {
  // Django compares "999" < "1000" as text, which is false, so the live flow keeps 999.
  assert.deepEqual(flowHighest(series([day(0), 999], [day(5), 1000]), WINDOW), { value: 1000, placedAt: day(5) });
});

test('template defect 2: the stored value is the total itself, not a rounded integer', () => {
  // floatformat:"0" would store 130 for 129.99, and would see 1359.60 and 1359.99 as equal.
  assert.equal(flowHighest(series([day(0), 100], [day(1), 129.99]), WINDOW)?.value, 129.99);
  assert.equal(flowHighest(series([day(0), 1359.6], [day(4), 1359.99]), WINDOW)?.value, 1359.99);
});

test('window: the largest order in [asOf - N, asOf], both bounds inclusive', () => {
  const orders = series([day(0), 900], [day(10), 300], [day(40), 100]);
  assert.deepEqual(windowHighest(orders, day(40), WINDOW), { value: 300, placedAt: day(10) });
  assert.deepEqual(windowHighest(orders, day(30), WINDOW), { value: 900, placedAt: day(0) });
  assert.deepEqual(windowHighest(orders, day(30) + 1, WINDOW), { value: 300, placedAt: day(10) });
});

test('window: on equal values the latest order wins', () => {
  assert.deepEqual(windowHighest(series([day(1), 70], [day(3), 70], [day(2), 70]), day(5), WINDOW), { value: 70, placedAt: day(3) });
});

test('window: blank when no order falls in the window, and orders after asOf never count', () => {
  assert.equal(windowHighest(series([day(0), 10]), day(31), WINDOW), undefined);
  assert.equal(windowHighest(series([day(10), 10]), day(5), WINDOW), undefined);
});
