/**
 * Order values as exports write them. Shopify writes plain `1359.00`, but spreadsheet-edited files
 * carry `$1,359.00`, `1359 EUR` or an Excel text prefix `'1359.00`; all mean 1359.
 */

// Optional Excel text prefix, sign, upper-case ISO code or currency symbol (\p{Sc}), digits with optional `,`
// thousands groups and `.` decimals, then an optional trailing code or symbol. A decimal comma
// (`12,50`) does not match: it is refused rather than read as 1250.
const MONEY = /^'?\s*([-+]?)\s*(?:[A-Z]{3}\s*)?\p{Sc}?\s*([-+]?)((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)\s*(?:[A-Z]{3}|\p{Sc})?$/u;

// Spreadsheets in EU locales (the ones that save with `;`): `,` decimals, `.` or space thousands groups.
const MONEY_DECIMAL_COMMA =
  /^'?\s*([-+]?)\s*(?:[A-Z]{3}\s*)?\p{Sc}?\s*([-+]?)((?:\d{1,3}(?:[. \u00a0\u202f]\d{3})+|\d+)(?:,\d+)?|,\d+)\s*(?:[A-Z]{3}|\p{Sc})?$/iu;

/**
 * The number a money cell stands for, or undefined when it is not one (blank included). With
 * `decimalComma`, `1.234,56` is 1234.56 and `1.234` is 1234; `12.50` (a point not followed by a
 * three-digit group) still reads as 12.5, since no thousands group has two digits.
 */
export function parseMoney(text: string, decimalComma = false): number | undefined {
  if (!decimalComma) {
    const plain = plainDecimal(text);
    if (plain !== undefined) return plain;
  }
  if (decimalComma) {
    const match = MONEY_DECIMAL_COMMA.exec(text.trim());
    if (match !== null) return signed(match, (digits) => digits.replace(/[. \u00a0\u202f]/g, '').replace(',', '.'));
  }
  const match = MONEY.exec(text.trim());
  if (match === null) return undefined;
  return signed(match, (digits) => digits.replaceAll(',', ''));
}

/**
 * `parseMoney` of a cell whose bytes are `bytes[start, end)`, one byte a character, when it is a plain
 * decimal such as `1359.00` (as Shopify writes every total); NaN for any other cell, which is then
 * read from its text, without making a string per order.
 */
export function plainMoneyOfBytes(bytes: Uint8Array, start: number, end: number): number {
  const value = plainDecimalDigits(bytes, start, end);
  return value >= 0 ? value : NaN;
}

/**
 * `1359.00`, as Shopify and most exports write every total, without the pattern: it reads the same
 * number the pattern would, and it runs once per order of a file of millions.
 */
function plainDecimal(text: string): number | undefined {
  const length = text.length;
  if (length === 0 || length > MAX_PLAIN_LENGTH) return undefined;
  // Through the byte reader, so that the two read alike: a character beyond a byte is no digit.
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) return undefined;
    PLAIN_TEXT[i] = code;
  }
  const value = plainDecimalDigits(PLAIN_TEXT, 0, length);
  return value >= 0 ? value : value === NOT_EXACT ? Number(text) : undefined;
}

const MAX_PLAIN_LENGTH = 24;
const PLAIN_TEXT = new Uint8Array(MAX_PLAIN_LENGTH);
const NOT_PLAIN = -1;
/** Plain, but with more digits than an exact integer holds: `Number` reads it. */
const NOT_EXACT = -2;

/** The value of the plain decimal in `bytes[start, end)` (digits, at most one point inside), NOT_PLAIN or NOT_EXACT. */
function plainDecimalDigits(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length === 0 || length > MAX_PLAIN_LENGTH) return NOT_PLAIN;
  let dot = -1;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const code = bytes[i]!;
    if (code === 0x2e) {
      if (dot >= 0 || i === start || i === end - 1) return NOT_PLAIN;
      dot = i;
    } else if (code < 0x30 || code > 0x39) {
      return NOT_PLAIN;
    } else {
      digits = digits * 10 + (code - 0x30);
    }
  }
  // Below 2^53 the digits are an exact integer and a power of ten up to 10^22 an exact double, so one
  // division, which rounds once, gives exactly the double `Number(text)` gives, without parsing again.
  const decimals = dot < 0 ? 0 : end - dot - 1;
  return digits <= Number.MAX_SAFE_INTEGER && decimals < POWERS_OF_TEN.length ? digits / POWERS_OF_TEN[decimals]! : NOT_EXACT;
}

/**
 * 10^0 to 10^22, written out: each is an exact double (`10 ** k` is not promised to be). Below 2^53,
 * digits divided by one of these are exactly the double `Number()` reads from the same text.
 */
export const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

function signed(match: RegExpExecArray, plain: (digits: string) => string): number | undefined {
  const [, signBefore = '', signAfter = '', digits = ''] = match;
  if (signBefore !== '' && signAfter !== '') return undefined;
  const value = Number(plain(digits));
  if (!Number.isFinite(value)) return undefined;
  return signBefore === '-' || signAfter === '-' ? -value : value;
}

/**
 * Totals of this size or more are refused as bad values. No order comes near it (such a cell is an
 * id or a card number in the wrong column), and it has no plain decimal form here: `String` writes
 * `1e+21`, which the profiles CSV must never hold (push reads values as plain decimals).
 */
export const MAX_ORDER_VALUE = 1e21;

/**
 * Why a total read from `cell` as `value` cannot be an order's, or undefined when it can; completes
 * "<column> ...". Only totals parsed from text need it: a cell read from its bytes is below 2^53.
 */
export function orderValueProblem(value: number, cell: string): string | undefined {
  if (Math.abs(value) < MAX_ORDER_VALUE) return undefined;
  return `is too large for an order total: "${cell.trim()}" (10^21 or more; is a wrong column mapped to it?)`;
}

/** A value as a plain decimal for CSV and JSON (`129.5`, `1359`): no symbol, no grouping, no exponent. */
export function formatValue(value: number): string {
  const text = String(value);
  return text.includes('e') ? value.toFixed(2) : text;
}

/** Below this, doubles are closer together than half a cent: distinct cents are distinct doubles. */
const CENTS_EXACT_BELOW = 1e13;

/**
 * Writes `formatValue(value)` into `into` from `at` as ASCII bytes and returns how many, with no
 * string when the value is a whole number of cents (as nearly every order total is): its digits are
 * written straight. Else -1, and nothing is written. Why it is the same text: below 1e13 distinct
 * cents are distinct doubles, so no shorter decimal than the cents' own reads back as this double,
 * and that shortest one is what `String` writes. `into` needs room for 18 bytes.
 */
export function writeCentsValue(value: number, into: Uint8Array, at: number): number {
  if (!(Math.abs(value) < CENTS_EXACT_BELOW)) return -1;
  const cents = Math.round(value * 100);
  if (cents / 100 !== value) return -1;
  let start = at;
  if (cents < 0) into[start++] = MINUS_BYTE;
  // Digits by division, not `%`: these are doubles (cents reach 1e15), and `%` on doubles is a call to fmod.
  const absolute = Math.abs(cents);
  let whole = Math.floor(absolute / 100);
  let fraction = absolute - 100 * whole;
  // The whole part's digits, backwards into place.
  let digits = 1;
  for (let rest = whole; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  for (let i = digits - 1; i >= 0; i--) {
    const next = Math.floor(whole / 10);
    into[start + i] = ZERO_BYTE + (whole - 10 * next);
    whole = next;
  }
  let end = start + digits;
  if (fraction !== 0) {
    into[end++] = POINT_BYTE;
    const tens = Math.floor(fraction / 10);
    into[end++] = ZERO_BYTE + tens;
    fraction -= 10 * tens;
    if (fraction !== 0) into[end++] = ZERO_BYTE + fraction;
  }
  return end - at;
}

const MINUS_BYTE = 0x2d;
const POINT_BYTE = 0x2e;
const ZERO_BYTE = 0x30;
