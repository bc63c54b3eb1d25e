/**
 * What the cells of a profiles CSV hold, read as compute writes them: a `..._value` cell a plain
 * decimal, a `..._date` cell a `yyyy-MM-dd HH:mm:ss` date in UTC. Each is read from a cell's text or
 * straight from its bytes: a 1M-row read made a string of every cell only to read its digits, about a
 * third of its time. The two readers of each kind are the same steps over code units or bytes, so
 * they agree on every text that is one byte a character; on any other text (UTF-8 bytes beyond ASCII)
 * both find a character that is not a digit or a separator and give NaN (test/core/profile-cells.test.ts).
 */
import { POWERS_OF_TEN } from '../../domain/money.js';
import { monthStart } from '../../domain/timestamp.js';

const MINUS = 0x2d;
const POINT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const SPACE = 0x20;
const COLON = 0x3a;

/**
 * `Number(text)` when `text` is a plain decimal, else NaN. Plain is the writer's number format
 * (formatValue), `/^-?(0|[1-9]\d*)(\.\d+)?$/`: no exponent, no grouping, no leading zeros (a cell like
 * `01234` is text in Klaviyo's own CSV import too, so it stays a string). Read in one pass over the digits
 * instead of a regular expression and then Number's general parser, a tenth of a 1M-row read. Exact:
 * with at most 15 digits the digits are an exact integer and 10^fraction (at most 10^15) an exact
 * power, so their quotient is the correctly rounded value, Number's own; longer texts go to Number.
 */
export function plainDecimal(text: string): number {
  const length = text.length;
  let i = text.charCodeAt(0) === MINUS ? 1 : 0;
  const first = i;
  let digits = 0;
  let point = -1;
  for (; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= DIGIT_0 && code <= DIGIT_9) {
      digits = digits * 10 + (code - DIGIT_0);
      continue;
    }
    if (code !== POINT || point >= 0) return NaN;
    point = i;
  }
  const integerDigits = (point < 0 ? length : point) - first;
  const fractionDigits = point < 0 ? 0 : length - point - 1;
  // No leading zero before other integer digits, a digit on each side of the point.
  if (integerDigits === 0 || (integerDigits > 1 && text.charCodeAt(first) === DIGIT_0) || (point >= 0 && fractionDigits === 0)) return NaN;
  if (integerDigits + fractionDigits > 15) return Number(text);
  const value = fractionDigits === 0 ? digits : digits / POWERS_OF_TEN[fractionDigits]!;
  return first === 1 ? -value : value;
}

/** `plainDecimal` of the text whose bytes are `bytes[start, end)`, one byte a character. */
export function plainDecimalOfBytes(bytes: Uint8Array, start: number, end: number): number {
  let i = bytes[start] === MINUS && start < end ? start + 1 : start;
  const first = i;
  let digits = 0;
  let point = -1;
  for (; i < end; i++) {
    const code = bytes[i]!;
    if (code >= DIGIT_0 && code <= DIGIT_9) {
      digits = digits * 10 + (code - DIGIT_0);
      continue;
    }
    if (code !== POINT || point >= 0) return NaN;
    point = i;
  }
  const integerDigits = (point < 0 ? end : point) - first;
  const fractionDigits = point < 0 ? 0 : end - point - 1;
  if (integerDigits === 0 || (integerDigits > 1 && bytes[first] === DIGIT_0) || (point >= 0 && fractionDigits === 0)) return NaN;
  // Only digits, a point and a minus are left: their text is the same read as Latin-1.
  if (integerDigits + fractionDigits > 15) return Number(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1'));
  const value = fractionDigits === 0 ? digits : digits / POWERS_OF_TEN[fractionDigits]!;
  return first === start + 1 ? -value : value;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Two ASCII digits at `at` as a number, or -1. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - DIGIT_0;
  const ones = text.charCodeAt(at + 1) - DIGIT_0;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

/** The epoch milliseconds of a `yyyy-MM-dd HH:mm:ss` date that exists (UTC, as compute writes it), else NaN. */
export function dateMillis(text: string): number {
  if (
    text.length !== 19 ||
    text.charCodeAt(4) !== MINUS ||
    text.charCodeAt(7) !== MINUS ||
    text.charCodeAt(10) !== SPACE ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON
  ) {
    return NaN;
  }
  return dateOfFields(twoDigits(text, 0), twoDigits(text, 2), twoDigits(text, 5), twoDigits(text, 8), twoDigits(text, 11), twoDigits(text, 14), twoDigits(text, 17));
}

/**
 * `dateMillis` of the text whose bytes are `bytes[start, end)`, one byte a character. Each digit is
 * checked once, as an unsigned difference from `0` (a byte below it wraps past 9): about half the
 * work of reading the two-digit fields as the text reader does, on three dates a row.
 */
export function dateMillisOfBytes(bytes: Uint8Array, start: number, end: number): number {
  if (
    end - start !== 19 ||
    bytes[start + 4] !== MINUS ||
    bytes[start + 7] !== MINUS ||
    bytes[start + 10] !== SPACE ||
    bytes[start + 13] !== COLON ||
    bytes[start + 16] !== COLON
  ) {
    return NaN;
  }
  const y0 = (bytes[start]! - DIGIT_0) >>> 0;
  const y1 = (bytes[start + 1]! - DIGIT_0) >>> 0;
  const y2 = (bytes[start + 2]! - DIGIT_0) >>> 0;
  const y3 = (bytes[start + 3]! - DIGIT_0) >>> 0;
  const m0 = (bytes[start + 5]! - DIGIT_0) >>> 0;
  const m1 = (bytes[start + 6]! - DIGIT_0) >>> 0;
  const d0 = (bytes[start + 8]! - DIGIT_0) >>> 0;
  const d1 = (bytes[start + 9]! - DIGIT_0) >>> 0;
  const h0 = (bytes[start + 11]! - DIGIT_0) >>> 0;
  const h1 = (bytes[start + 12]! - DIGIT_0) >>> 0;
  const i0 = (bytes[start + 14]! - DIGIT_0) >>> 0;
  const i1 = (bytes[start + 15]! - DIGIT_0) >>> 0;
  const s0 = (bytes[start + 17]! - DIGIT_0) >>> 0;
  const s1 = (bytes[start + 18]! - DIGIT_0) >>> 0;
  if (y0 > 9 || y1 > 9 || y2 > 9 || y3 > 9 || m0 > 9 || m1 > 9 || d0 > 9 || d1 > 9 || h0 > 9 || h1 > 9 || i0 > 9 || i1 > 9 || s0 > 9 || s1 > 9) return NaN;
  return dateOfFields(y0 * 10 + y1, y2 * 10 + y3, m0 * 10 + m1, d0 * 10 + d1, h0 * 10 + h1, i0 * 10 + i1, s0 * 10 + s1);
}

/** The epoch ms of a date from its two-digit fields (-1: not two digits), NaN when it does not exist. */
function dateOfFields(century: number, yearOfCentury: number, month: number, day: number, hour: number, minute: number, second: number): number {
  if (century < 0 || yearOfCentury < 0 || month < 1 || month > 12 || day < 1) return NaN;
  const year = century * 100 + yearOfCentury;
  // Whether the year is a leap year matters only on 29 February.
  if (day > DAYS_IN_MONTH[month - 1]! || (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)))) return NaN;
  if (!(hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59)) return NaN;
  return monthStart(year, month) + (((day - 1) * 24 + hour) * 60 + minute) * 60_000 + second * 1000;
}
