/**
 * `yyyy-MM-dd HH:mm:ss` in UTC written as bytes, as formatUtc writes it as text, for the profiles CSV:
 * millions of dates, but only a few hundred distinct days among them. The `yyyy-MM-dd ` of a day is
 * worked out once and kept; the time of day is plain arithmetic on the seconds.
 */
import { utcFields } from '../../domain/timestamp.js';

const DAY_SECONDS = 86_400;
/** Days kept, by day number modulo this: any eleven years of order dates, without a Map lookup per date. */
const CACHED_DAYS = 4096;
const DAY_BYTES = 11;
/** Bytes of every date written. */
export const UTC_DATE_BYTES = 19;

const DASH = 0x2d;
const COLON = 0x3a;
const SPACE = 0x20;
const DIGIT_0 = 0x30;

export class UtcDateBytes {
  /** Which day (days since 1970-01-01) each cache line holds; NaN for none. */
  readonly #days = new Float64Array(CACHED_DAYS).fill(NaN);
  readonly #dayBytes = new Uint8Array(CACHED_DAYS * DAY_BYTES);
  readonly #fields = new Int32Array(6);

  /**
   * Writes the date of `epochMs` into `into` from `at` (which must have room for UTC_DATE_BYTES) and
   * returns UTC_DATE_BYTES; or writes nothing and returns -1 outside years 1 to 9999, where formatUtc
   * has its own fallback.
   */
  write(epochMs: number, into: Uint8Array, at: number): number {
    // The same arithmetic as utcFields, so every instant falls on the same day and second.
    const seconds = Math.floor(epochMs / 1000);
    const day = Math.floor(seconds / DAY_SECONDS);
    const line = day & (CACHED_DAYS - 1);
    if (this.#days[line] !== day) {
      if (!utcFields(epochMs, this.#fields)) return -1;
      this.#remember(line, day);
    }
    const cached = this.#dayBytes;
    const from = line * DAY_BYTES;
    for (let i = 0; i < DAY_BYTES; i++) into[at + i] = cached[from + i]!;
    const secondOfDay = seconds - day * DAY_SECONDS;
    const hour = Math.floor(secondOfDay / 3600);
    const minute = Math.floor((secondOfDay - hour * 3600) / 60);
    const second = secondOfDay - hour * 3600 - minute * 60;
    twoDigits(into, at + 11, hour);
    into[at + 13] = COLON;
    twoDigits(into, at + 14, minute);
    into[at + 16] = COLON;
    twoDigits(into, at + 17, second);
    return UTC_DATE_BYTES;
  }

  /** Keeps `yyyy-MM-dd ` of `day`, whose fields are in `#fields`, in cache line `line`. */
  #remember(line: number, day: number): void {
    const [year, month, date] = this.#fields;
    const bytes = this.#dayBytes;
    const at = line * DAY_BYTES;
    let rest = year!;
    for (let i = 3; i >= 0; i--) {
      const next = Math.floor(rest / 10);
      bytes[at + i] = DIGIT_0 + (rest - 10 * next);
      rest = next;
    }
    bytes[at + 4] = DASH;
    twoDigits(bytes, at + 5, month!);
    bytes[at + 7] = DASH;
    twoDigits(bytes, at + 8, date!);
    bytes[at + 10] = SPACE;
    this.#days[line] = day;
  }
}

/** `00` to `99` as bytes, two by two: a date's three times of day, with no division and no `%` (on doubles, a call to fmod). */
const TWO_DIGITS = Uint8Array.from({ length: 200 }, (_, i) => DIGIT_0 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));

function twoDigits(into: Uint8Array, at: number, value: number): void {
  into[at] = TWO_DIGITS[2 * value]!;
  into[at + 1] = TWO_DIGITS[2 * value + 1]!;
}
