/**
 * Order timestamps as stores and spreadsheets write them, read per row at fixed-format cost:
 *  - ISO-like, as Shopify and most APIs write (`2025-05-11 09:55:16 -0400`, `2025-05-11T13:55:16Z`);
 *  - day/month numeric dates with optional time (`16-05-2018 07:32:06`, `26/04/2014`, `5/31/2016 0:37`,
 *    `31.12.2023 22:36`), whose day/month order is a per-file setting: never guessed per row;
 *  - RFC 2822 (`Mon, 23 Sep 2024 14:21:24 +0000`, BigCommerce through export apps);
 *  - Unix epoch seconds (`1715437516`, Klaviyo's API).
 * A time without an offset is wall-clock time in the configured zone; with none configured it is refused.
 */
import { offsetMinutes, offsetProblem, TIMESTAMP, wallClockMillis, type TimestampParse } from './timestamp.js';
import type { TimeZone } from './time-zone.js';

/** Which number is the day in `05/06/2024`. `ymd` files need no setting. */
export type DayMonthOrder = 'dmy' | 'mdy';

/**
 * The `dateFormat` setting's values. The separator in the data may be `/`, `-` or `.` whichever is
 * named; ISO dates (`2024-05-06`) need no setting and are read the same under either.
 */
export const DATE_FORMATS: Readonly<Record<string, DayMonthOrder>> = {
  'DD/MM/YYYY': 'dmy',
  'MM/DD/YYYY': 'mdy',
};

const DAY_MONTH =
  /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?:[T ,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:\s*([AP])\.?M\.?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const RFC_2822 =
  /^(?:[A-Z]{3},\s*)?(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s*(Z|GMT|UTC?|[+-]\d{2}:?\d{2})?$/i;
const EPOCH_SECONDS = /^\d{10}$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** The two leading numbers of a day/month date (`16-05-2018` -> 16, 5), or undefined for any other form. */
export function dayMonthNumbers(text: string): readonly [number, number] | undefined {
  const match = DAY_MONTH.exec(stripExcelPrefix(text.trim()));
  return match === null ? undefined : [Number(match[1]), Number(match[3])];
}

/** Whether the text carries its own offset (or is an epoch), so it needs no time zone. */
export function hasOwnOffset(text: string): boolean {
  const trimmed = stripExcelPrefix(text.trim());
  if (EPOCH_SECONDS.test(trimmed)) return true;
  const match = TIMESTAMP.exec(trimmed) ?? DAY_MONTH.exec(trimmed);
  if (match !== null) return match[match.length - 1] !== undefined;
  const rfc = RFC_2822.exec(trimmed);
  return rfc !== null && rfc[7] !== undefined;
}

export class TimestampReader {
  /** Settled before rows are read: by the `dateFormat` setting, or from the file (see DateOrderGate). */
  dayMonthOrder: DayMonthOrder | undefined;
  /** What settled `dayMonthOrder`, quoted in the reason when a later row contradicts it. */
  dayMonthEvidence: string;
  /** The file's first date was checked for a zone (see DateOrderGate); set beforehand to read on from a cut. */
  zoneChecked = false;
  readonly zone: TimeZone | undefined;

  constructor(zone: TimeZone | undefined, dayMonthOrder: DayMonthOrder | undefined) {
    this.zone = zone;
    this.dayMonthOrder = dayMonthOrder;
    this.dayMonthEvidence = dayMonthOrder === undefined ? '' : 'the dateFormat setting';
  }

  read(text: string): TimestampParse {
    const trimmed = stripExcelPrefix(text.trim());
    if (trimmed === '') return { ok: false, reason: 'no date' };
    let match = TIMESTAMP.exec(trimmed);
    if (match !== null) {
      const [, y, mo, d, h, mi, s, fraction, offset] = match;
      return this.#instant(text, Number(y), Number(mo), Number(d), h, mi, s, fraction, undefined, offset);
    }
    match = DAY_MONTH.exec(trimmed);
    if (match !== null) {
      const [, first, , second, y, h, mi, s, fraction, meridiem, offset] = match;
      if (this.dayMonthOrder === undefined) return { ok: false, reason: `day and month order unknown: "${text}"` };
      const [day, month] = this.dayMonthOrder === 'dmy' ? [first, second] : [second, first];
      const result = this.#instant(text, Number(y), Number(month), Number(day), h, mi, s, fraction, meridiem, offset);
      if (!result.ok && this.dayMonthOrder !== undefined) {
        const order = this.dayMonthOrder === 'dmy' ? 'DD/MM/YYYY' : 'MM/DD/YYYY';
        return { ok: false, reason: `${result.reason} (dates read as ${order}, settled by ${this.dayMonthEvidence})` };
      }
      return result;
    }
    match = RFC_2822.exec(trimmed);
    if (match !== null) {
      const [, d, monthName, y, h, mi, s, zone] = match;
      const offset = zone === undefined || /^(z|gmt|utc?)$/i.test(zone) ? (zone === undefined ? undefined : 'Z') : zone;
      const month = MONTHS.indexOf(monthName!.slice(0, 3).toLowerCase()) + 1;
      return this.#instant(text, Number(y), month, Number(d), h, mi, s, undefined, undefined, offset);
    }
    if (EPOCH_SECONDS.test(trimmed)) return { ok: true, epochMs: Number(trimmed) * 1000 };
    return { ok: false, reason: `not a date and time this tool reads (such as 2025-05-11 09:55:16 -0400): "${text}"` };
  }

  #instant(
    text: string,
    year: number,
    month: number,
    day: number,
    h = '0',
    mi = '0',
    s = '0',
    fraction = '',
    meridiem: string | undefined,
    offset: string | undefined,
  ): TimestampParse {
    let hour = Number(h);
    if (meridiem !== undefined) {
      if (hour < 1 || hour > 12) return { ok: false, reason: `no such time: "${text}"` };
      hour = (hour % 12) + (meridiem.toUpperCase() === 'P' ? 12 : 0);
    }
    const local = wallClockMillis(year, month, day, hour, Number(mi), Number(s), fraction);
    if (local === undefined) return { ok: false, reason: `no such date or time: "${text}"` };
    if (offset !== undefined) {
      const impossible = offsetProblem(offset, text);
      return impossible !== undefined ? { ok: false, reason: impossible } : { ok: true, epochMs: local - offsetMinutes(offset) * 60_000 };
    }
    if (this.zone === undefined) return { ok: false, reason: `has no UTC offset and no time zone is set: "${text}"` };
    return { ok: true, epochMs: this.zone.toUtc(local) };
  }
}

/** Excel and CSV-injection guards write `'2024-05-01` or `'-5.00`; the quote is not part of the value. */
export function stripExcelPrefix(text: string): string {
  return text.charCodeAt(0) === 39 /* ' */ ? text.slice(1).trimStart() : text;
}
