import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KeyIndex } from '../../../src/engine/tables/key-index.js';
import { keyOrder } from '../../../src/engine/tables/key-order.js';

/** The keys of `numbersInKeyOrder`, next to what sorting the strings gives. */
function orderOf(keys: readonly string[]): { actual: string[]; expected: string[] } {
  const index = new KeyIndex();
  for (const key of keys) index.add(key);
  const numbers = index.numbersInKeyOrder();
  return { actual: [...numbers].map((n) => index.keyAt(n)), expected: index.keys().sort() };
}

// Groups of 24 keys and more are sorted by packed words, smaller ones by comparison: both are drawn.
const sharedPrefix = fc.constantFrom('', 'customer', 'customer1', '+1555', 'zoë', 'ünï', '例え', 'a\u0000');
const tail = fc.oneof(
  fc.stringMatching(/^[0-9]{0,7}$/),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\u00ff', '\u0100', '\uffff', 'a', '@'), maxLength: 6 }),
);
const key = fc.oneof(
  fc.tuple(sharedPrefix, tail, fc.constantFrom('', '@example.com', '@x.jp')).map(([a, b, c]) => a + b + c),
  fc.emailAddress(),
  fc.stringMatching(/^\+[0-9]{3,12}$/),
);

test('numbers in key order are the numbers of the keys sorted by code units (prefixes, phones, non-ASCII, wide, U+0000)', () => {
  fc.assert(
    fc.property(fc.array(key, { maxLength: 400 }), (keys) => {
      const { actual, expected } = orderOf(keys);
      assert.deepEqual(actual, expected);
    }),
    { numRuns: 300 },
  );
});

test('thousands of keys with a long shared prefix, sorted by words several times over', () => {
  const keys: string[] = [];
  for (let i = 0; i < 30_000; i++) keys.push(`customer${(i * 7919) % 30_000}@example.com`);
  // Keys that differ only after many shared units, and ones that end where others go on.
  for (let i = 0; i < 200; i++) keys.push(`${'x'.repeat(40)}${i}`, `${'x'.repeat(40 + (i % 5))}`, `é${'\u0000'.repeat(i % 7)}`);
  const { actual, expected } = orderOf(keys);
  assert.deepEqual(actual, expected);
});

test('wide keys among many one-byte ones pack two bytes a unit and still sort by code unit', () => {
  const keys: string[] = [];
  for (let i = 0; i < 5_000; i++) keys.push(`k${i}${i % 3 === 0 ? '\u0101' : i % 3 === 1 ? '\u00ff' : 'a'}${i % 11}`);
  const { actual, expected } = orderOf(keys);
  assert.deepEqual(actual, expected);
});

test('no keys and one key', () => {
  assert.deepEqual([...keyOrder({ count: 0, arena: new Uint8Array(0), spans: new Float64Array(0) })], []);
  assert.deepEqual([...orderOf(['only']).actual], ['only']);
});
