import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatValue, parseMoney, writeCentsValue } from '../../src/domain/money.js';

test('plain, symbol, grouped, coded and Excel-prefixed amounts', () => {
  assert.equal(parseMoney('1359.00'), 1359);
  assert.equal(parseMoney('$1,359.00'), 1359);
  assert.equal(parseMoney(' €25 '), 25);
  assert.equal(parseMoney('1359.50 EUR'), 1359.5);
  assert.equal(parseMoney("'-5.00"), -5);
  assert.equal(parseMoney('-$5.00'), -5);
  assert.equal(parseMoney('12,345,678.90'), 12345678.9);
});

test('blanks, words and ambiguous decimal commas are not numbers', () => {
  for (const text of ['', '  ', 'N/A', 'abc12', '12abc', '12,50', '1,2345', '1.2.3', '--5']) {
    assert.equal(parseMoney(text), undefined, text);
  }
});

test('values print as plain decimals that read back to the same number', () => {
  assert.equal(formatValue(129.5), '129.5');
  assert.equal(formatValue(1359), '1359');
  fc.assert(
    fc.property(fc.integer({ min: -1e12, max: 1e12 }), (cents) => {
      const text = formatValue(cents / 100);
      assert.match(text, /^-?\d+(\.\d+)?$/);
      assert.equal(parseMoney(text), cents / 100);
    }),
  );
});

test('a plain decimal reads as the same number whether or not it takes the pattern path (a symbol sends it there)', () => {
  const plain = fc
    .tuple(fc.stringMatching(/^\d{1,12}$/), fc.option(fc.stringMatching(/^\d{1,6}$/), { nil: undefined }))
    .map(([whole, fraction]) => (fraction === undefined ? whole : `${whole}.${fraction}`));
  fc.assert(
    fc.property(plain, (text) => {
      assert.equal(parseMoney(text), Number(text));
      assert.equal(parseMoney(`$${text}`), Number(text));
      assert.equal(parseMoney(` ${text} EUR`), Number(text));
    }),
  );
  for (const text of ['.5', '5.', '1.2.3', '1..2', '']) assert.equal(parseMoney(text), text === '.5' ? 0.5 : undefined, text);
});

test('a plain decimal of any length reads as exactly the double Number() gives (digits and one division)', () => {
  // Up to 24 characters: past 2^53 of digits or 22 decimals the reader falls back to Number() itself.
  const plain = fc
    .tuple(fc.stringMatching(/^\d{1,20}$/), fc.option(fc.stringMatching(/^\d{1,23}$/), { nil: undefined }))
    .map(([whole, fraction]) => (fraction === undefined ? whole : `${whole}.${fraction}`))
    .filter((text) => text.length <= 24);
  fc.assert(
    fc.property(plain, (text) => {
      assert.ok(Object.is(parseMoney(text), Number(text)), text);
    }),
    { numRuns: 20_000 },
  );
  for (const text of ['9007199254740993', '0.1', '0.30000000000000004', '123456789012.3456789', '1.0000000000000000000001']) assert.ok(Object.is(parseMoney(text), Number(text)), text);
});

test('a value of whole cents is written as bytes exactly as formatValue writes it, and any other value is left to formatValue', () => {
  const written = (value: number): string | undefined => {
    const into = new Uint8Array(20).fill(0x7e);
    const length = writeCentsValue(value, into, 1);
    if (length < 0) {
      assert.ok(into.every((byte) => byte === 0x7e), 'nothing written');
      return undefined;
    }
    assert.equal(into[0], 0x7e);
    assert.equal(into[1 + length], 0x7e, 'nothing written past the value');
    return Buffer.from(into.subarray(1, 1 + length)).toString('latin1');
  };
  const cents = fc.oneof(fc.integer({ min: -100_000_000, max: 100_000_000 }), fc.integer({ min: -(1e15 - 1), max: 1e15 - 1 }), fc.constantFrom(0, 5, -5, 100, 12_950, 999_999_999_999_999));
  fc.assert(
    fc.property(cents, (n) => {
      const value = n / 100;
      assert.equal(written(value), formatValue(value), `${n} cents`);
    }),
    { numRuns: 5000 },
  );
  fc.assert(
    fc.property(fc.oneof(fc.double({ noNaN: true }), fc.double({ min: -1e14, max: 1e14, noNaN: true })), (value) => {
      const text = written(value);
      if (text !== undefined) assert.equal(text, formatValue(value));
    }),
    { numRuns: 5000 },
  );
  for (const value of [-0, 0.1 + 0.2, 1e13, 1e13 - 0.01, 1e21, Infinity, -Infinity, NaN, 5e-324]) {
    const text = written(value);
    if (text !== undefined) assert.equal(text, formatValue(value), String(value));
  }
  assert.equal(written(-0), '0');
  assert.equal(written(0.1 + 0.2), undefined, 'not a whole number of cents');
  assert.equal(written(1e13), undefined, 'above where cents are exact');
});
