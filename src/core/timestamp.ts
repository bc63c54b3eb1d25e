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
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return { ok: false, reason: `no such date or time: "${text}"` };
  }
  if (offset === undefined && !assumeUtc) {
    return { ok: false, reason: `timestamp has no UTC offset: "${text}"` };
  }
  const millis = fraction === '' ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  return { ok: true, epochMs: local - offsetMinutes(offset) * 60_000 };
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
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
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
  if (!(epochMs >= YEAR_0001 && epochMs < YEAR_10000)) return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
  const seconds = Math.floor(epochMs / 1000);
  const days = Math.floor(seconds / DAY_SECONDS);
  const secondOfDay = seconds - days * DAY_SECONDS;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay - hour * 3600) / 60);
  const second = secondOfDay - hour * 3600 - minute * 60;
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)} ${pad2(hour)}:${pad2(minute)}:${pad2(second)}`;
}
