/**
 * Wall-clock times in a named time zone (IANA, e.g. `America/New_York`) to UTC instants.
 *
 * WooCommerce and BigCommerce write store-local times with no offset, so the offset must come from
 * the zone's rules. `Intl.DateTimeFormat` knows them but costs microseconds per call; offsets change
 * only a few times a year, so they are cached per UTC hour and the cost per row is a Map lookup.
 */

import { utcMillis } from './timestamp.js';

const HOUR_MS = 3_600_000;

export class TimeZone {
  readonly name: string;
  readonly #format: Intl.DateTimeFormat;
  /** Offset (ms, local minus UTC) at the start of each UTC hour; NaN when it changes within the hour. */
  readonly #offsetByHour = new Map<number, number>();

  private constructor(name: string, format: Intl.DateTimeFormat) {
    this.name = name;
    this.#format = format;
  }

  /** The zone, or undefined when `name` is not an IANA zone this Node knows. */
  static named(name: string): TimeZone | undefined {
    try {
      const format = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      return new TimeZone(format.resolvedOptions().timeZone, format);
    } catch {
      return undefined;
    }
  }

  /** Local time minus UTC, in ms, at the instant `utcMs`. */
  offsetAt(utcMs: number): number {
    const hour = Math.floor(utcMs / HOUR_MS);
    let offset = this.#offsetByHour.get(hour);
    if (offset === undefined) {
      const start = this.#exactOffset(hour * HOUR_MS);
      // A transition inside the hour (some zones change at :30) makes the hour uncacheable.
      offset = start === this.#exactOffset(hour * HOUR_MS + HOUR_MS - 1) ? start : Number.NaN;
      this.#offsetByHour.set(hour, offset);
    }
    return Number.isNaN(offset) ? this.#exactOffset(utcMs) : offset;
  }

  /**
   * The instant at which clocks in this zone showed `localMs` (a wall-clock time written as if it were
   * UTC). Like Temporal's "compatible" choice: a time that occurs twice when clocks go back is the
   * first one; a time skipped when clocks go forward is moved forward by the gap.
   */
  toUtc(localMs: number): number {
    const before = this.offsetAt(localMs - 2 * 24 * HOUR_MS);
    const after = this.offsetAt(localMs + 2 * 24 * HOUR_MS);
    const earlier = localMs - Math.max(before, after);
    const later = localMs - Math.min(before, after);
    if (this.offsetAt(earlier) === localMs - earlier) return earlier;
    if (this.offsetAt(later) === localMs - later) return later;
    return localMs - before; // in the gap: read with the offset in force before it
  }

  #exactOffset(utcMs: number): number {
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of this.#format.formatToParts(utcMs)) {
      const value = Number(part.value);
      if (part.type === 'year') year = value;
      else if (part.type === 'month') month = value;
      else if (part.type === 'day') day = value;
      else if (part.type === 'hour') hour = value;
      else if (part.type === 'minute') minute = value;
      else if (part.type === 'second') second = value;
    }
    const wallClock = utcMillis(year, month, day, hour, minute, second);
    return wallClock - (utcMs - (((utcMs % 1000) + 1000) % 1000));
  }
}
