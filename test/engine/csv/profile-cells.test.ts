/**
 * The cell readers from bytes must give what the readers from text give, on any text: the reader
 * takes one or the other by how a record came out of the scanner, and that must never show.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dateMillis, dateMillisOfBytes, plainDecimal, plainDecimalOfBytes } from '../../../src/engine/csv/profile-cells.js';
import { utcMillis } from '../../../src/domain/timestamp.js';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Texts near the forms read: dates with any field values, digits with points and minus signs, and anything. */
const dateLike = fc
  .record({ year: fc.integer({ min: 0, max: 9999 }), month: fc.integer({ min: 0, max: 13 }), day: fc.integer({ min: 0, max: 32 }), hour: fc.integer({ min: 0, max: 25 }), minute: fc.integer({ min: 0, max: 61 }), second: fc.integer({ min: 0, max: 61 }) })
  .map((d) => `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)} ${pad(d.hour, 2)}:${pad(d.minute, 2)}:${pad(d.second, 2)}`);
/** A date-like text with one character replaced: by a digit, a separator, a space, or one beyond ASCII. */
const damagedDate = fc
  .tuple(dateLike, fc.nat(18), fc.constantFrom('0', '9', '-', ':', ' ', '\t', 'é', '中', '\u0660', '/', 'T'))
  .map(([text, at, char]) => text.slice(0, at) + char + text.slice(at + 1));
const anyText = fc.oneof(
  dateLike,
  damagedDate,
  fc.stringMatching(/^-?\d{0,22}(\.\d{0,22})?$/),
  fc.string({ maxLength: 20 }),
  fc.string({ maxLength: 20, unit: 'binary' }),
  fc.string({ maxLength: 20, unit: 'grapheme' }),
  fc.double().map(String),
  fc.constantFrom('', '-', '.', '-.', '0', '-0', '00', '0.0', '1.', '.5', '1e5', '١٢٣', '１２', `1${'0'.repeat(400)}`, '2024-02-29 23:59:59', '2023-02-29 00:00:00', '9999-12-31 23:59:59'),
);

/** `text`'s UTF-8 bytes inside others, so that reading past the cell's bounds would show. */
function embedded(text: string, before: string, after: string): { bytes: Buffer; start: number; end: number } {
  const head = Buffer.from(before, 'utf8');
  const body = Buffer.from(text, 'utf8');
  return { bytes: Buffer.concat([head, body, Buffer.from(after, 'utf8')]), start: head.length, end: head.length + body.length };
}
const neighbours = fc.constantFrom('', '-', '0', '9', '.', ',', '12', '2025-01-01 00:00:00', '"');

test('plain decimals parse to what Number gives after the PLAIN_DECIMAL check, anything else to NaN', () => {
  const plain = /^-?(0|[1-9]\d*)(\.\d+)?$/;
  fc.assert(
    fc.property(fc.oneof(fc.stringMatching(/^-?\d{0,22}(\.\d{0,22})?$/), fc.string({ maxLength: 8 }), fc.double().map(String)), (text) => {
      fc.pre(text !== '');
      assert.ok(Object.is(plainDecimal(text), plain.test(text) ? Number(text) : NaN), text);
    }),
    { numRuns: 20_000 },
  );
});

test('a plain decimal read from a text’s UTF-8 bytes is the one read from the text, for any text', () => {
  fc.assert(
    fc.property(anyText, neighbours, neighbours, (text, before, after) => {
      const { bytes, start, end } = embedded(text, before, after);
      assert.ok(Object.is(plainDecimalOfBytes(bytes, start, end), plainDecimal(text)), JSON.stringify(text));
    }),
    { numRuns: 30_000 },
  );
});

test('a date read from a text’s UTF-8 bytes is the one read from the text, for any text', () => {
  fc.assert(
    fc.property(anyText, neighbours, neighbours, (text, before, after) => {
      const { bytes, start, end } = embedded(text, before, after);
      assert.ok(Object.is(dateMillisOfBytes(bytes, start, end), dateMillis(text)), JSON.stringify(text));
    }),
    { numRuns: 30_000 },
  );
});

test('a date is its UTC instant when it exists, and NaN when it does not', () => {
  fc.assert(
    fc.property(dateLike, (text) => {
      const [year, month, day, hour, minute, second] = text.split(/[- :]/).map(Number) as [number, number, number, number, number, number];
      const exists = month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(2000, month, 0)).getUTCDate() && hour <= 23 && minute <= 59 && second <= 59;
      const leapDayOfCommonYear = month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
      const expected = exists && !leapDayOfCommonYear ? utcMillis(year, month, day) + ((hour * 60 + minute) * 60 + second) * 1000 : NaN;
      assert.ok(Object.is(dateMillis(text), expected), text);
    }),
    { numRuns: 20_000 },
  );
});
