/**
 * Timestamps in and out.
 *
 * In: a fixed-format parser for the layouts order exports use (`2025-05-11 09:55:16 -0400`,
 * ISO 8601 with `T`, `Z` or `+hh:mm`, optional fractional seconds). It is written by hand because it
 * runs once per order on files of millions of rows, where a general date parser costs more than the
 * rest of the row. Out: `yyyy-MM-dd HH:mm:ss` in UTC, a format Klaviyo types as a date in CSV imports
 * and the API (help.klaviyo.com/hc/en-us/articles/115005253428).
 */

/** ISO-like: `2025-05-11 09:55:16 -0400`, `2025-05-11T13:55:16.5Z`, `2025-05-11`. */
export const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export type TimestampParse =
  | { readonly ok: true; readonly epochMs: number }
  | { readonly ok: false; readonly reason: string };

/**
 * Parses an ISO-like timestamp. A timestamp without an offset is read in UTC when `assumeUtc` is set,
 * and refused otherwise: guessing a merchant's time zone silently would shift every date.
 */
export function parseTimestamp(text: string, assumeUtc = false): TimestampParse {
  const match = TIMESTAMP.exec(text.trim());
  if (match === null) {
    return { ok: false, reason: `not a timestamp like 2025-05-11 09:55:16 -0400: "${text}"` };
  }
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', offset] = match;
  const local = wallClockMillis(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), fraction);
  if (local === undefined) return { ok: false, reason: `no such date or time: "${text}"` };
  if (offset === undefined && !assumeUtc) {
    return { ok: false, reason: `timestamp has no UTC offset: "${text}"` };
  }
  const impossible = offsetProblem(offset, text);
  if (impossible !== undefined) return { ok: false, reason: impossible };
  return { ok: true, epochMs: local - offsetMinutes(offset) * 60_000 };
}

/** Real UTC offsets run from -12:00 to +14:00; beyond ±14:00 an offset is a typo, never a place. */
export const MAX_OFFSET_MINUTES = 14 * 60;

/**
 * Why an offset cannot be real (`+2500`, `-9959`, `+0160`), or undefined. Read as written they would
 * shift the time by a day or more without a word, so such a date is a bad row.
 */
export function offsetProblem(offset: string | undefined, text: string): string | undefined {
  if (offset === undefined || offset.toUpperCase() === 'Z') return undefined;
  const digits = offset.slice(1).replace(':', '');
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (minutes >= 60 || Math.abs(offsetMinutes(offset)) > MAX_OFFSET_MINUTES) {
    return `UTC offset ${offset} is impossible (offsets run from -14:00 to +14:00, minutes below 60): "${text}"`;
  }
  return undefined;
}

/**
 * A wall-clock time as if it were UTC, in epoch ms (`fraction`: the digits after the seconds'
 * decimal point), or undefined when no such date or time exists (30 February, 24:00, ...).
 */
export function wallClockMillis(year: number, month: number, day: number, hour: number, minute: number, second: number, fraction: string): number | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = fraction === '' ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  return utcMillis(year, month, day, hour, minute, second, millis);
}

export function offsetMinutes(offset: string | undefined): number {
  if (offset === undefined || offset.toUpperCase() === 'Z') return 0;
  const sign = offset[0] === '-' ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes);
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * Epoch milliseconds of a UTC wall-clock time. Unlike `Date.UTC`, which reads years 0 to 99 as
 * 1900 to 1999, every year means itself; and it is plain arithmetic, cheap enough to run per order.
 */
export function utcMillis(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millis = 0): number {
  const yearsBefore = year - 1;
  const daysBeforeYear = 365 * yearsBefore + Math.floor(yearsBefore / 4) - Math.floor(yearsBefore / 100) + Math.floor(yearsBefore / 400) - 719_162;
  const dayNumber = daysBeforeYear + DAYS_BEFORE_MONTH[month - 1]! + (month > 2 && isLeapYear(year) ? 1 : 0) + day - 1;
  return (((dayNumber * 24 + hour) * 60 + minute) * 60 + second) * 1000 + millis;
}

const DAY_SECONDS = 86_400;
const YEAR_0001 = -62_135_596_800_000;
const YEAR_10000 = 253_402_300_800_000;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/**
 * `yyyy-MM-dd HH:mm:ss` in UTC; sub-second precision is dropped, as Klaviyo stores seconds.
 * Integer arithmetic (Howard Hinnant's civil-from-days) rather than `Date`: it runs for every date
 * property of every profile, and a `Date` plus `toISOString` per call costs several times more.
 */
export function formatUtc(epochMs: number): string {
  if (!utcFields(epochMs, FIELDS)) return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
  return `${String(FIELDS[0]).padStart(4, '0')}-${pad2(FIELDS[1]!)}-${pad2(FIELDS[2]!)} ${pad2(FIELDS[3]!)}:${pad2(FIELDS[4]!)}:${pad2(FIELDS[5]!)}`;
}

const FIELDS = new Int32Array(6);

/**
 * The UTC year, month, day, hour, minute and second of an instant, into `into` (no object per call:
 * writers format millions of dates). False, with `into` untouched, outside years 1 to 9999.
 */
export function utcFields(epochMs: number, into: Int32Array): boolean {
  if (!(epochMs >= YEAR_0001 && epochMs < YEAR_10000)) return false;
  const seconds = Math.floor(epochMs / 1000);
  const days = Math.floor(seconds / DAY_SECONDS);
  const secondOfDay = seconds - days * DAY_SECONDS;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay - hour * 3600) / 60);
  into[0] = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  into[1] = month;
  into[2] = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  into[3] = hour;
  into[4] = minute;
  into[5] = secondOfDay - hour * 3600 - minute * 60;
  return true;
}

/** Days before the first of each month in a common year. */
const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/**
 * Epoch ms of the first of each month of years 0000 to 9999, filled in as met: utcMillis's calendar
 * arithmetic once a month instead of once for each of millions of dates.
 */
let monthStarts: Float64Array | undefined;

export function monthStart(year: number, month: number): number {
  monthStarts ??= new Float64Array(10_000 * 12).fill(NaN);
  const slot = year * 12 + month - 1;
  let start = monthStarts[slot]!;
  if (Number.isNaN(start)) start = monthStarts[slot] = utcMillis(year, month, 1);
  return start;
}
