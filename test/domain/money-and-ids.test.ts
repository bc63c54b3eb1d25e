/**
 * Money in EU spreadsheet files, and remembering order ids compactly for de-duplication.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMoney } from '../../src/domain/money.js';
import { idKey, OrderIds, seenIdsInclude } from '../../src/engine/tables/order-ids.js';

test('decimal comma: 1.234,56 and 99,90; a point before two digits is still a decimal point', () => {
  assert.equal(parseMoney('1.234,56', true), 1234.56);
  assert.equal(parseMoney('99,90', true), 99.9);
  assert.equal(parseMoney("'-5,00", true), -5);
  assert.equal(parseMoney('1 234,56 €', true), 1234.56);
  assert.equal(parseMoney('12.50', true), 12.5);
  assert.equal(parseMoney('1.234', true), 1234);
  // Without decimal comma, 12,50 is refused rather than read as 1250.
  assert.equal(parseMoney('12,50'), undefined);
  assert.equal(parseMoney("'-5.00"), -5);
});

test('an order id seen again is a duplicate with the same email and total, a conflict otherwise', () => {
  const ids = new OrderIds();
  const order = { orderId: '#1001', email: 'ann@example.com', placedAt: 0, value: 10.5, sizes: [] };
  assert.equal(ids.see(order), 'new');
  assert.equal(ids.see({ ...order, sizes: ['small'] }), 'duplicate');
  assert.equal(ids.see({ ...order, value: 10.51 }), 'conflict');
  assert.equal(ids.see({ ...order, email: 'bob@example.com' }), 'conflict');
  assert.equal(ids.see({ ...order, orderId: '#1002' }), 'new');
});

test('numeric and text order ids never collide: "#1001", "1001", "A1001" and a 16-digit id are four orders', () => {
  const ids = new OrderIds();
  const order = { orderId: '#1001', email: 'ann@example.com', placedAt: 0, value: 10.5, sizes: [] };
  for (const orderId of ['#1001', '1001', 'A1001', '1234567890123456', '#', '']) assert.equal(ids.see({ ...order, orderId }), 'new', orderId);
  assert.equal(ids.see({ ...order, orderId: '1001' }), 'duplicate');
  assert.equal(ids.see({ ...order, orderId: '#1001', value: 1 }), 'conflict');
  assert.notEqual(idKey('#1001'), idKey('1001'));
  assert.equal(idKey('999999999999999'), 1_999_999_999_999_998);
  assert.equal(idKey('1234567890123456'), '1234567890123456');
});

test('ids handed over from another table are all held, with their fingerprints, whatever their count', () => {
  for (const count of [1, 2, 3, 70_001]) {
    const first = new OrderIds();
    const second = new OrderIds();
    const order = (i: number) => ({ orderId: `#${1000 + i}`, email: `c${i % 50}@x.com`, placedAt: 0, value: i, sizes: [] });
    for (let i = 0; i < count; i++) second.see(order(i));
    const part = second.handOver();
    assert.equal(first.overlaps(part), false);
    first.absorb(part);
    assert.equal(first.overlaps(part), true);
    for (let i = 0; i < count; i++) assert.equal(first.see(order(i)), 'duplicate', `#${1000 + i} of ${count}`);
    assert.equal(first.see({ ...order(0), value: 0.5 }), 'conflict');
  }
});

test('parts taken in one after another are each checked against the ids read here and in every part before, merged or not', () => {
  const order = (id: string, i = 0) => ({ orderId: id, email: `c${i}@x.com`, placedAt: 0, value: i, sizes: [] });
  const partOf = (ids: readonly string[]) => {
    const table = new OrderIds();
    ids.forEach((id, i) => table.see(order(id, i)));
    return table.handOver();
  };
  const here = new OrderIds();
  here.see(order('#1'));
  const second = partOf(['#2', '#3', 'A-7']);
  assert.equal(here.overlaps(second), false);
  here.absorb(second);
  // Ids of the part before, not merged yet, numeric and text alike.
  assert.equal(here.overlaps(partOf(['#9', '#3'])), true);
  assert.equal(here.overlaps(partOf(['A-7'])), true);
  assert.equal(here.overlaps(partOf(['#1'])), true);
  const third = partOf(['#4', 'A-8']);
  assert.equal(here.overlaps(third), false);
  here.absorb(third);
  assert.equal(here.overlaps(partOf(['#2'])), true, 'two parts back');
  assert.equal(here.overlaps(partOf(['#5', 'A-9'])), false);
  // Seeing an order merges them: every id is held, with its fingerprint.
  assert.equal(here.see(order('#3', 1)), 'duplicate');
  assert.equal(here.see(order('A-8', 0)), 'conflict', 'A-8 was read with another email');
  assert.equal(here.see(order('#5')), 'new');
  const all = here.handOver();
  for (const id of ['#1', '#2', '#3', '#4', '#5']) assert.ok(seenIdsInclude(all, id), id);
});
