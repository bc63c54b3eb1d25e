/**
 * What a reader takes from a record's cells, each written once: a money total, an instant, a profile's
 * email, the sizes in an item's name, whether a date is year-first, whether two cells hold the same text.
 *
 * Each reads the cell's bytes where they are its characters (an ASCII record the structural pass
 * found: nearly every row of a large export), and otherwise its text through the same steps (a text
 * of one byte a character is copied to bytes; any other cannot match a fast form), falling back to the
 * domain's general parser (parseMoney, TimestampReader, emailProblem, SizeMatcher) for what the fast
 * forms do not cover. So no format sees a byte offset, and no fast form has a twin to keep in step.
 *
 * PERF NOTES: a string made of a cell only to parse its digits was most of a 1M-row read; these read
 * the digits where they lie. Each fast form is property-tested against the general parser on random
 * text (test/engine/csv/cell-readers.test.ts).
 */
import { emailProblem } from '../../domain/email.js';
import { parseMoney, POWERS_OF_TEN } from '../../domain/money.js';
import type { TimestampReader } from '../../domain/order-timestamps.js';
import type { SizeMatcher } from '../../domain/sizes.js';
import { daysInMonth, MAX_OFFSET_MINUTES, monthStart } from '../../domain/timestamp.js';
import type { EmailColumn } from '../tables/email-column.js';
import { trimmedEnd, trimmedStart } from './ascii-bytes.js';

/** A record's cells as the readers need them: the scanner's records, and the structural pass's batches. */
export interface CsvCells {
  /** The input bytes `asciiStart` and `asciiEnd` point into. */
  readonly bytes: Uint8Array;
  /** Where `column`'s text starts in `bytes` when its bytes are its characters one for one; else -1 (read `text`). */
  asciiStart(column: number): number;
  /** Where it ends; only where `asciiStart` is not -1. */
  asciiEnd(column: number): number;
  text(column: number): string | undefined;
}

/**
 * A cell's text copied to bytes, `CELL.bytes[CELL.start, CELL.end)`, for the readers' text path (the
 * bytes path reads the record's own bytes where they lie: see each reader).
 */
const CELL = { bytes: new Uint8Array(0) as Uint8Array, start: 0, end: 0 };
let scratch = new Uint8Array(256);

/** The cell's text as bytes in CELL, when every code unit is below 0x100. */
function cellTextBytes(cells: CsvCells, column: number): boolean {
  return textBytes(cells.text(column) ?? '');
}

/** `text` as bytes in CELL, when every code unit is below 0x100. */
function textBytes(text: string): boolean {
  const length = text.length;
  if (length > scratch.length) scratch = new Uint8Array(Math.max(length, 2 * scratch.length));
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) return false;
    scratch[i] = code;
  }
  CELL.bytes = scratch;
  CELL.start = 0;
  CELL.end = length;
  return true;
}

// --- Plain decimals -----------------------------------------------------------------------------

const MINUS = 0x2d;
const POINT = 0x2e;
const DIGIT_0 = 0x30;
const SPACE = 0x20;
const COLON = 0x3a;

/** How strict a plain decimal is. */
export type DecimalForm =
  /** A total as exports write it (`1359.00`, `0050`): digits, at most one point between digits. */
  | 'total'
  /** The profiles CSV's own numbers (formatValue's form): also a leading minus, but no leading zero (`01234` is text). */
  | 'profile';

/**
 * The number a plain decimal in `bytes[start, end)` stands for, exactly `Number` of its text; NaN when
 * it is not plain in `form`. Below 2^53 the digits are an exact integer and 10^k (k up to 22) an exact
 * double, so one division, which rounds once, gives Number's own double without parsing again.
 */
export function plainDecimal(bytes: Uint8Array, start: number, end: number, form: DecimalForm): number {
  const negative = form === 'profile' && end > start && bytes[start] === MINUS;
  const first = negative ? start + 1 : start;
  let digits = 0;
  let point = -1;
  for (let i = first; i < end; i++) {
    const code = bytes[i]!;
    const digit = (code - DIGIT_0) >>> 0;
    if (digit <= 9) digits = digits * 10 + digit;
    else if (code === POINT && point < 0) point = i;
    else return NaN;
  }
  const integerDigits = (point < 0 ? end : point) - first;
  const fractionDigits = point < 0 ? 0 : end - point - 1;
  if (integerDigits === 0 || (point >= 0 && fractionDigits === 0)) return NaN;
  if (form === 'profile' && integerDigits > 1 && bytes[first] === DIGIT_0) return NaN;
  if (digits > Number.MAX_SAFE_INTEGER || fractionDigits >= POWERS_OF_TEN.length) {
    // Not exact this way: a total is left to parseMoney, a profile's number read by Number.
    return form === 'total' ? NaN : Number(latin1(bytes, start, end));
  }
  const value = fractionDigits === 0 ? digits : digits / POWERS_OF_TEN[fractionDigits]!;
  return negative ? -value : value;
}

/** The cell as a plain decimal in `form`; NaN when it is not one (blank included). */
export function decimalCell(cells: CsvCells, column: number, form: DecimalForm): number {
  const start = cells.asciiStart(column);
  if (start >= 0) return plainDecimal(cells.bytes, start, cells.asciiEnd(column), form);
  return cellTextBytes(cells, column) ? plainDecimal(CELL.bytes, CELL.start, CELL.end, form) : NaN;
}

/** The cell as a money total (`parseMoney`): a plain one from its bytes, any other through its text; undefined when it is none. */
export function moneyCell(cells: CsvCells, column: number, decimalComma: boolean): number | undefined {
  if (!decimalComma) {
    const plain = decimalCell(cells, column, 'total');
    if (plain === plain) return plain; // not NaN
  }
  return parseMoney(cells.text(column) ?? '', decimalComma);
}

// --- Instants ------------------------------------------------------------------------------------

/**
 * The instant of `yyyy-MM-dd HH:mm:ss ±hhmm` in `bytes[start, end)` (Shopify's layout, exactly 25
 * characters, the one most exports of millions of orders use), or NaN for any other text: digits at
 * fixed places, no regular expression and no `Date`. An impossible offset (beyond ±14:00) is NaN too,
 * so the general parser refuses it with its reason.
 */
export function fixedLayoutInstant(bytes: Uint8Array, start: number, end: number): number {
  if (end - start !== 25 || bytes[start + 19] !== SPACE) return NaN;
  const sign = bytes[start + 20];
  if (sign !== 0x2b && sign !== MINUS) return NaN;
  const h0 = (bytes[start + 21]! - DIGIT_0) >>> 0;
  const h1 = (bytes[start + 22]! - DIGIT_0) >>> 0;
  const m0 = (bytes[start + 23]! - DIGIT_0) >>> 0;
  const m1 = (bytes[start + 24]! - DIGIT_0) >>> 0;
  if (h0 > 9 || h1 > 9 || m0 > 9 || m1 > 9) return NaN;
  const offsetMinutePart = m0 * 10 + m1;
  const offset = (h0 * 10 + h1) * 60 + offsetMinutePart;
  if (offsetMinutePart > 59 || offset > MAX_OFFSET_MINUTES) return NaN;
  return wallClock(bytes, start) - (sign === MINUS ? -offset : offset) * 60_000;
}

/** The epoch ms of a `yyyy-MM-dd HH:mm:ss` date that exists (UTC, as compute writes it) in `bytes[start, end)`, else NaN. */
export function profileDate(bytes: Uint8Array, start: number, end: number): number {
  return end - start === 19 ? wallClock(bytes, start) : NaN;
}

/** Where the digits of `yyyy-MM-dd HH:mm:ss` are. */
const DATE_DIGIT_AT = Int32Array.of(0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18);
const DIGITS = new Int32Array(14);

/**
 * The `yyyy-MM-dd HH:mm:ss` at `bytes[start, start + 19)` as if in UTC, in epoch ms, or NaN when it is
 * not that form or no such date or time exists. Each digit is checked once, as an unsigned difference
 * from `0` (a byte below it wraps past 9).
 */
function wallClock(bytes: Uint8Array, start: number): number {
  if (bytes[start + 4] !== MINUS || bytes[start + 7] !== MINUS || bytes[start + 10] !== SPACE || bytes[start + 13] !== COLON || bytes[start + 16] !== COLON) return NaN;
  const d = DIGITS;
  for (let i = 0; i < 14; i++) {
    const digit = (bytes[start + DATE_DIGIT_AT[i]!]! - DIGIT_0) >>> 0;
    if (digit > 9) return NaN;
    d[i] = digit;
  }
  const year = d[0]! * 1000 + d[1]! * 100 + d[2]! * 10 + d[3]!;
  const month = d[4]! * 10 + d[5]!;
  const day = d[6]! * 10 + d[7]!;
  const hour = d[8]! * 10 + d[9]!;
  const minute = d[10]! * 10 + d[11]!;
  const second = d[12]! * 10 + d[13]!;
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 59)) return NaN;
  return monthStart(year, month) + (((day - 1) * 24 + hour) * 60 + minute) * 60_000 + second * 1000;
}

/** Why a cell is no instant: the general parser's reason. */
export interface NotAnInstant {
  readonly reason: string;
}

/** The cell as an instant (epoch ms): the fixed layout from its bytes, any other through `timestamps`. */
export function instantCell(cells: CsvCells, column: number, timestamps: TimestampReader): number | NotAnInstant {
  const start = cells.asciiStart(column);
  const instant =
    start >= 0 ? fixedLayoutInstant(cells.bytes, start, cells.asciiEnd(column)) : cellTextBytes(cells, column) ? fixedLayoutInstant(CELL.bytes, CELL.start, CELL.end) : NaN;
  if (instant === instant) return instant; // not NaN
  const parsed = timestamps.read(cells.text(column) ?? '');
  return parsed.ok ? parsed.epochMs : { reason: parsed.reason };
}

/** Whether the cell starts with a year (`2025-`), the form no day/month ambiguity can affect. */
export function startsWithYear(cells: CsvCells, column: number): boolean {
  const start = cells.asciiStart(column);
  if (start >= 0) return yearFirst(cells.bytes, start, cells.asciiEnd(column));
  return cellTextBytes(cells, column) && yearFirst(CELL.bytes, CELL.start, CELL.end);
}

/** `startsWithYear` of a text (a cell already decoded). */
export function isYearFirst(text: string): boolean {
  return textBytes(text) && yearFirst(CELL.bytes, CELL.start, CELL.end);
}

function yearFirst(bytes: Uint8Array, start: number, end: number): boolean {
  return (
    end - start >= 5 &&
    bytes[start + 4] === MINUS &&
    (bytes[start]! - DIGIT_0) >>> 0 <= 9 &&
    (bytes[start + 1]! - DIGIT_0) >>> 0 <= 9 &&
    (bytes[start + 2]! - DIGIT_0) >>> 0 <= 9 &&
    (bytes[start + 3]! - DIGIT_0) >>> 0 <= 9
  );
}

// --- Profiles CSV cells --------------------------------------------------------------------------

/** The cell's text trimmed, as bytes in CELL; false when the trimmed text is not one byte a character. */
function trimmedCellBytes(cells: CsvCells, column: number): boolean {
  const start = cells.asciiStart(column);
  if (start < 0) return textBytes((cells.text(column) ?? '').trim());
  // On ASCII, `trim` removes exactly these bytes (beyond ASCII it knows far more: the text path).
  const end = trimmedEnd(cells.bytes, start, cells.asciiEnd(column));
  CELL.bytes = cells.bytes;
  CELL.start = trimmedStart(cells.bytes, start, end);
  CELL.end = end;
  return true;
}

/** Whether the cell is blank once trimmed. */
export function isBlankCell(cells: CsvCells, column: number): boolean {
  return trimmedCellBytes(cells, column) ? CELL.start === CELL.end : false;
}

/**
 * A profiles-CSV cell of a `value` or `date` column, trimmed, as compute writes it: undefined when
 * blank, else the number (a date's epoch ms), NaN when it is not one (`profileCellText` says what it holds).
 */
export function profileCell(cells: CsvCells, column: number, kind: 'value' | 'date'): number | undefined {
  if (!trimmedCellBytes(cells, column)) return NaN;
  const { bytes, start, end } = CELL;
  if (start === end) return undefined;
  return kind === 'date' ? profileDate(bytes, start, end) : plainDecimal(bytes, start, end, 'profile');
}

/** A profiles-CSV cell of any other column, trimmed: undefined when blank, a number when it is a plain decimal, else its text. */
export function profileAnyCell(cells: CsvCells, column: number): number | string | undefined {
  if (!trimmedCellBytes(cells, column)) return (cells.text(column) ?? '').trim();
  const { bytes, start, end } = CELL;
  if (start === end) return undefined;
  const value = plainDecimal(bytes, start, end, 'profile');
  return value === value ? value : (cells.text(column) ?? '').trim();
}

/** The cell's text, trimmed (for messages). */
export function profileCellText(cells: CsvCells, column: number): string {
  return (cells.text(column) ?? '').trim();
}

/**
 * Numbers the cell's email, trimmed and lower-cased, in `emails` (its number there, which is below
 * `emails.size` before the call when it was already numbered): an ASCII one lower-cased as its bytes
 * are copied in, any other through its text.
 */
export function numberEmailCell(emails: EmailColumn, cells: CsvCells, column: number): number {
  const start = cells.asciiStart(column);
  if (start < 0) return emails.add((cells.text(column) ?? '').trim().toLowerCase());
  const end = trimmedEnd(cells.bytes, start, cells.asciiEnd(column));
  return emails.addAsciiLowerCased(cells.bytes, trimmedStart(cells.bytes, start, end), end);
}

// --- Emails --------------------------------------------------------------------------------------

/** Why a cell's email cannot key a profile (`emailProblem`). */
export interface BadEmail {
  readonly email: string;
  readonly reason: string;
}

/**
 * The cell as a profile's email, trimmed and lower-cased ('' when blank), or why it cannot be one. An
 * email already plain (visible ASCII, no capital, one `@` inside: nearly every one) is told so from its
 * bytes and needs neither lower-casing nor the check.
 */
export function emailCell(cells: CsvCells, column: number): string | BadEmail {
  const start = cells.asciiStart(column);
  if (start >= 0 && isPlainLowerCaseEmail(cells.bytes, start, cells.asciiEnd(column))) return cells.text(column)!;
  const email = (cells.text(column) ?? '').trim().toLowerCase();
  const reason = email === '' ? undefined : emailProblem(email);
  return reason === undefined ? email : { email, reason };
}

/** Whether `bytes[start, end)` is an email `emailProblem` takes as it is: visible ASCII, no capital, one `@` with text on both sides. */
function isPlainLowerCaseEmail(bytes: Uint8Array, start: number, end: number): boolean {
  let ats = 0;
  let at = -1;
  for (let i = start; i < end; i++) {
    const code = bytes[i]!;
    if (code === 0x40) {
      ats++;
      at = i;
    } else if (code <= 0x20 || code >= 0x7f || (code >= 0x41 && code <= 0x5a)) return false;
  }
  return ats === 1 && at > start && at < end - 1;
}

// --- Sizes ---------------------------------------------------------------------------------------

/**
 * The sizes named in the cell as an item name with a variant suffix (`Tee - Black / XL`):
 * `SizeMatcher.sizesInLineItemName`, read from the bytes of an ASCII name (a name is on every row of
 * an export, and a string of it cost more than the matching).
 */
export function lineItemSizesCell(cells: CsvCells, column: number, sizes: SizeMatcher): readonly string[] {
  const start = cells.asciiStart(column);
  if (start >= 0) {
    const found = lineItemNames(sizes)?.sizes(cells.bytes, start, cells.asciiEnd(column));
    if (found !== undefined) return found;
  }
  return sizes.sizesInLineItemName(cells.text(column) ?? '');
}

/** Past this many configured sizes, names are read as text only (a size is a bit of a 31-bit mask). */
const MAX_SIZES_BY_BYTES = 31;

/** Each matcher's option names as bytes, made once. */
const namesOf = new WeakMap<SizeMatcher, LineItemNames | null>();

function lineItemNames(sizes: SizeMatcher): LineItemNames | undefined {
  let names = namesOf.get(sizes);
  if (names === undefined) {
    names = sizes.canonicalSizes.length <= MAX_SIZES_BY_BYTES ? new LineItemNames(sizes) : null;
    namesOf.set(sizes, names);
  }
  return names ?? undefined;
}

const DASH = 0x2d;
const SLASH = 0x2f;
const NO_SIZES: readonly string[] = [];

/** A matcher's ASCII option names as bytes, each with the bit of the size it names. */
class LineItemNames {
  /** Name n is `#nameBytes[#nameStarts[n], #nameStarts[n + 1])`, naming the size of bit `#nameBits[n]`. */
  readonly #nameBytes: Uint8Array;
  readonly #nameStarts: Int32Array;
  readonly #nameBits: Int32Array;
  readonly #sizesByBit: readonly string[];
  readonly #sizesOfMask = new Map<number, readonly string[]>();

  constructor(sizes: SizeMatcher) {
    this.#sizesByBit = sizes.canonicalSizes;
    // An ASCII option, lower-cased, is ASCII: a name that is not can never equal it.
    const names = sizes.optionNames().filter(([name]) => /^[\x00-\x7f]*$/.test(name));
    this.#nameBytes = Uint8Array.from(names.map(([name]) => name).join(''), (c) => c.charCodeAt(0));
    this.#nameStarts = new Int32Array(names.length + 1);
    this.#nameBits = new Int32Array(names.length);
    names.forEach(([name, size], n) => {
      this.#nameStarts[n + 1] = this.#nameStarts[n]! + name.length;
      this.#nameBits[n] = 1 << this.#sizesByBit.indexOf(size);
    });
  }

  /** The sizes in `bytes[start, end)`, as a set in the order the sizes were configured. */
  sizes(bytes: Uint8Array, start: number, end: number): readonly string[] {
    let from = -1;
    for (let i = end - 3; i >= start; i--) {
      if (bytes[i] === SPACE && bytes[i + 1] === DASH && bytes[i + 2] === SPACE) {
        from = i + 3;
        break;
      }
    }
    if (from < 0) return NO_SIZES;
    let mask = 0;
    // Split on " / " from the left, as `split` does.
    let option = from;
    for (let i = from; i + 3 <= end; i++) {
      if (bytes[i] === SPACE && bytes[i + 1] === SLASH && bytes[i + 2] === SPACE) {
        mask |= this.#bitOfOption(bytes, option, i);
        option = i + 3;
        i += 2;
      }
    }
    mask |= this.#bitOfOption(bytes, option, end);
    if (mask === 0) return NO_SIZES;
    let sizes = this.#sizesOfMask.get(mask);
    if (sizes === undefined) {
      sizes = this.#sizesByBit.filter((_, bit) => (mask & (1 << bit)) !== 0);
      this.#sizesOfMask.set(mask, sizes);
    }
    return sizes;
  }

  /** The bit of the size the option value in `bytes[start, end)` names (trimmed, any case), or 0. */
  #bitOfOption(bytes: Uint8Array, start: number, end: number): number {
    while (start < end && isAsciiSpace(bytes[start]!)) start++;
    while (end > start && isAsciiSpace(bytes[end - 1]!)) end--;
    const length = end - start;
    const names = this.#nameBytes;
    const starts = this.#nameStarts;
    for (let n = 0; n < this.#nameBits.length; n++) {
      const from = starts[n]!;
      if (starts[n + 1]! - from !== length) continue;
      let i = 0;
      while (i < length) {
        const code = bytes[start + i]!;
        if ((code >= 0x41 && code <= 0x5a ? code + 0x20 : code) !== names[from + i]) break;
        i++;
      }
      if (i === length) return this.#nameBits[n]!;
    }
    return 0;
  }
}

/** What `trim` takes off in ASCII: tab, line feed, vertical tab, form feed, carriage return, space. */
function isAsciiSpace(code: number): boolean {
  return code === SPACE || (code >= 0x09 && code <= 0x0d);
}

// --- Comparing cells -----------------------------------------------------------------------------

/** Whether two records' cells in `column` hold the same text: most rows after an order's first are told so by their bytes, with no string made. */
export function sameCell(a: CsvCells, b: CsvCells, column: number): boolean {
  const startA = a.asciiStart(column);
  const startB = b.asciiStart(column);
  if (startA < 0 || startB < 0) return a.text(column) === b.text(column);
  const length = a.asciiEnd(column) - startA;
  if (b.asciiEnd(column) - startB !== length) return false;
  const bytesA = a.bytes;
  const bytesB = b.bytes;
  for (let i = 0; i < length; i++) if (bytesA[startA + i] !== bytesB[startB + i]) return false;
  return true;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}
