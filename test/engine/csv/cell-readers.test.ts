/**
 * A cell reader reads a cell from its bytes when the record is ASCII (the structural pass's records)
 * and from its text otherwise (the scanner's own records, rows beyond ASCII). Which way it took must
 * never show: each reader is run both ways on the same random text, and its fast forms are held to the
 * domain's general parsers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  emailCell,
  fixedLayoutInstant,
  instantCell,
  lineItemSizesCell,
  moneyCell,
  plainDecimal,
  profileCell,
  profileDate,
  sameCell,
  startsWithYear,
  type CsvCells,
} from '../../../src/engine/csv/cell-readers.js';
import { emailProblem } from '../../../src/domain/email.js';
import { parseMoney } from '../../../src/domain/money.js';
import { TimestampReader } from '../../../src/domain/order-timestamps.js';
import { SizeMatcher } from '../../../src/domain/sizes.js';
import { parseTimestamp, utcMillis } from '../../../src/domain/timestamp.js';

const ASCII = /^[\x00-\x7f]*$/;

/**
 * A one-column record holding `text`: `asBytes`, with its bytes (ASCII text only) between others, so
 * that reading past the cell's bounds would show; else with its text only, as the scanner's own records give it.
 */
function cellsOf(text: string, asBytes: boolean, before = '', after = ''): CsvCells {
  const bytes = Buffer.from(before + text + after, 'latin1');
  const start = asBytes && ASCII.test(text) && ASCII.test(before) ? before.length : -1;
  return { bytes, asciiStart: () => start, asciiEnd: () => start + text.length, text: () => text };
}

/** `read` of both ways of holding `text`, which must agree (Object.is: NaN and -0 count). */
function bothWays<T>(text: string, read: (cells: CsvCells) => T, before = '', after = ''): T {
  const fromBytes = read(cellsOf(text, true, before, after));
  const fromText = read(cellsOf(text, false));
  if (typeof fromBytes === 'number') assert.ok(Object.is(fromBytes, fromText), JSON.stringify(text));
  else assert.deepEqual(fromBytes, fromText, JSON.stringify(text));
  return fromBytes;
}

/** The reader over a text's Latin-1 bytes, NaN for a text with characters beyond them. */
function ofText(text: string, read: (bytes: Uint8Array, start: number, end: number) => number): number {
  return /^[\x00-\xff]*$/.test(text) ? read(Buffer.from(text, 'latin1'), 0, text.length) : NaN;
}

const neighbours = fc.constantFrom('', '-', '0', '9', '.', ',', '12', '2025-01-01 00:00:00', '"');
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

// --- Totals and plain decimals -------------------------------------------------------------------

test('a total is read alike from bytes and text, and a plain one is what parseMoney reads', () => {
  const ascii = fc.string({ maxLength: 12, unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)) });
  const cells = fc.oneof(
    fc.stringMatching(/^\d{0,20}(\.\d{0,8})?$/),
    fc.stringMatching(/^0*\d{1,3}\.\d{2}$/),
    fc.double({ min: 0, noNaN: true }).map(String),
    ascii,
    fc.string({ maxLength: 8 }),
    fc.constantFrom('', '.', '1.', '.5', '9007199254740993', '9007199254740993.5', `1.${'0'.repeat(23)}`, '$1.00', ' 1.00', '1.234,56'),
  );
  let plain = 0;
  fc.assert(
    fc.property(cells, fc.constantFrom('', '1', '.', ','), fc.boolean(), (text, around, decimalComma) => {
      const read = bothWays(text, (c) => moneyCell(c, 0, decimalComma) ?? null, around, around);
      assert.ok(Object.is(read, parseMoney(text, decimalComma) ?? null), JSON.stringify(text));
      if (!Number.isNaN(ofText(text, (b, s, e) => plainDecimal(b, s, e, 'total')))) plain++;
    }),
    { numRuns: 20_000 },
  );
  assert.ok(plain > 5_000, `only ${plain} cells were plain`);
  for (const text of ['141.61', '0.00', '1359', '007.5']) assert.equal(ofText(text, (b, s, e) => plainDecimal(b, s, e, 'total')), parseMoney(text), text);
  // Not plain, or more digits than an exact integer holds: left to parseMoney.
  for (const text of ['', '1.', '.5', '1.2.3', '$1', '-1.00', '9007199254740993', '1 000']) assert.ok(Number.isNaN(ofText(text, (b, s, e) => plainDecimal(b, s, e, 'total'))), text);
});

test('a profiles-CSV number is Number of its text when it is plain (formatValue\'s form), NaN otherwise', () => {
  const plainForm = /^-?(0|[1-9]\d*)(\.\d+)?$/;
  fc.assert(
    fc.property(fc.oneof(fc.stringMatching(/^-?\d{0,22}(\.\d{0,22})?$/), fc.string({ maxLength: 8 }), fc.double().map(String)), (text) => {
      fc.pre(text !== '');
      assert.ok(Object.is(ofText(text, (b, s, e) => plainDecimal(b, s, e, 'profile')), plainForm.test(text) ? Number(text) : NaN), text);
    }),
    { numRuns: 20_000 },
  );
});

/** Texts near the forms read: dates with any field values, digits with points and minus signs, and anything. */
const dateLike = fc
  .record({ year: fc.integer({ min: 0, max: 9999 }), month: fc.integer({ min: 0, max: 13 }), day: fc.integer({ min: 0, max: 32 }), hour: fc.integer({ min: 0, max: 25 }), minute: fc.integer({ min: 0, max: 61 }), second: fc.integer({ min: 0, max: 61 }) })
  .map((d) => `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)} ${pad(d.hour)}:${pad(d.minute)}:${pad(d.second)}`);
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

test('a profiles-CSV cell reads alike from its bytes and its text, blanks and padding included', () => {
  fc.assert(
    fc.property(anyText, fc.constantFrom('', ' ', '\t', '  '), fc.constantFrom<'value' | 'date'>('value', 'date'), neighbours, (text, padding, kind, before) => {
      bothWays(padding + text + padding, (c) => profileCell(c, 0, kind) ?? null, before);
    }),
    { numRuns: 30_000 },
  );
});

test('the UTF-8 bytes of a text beyond ASCII are never a number or a date', () => {
  fc.assert(
    fc.property(anyText, (text) => {
      fc.pre(!ASCII.test(text));
      const bytes = Buffer.from(text, 'utf8');
      assert.ok(Number.isNaN(plainDecimal(bytes, 0, bytes.length, 'profile')), text);
      assert.ok(Number.isNaN(profileDate(bytes, 0, bytes.length)), text);
    }),
  );
});

test('a profiles-CSV date is its UTC instant when it exists, and NaN when it does not', () => {
  fc.assert(
    fc.property(dateLike, (text) => {
      const [year, month, day, hour, minute, second] = text.split(/[- :]/).map(Number) as [number, number, number, number, number, number];
      const exists = month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(2000, month, 0)).getUTCDate() && hour <= 23 && minute <= 59 && second <= 59;
      const leapDayOfCommonYear = month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
      const expected = exists && !leapDayOfCommonYear ? utcMillis(year, month, day) + ((hour * 60 + minute) * 60 + second) * 1000 : NaN;
      assert.ok(Object.is(ofText(text, profileDate), expected), text);
    }),
    { numRuns: 20_000 },
  );
});

// --- Instants ------------------------------------------------------------------------------------

test('the fixed layout agrees with the general parser on every valid and invalid timestamp', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 24 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 60 }),
      fc.constantFrom('+', '-'),
      fc.integer({ min: 0, max: 15 }),
      fc.constantFrom(0, 30, 45, 60),
      (year, month, day, hour, minute, second, sign, offsetHours, offsetMinutes) => {
        const text = `${pad(year, 4)}-${pad(month)}-${pad(day)} ${pad(hour)}:${pad(minute)}:${pad(second)} ${sign}${pad(offsetHours)}${pad(offsetMinutes)}`;
        const general = parseTimestamp(text);
        const fast = ofText(text, fixedLayoutInstant);
        if (general.ok) assert.equal(fast, general.epochMs, text);
        else assert.ok(Number.isNaN(fast), text);
      },
    ),
    { numRuns: 5000 },
  );
  for (const text of ['2025-05-11 09:55:16 -0400 ', '2025-05-11T09:55:16 -0400', '2025-05-11 09:55:16 +04:0', '2025-05-1a 09:55:16 -0400']) {
    assert.ok(Number.isNaN(ofText(text, fixedLayoutInstant)), text);
  }
});

test('an instant reads alike from its bytes and its text, for any ASCII text near the layout', () => {
  const layout = fc
    .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.constantFrom('+', '-', ' ', '0'), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 60 }))
    .map(([y, mo, d, h, mi, s, sign, oh, om]) => `${pad(y, 4)}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)} ${sign}${pad(oh)}${pad(om)}`);
  // One character replaced, by a digit, a separator or anything ASCII: every check of the layout is met.
  const damaged = fc.tuple(layout, fc.nat(24), fc.integer({ min: 0, max: 0x7f })).map(([text, at, code]) => text.slice(0, at) + String.fromCharCode(code) + text.slice(at + 1));
  const ascii = fc.string({ maxLength: 30, unit: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)) });
  const reader = new TimestampReader(undefined, 'dmy');
  fc.assert(
    fc.property(fc.oneof(layout, damaged, ascii), fc.constantFrom('', '2', '-', ' '), fc.constantFrom('', '0', ',', '\n'), (text, before, after) => {
      bothWays(text, (c) => instantCell(c, 0, reader), before, after);
      bothWays(text, (c) => startsWithYear(c, 0), before, after);
    }),
    { numRuns: 30_000 },
  );
});

// --- Emails --------------------------------------------------------------------------------------

test('an email reads alike from its bytes and its text: trimmed, lower-cased, or refused with emailProblem\'s reason', () => {
  const ascii = fc.string({ maxLength: 24, unit: fc.oneof(fc.constantFrom('@', '@', '.', ' ', '\t', 'A', 'Z', 'a', 'z', '0', '+', '\x7f', '\x00'), fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code))) });
  fc.assert(
    fc.property(fc.oneof(ascii, fc.emailAddress()), fc.constantFrom('', 'x', '@', ' '), (text, around) => {
      const read = bothWays(text, (c) => emailCell(c, 0), around, around);
      const email = text.trim().toLowerCase();
      const reason = email === '' ? undefined : emailProblem(email);
      assert.deepEqual(read, reason === undefined ? email : { email, reason }, JSON.stringify(text));
    }),
    { numRuns: 20_000 },
  );
  for (const email of ['ann@example.com', 'customer150275@example.com', 'a+b@c.d']) assert.equal(emailCell(cellsOf(email, true), 0), email);
  assert.equal(emailCell(cellsOf(' Ann@Example.com ', true), 0), 'ann@example.com');
  assert.equal(emailCell(cellsOf('', true), 0), '');
});

// --- Sizes ---------------------------------------------------------------------------------------

test('the sizes in an item name read alike from its bytes and its text, for any ASCII name', () => {
  const matchers = [
    new SizeMatcher(['small', 'medium', 'large', 'xlarge']),
    new SizeMatcher(['small', 'XL'], { 'Extra  Large': 'xl', '': 'small', s: 'small' }),
    new SizeMatcher(['Größe', 'm']),
    // More sizes than a mask holds: read as text, the same either way.
    new SizeMatcher(Array.from({ length: 32 }, (_, i) => `size${i}`)),
  ];
  const pieces = fc.constantFrom(' - ', ' / ', ' -', '- ', '/', ' ', '\t', '\r', 'S', 's', 'M', 'l', 'XL', 'xL', 'x-large', 'Extra Large', 'EXTRA  LARGE', 'small', 'SMALL ', 'Large', 'Tee', 'Black', 'M/L', '$25', 'xlarge', 'size3', 'size31');
  const names = fc.array(pieces, { maxLength: 10 }).map((parts) => parts.join(''));
  fc.assert(
    fc.property(names, fc.constantFrom('', ' ', '-', 'S'), fc.nat(matchers.length - 1), (name, around, which) => {
      const matcher = matchers[which]!;
      const fromBytes = lineItemSizesCell(cellsOf(name, true, around, around), 0, matcher);
      assert.deepEqual(new Set(fromBytes), new Set(matcher.sizesInLineItemName(name)), JSON.stringify(name));
    }),
    { numRuns: 20_000 },
  );
  assert.deepEqual(lineItemSizesCell(cellsOf('Tee - size3', true), 0, matchers[3]!), ['size3']);
});

// --- Comparing cells -----------------------------------------------------------------------------

test('two cells are the same text whichever way each is held', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), fc.boolean(), fc.boolean(), (a, b, aBytes, bBytes) => {
      assert.equal(sameCell(cellsOf(a, aBytes, '#'), cellsOf(b, bBytes, '##'), 0), a === b, `${JSON.stringify(a)} ${JSON.stringify(b)}`);
    }),
  );
});
