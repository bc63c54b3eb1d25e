/**
 * From normalized orders to profile rows: collects each profile's orders, then runs the reducers.
 * Pure apart from its own state; "now" is the `asOf` argument, never the clock.
 */
import { DAY_MS, type Definitions } from './definitions.js';
import type { Order } from './order.js';
import { flowHighest, windowHighest, type HighestOrder, type OrderSeries } from './reducers.js';
import { OrderLog } from './order-log.js';
import { formatUtc } from './timestamp.js';

/** A property value as Klaviyo should type it: a number, or a `yyyy-MM-dd HH:mm:ss` UTC date string. */
export type PropertyValue = number | string;

export interface ProfileRow {
  /** Lower-cased email, the profile key; blank for a profile known only by phone. */
  readonly email: string;
  /** Set only for a profile known only by phone (its orders had no email). */
  readonly phone?: string;
  /** Only properties that have a value; an absent key is a blank cell and is never sent. */
  readonly properties: Readonly<Record<string, PropertyValue>>;
}

/** Above this many orders a profile's orders are sorted with Array.sort, below with insertion sort. */
const INSERTION_SORT_LIMIT = 32;

/** Latest-order time per size when none: below every real time. */
const NO_TIME = -Infinity;

/** Rows made on demand, in order; `withPhone` is known before the first one. */
export interface ProfileRowSource extends Iterable<ProfileRow> {
  /** Some profile is known only by phone: a CSV of these rows needs a phone column. */
  readonly withPhone: boolean;
}

type GroupedOrders = ReturnType<OrderLog['groupByProfile']>;

export class ProfileAccumulator {
  readonly #definitions: Definitions;
  readonly #asOf: number;
  readonly #sizeIndex: Map<string, number>;
  readonly #sizeCount: number;
  /** Profile key (email, or phone for phone-only profiles) to its number, in order of appearance. */
  readonly #profileIds = new Map<string, number>();
  readonly #orders = new OrderLog();
  /** Latest order time per profile and size: `#latestBySize[profile * sizeCount + size]`. */
  #latestBySize = new Float64Array(0);

  constructor(definitions: Definitions, asOf: number) {
    this.#definitions = definitions;
    this.#asOf = asOf;
    this.#sizeIndex = new Map(definitions.sizes.map((s, i) => [s.size, i]));
    this.#sizeCount = definitions.sizes.length;
  }

  get profileCount(): number {
    return this.#profileIds.size;
  }

  /** Adds an order; returns false (and ignores it) when it was placed after `asOf`. */
  add(order: Order): boolean {
    if (order.placedAt > this.#asOf) return false;
    // An email has an `@` and a phone number never does, so one Map holds both kinds of key.
    const key = order.email !== '' ? order.email : (order.phone ?? '');
    let profile = this.#profileIds.get(key);
    if (profile === undefined) {
      profile = this.#profileIds.size;
      this.#profileIds.set(detached(key), profile);
      this.#growSizeTable(profile + 1);
    }
    this.#orders.append(profile, order.placedAt, order.value);
    for (const size of order.sizes) {
      const index = this.#sizeIndex.get(size);
      if (index === undefined) continue;
      const slot = profile * this.#sizeCount + index;
      if (order.placedAt > this.#latestBySize[slot]!) this.#latestBySize[slot] = order.placedAt;
    }
    return true;
  }

  /** All rows at once, for the commands that need them together (push, diff). */
  toRows(): ProfileRow[] {
    return [...this.rows()];
  }

  /**
   * One row per profile that has at least one property to set, sorted by key (code-unit order), so
   * profiles known only by phone (`+1...`) come before emails. Made one at a time: writing a CSV of
   * millions of profiles never holds them all (each row is garbage as soon as it is written).
   */
  rows(): ProfileRowSource {
    const grouped = this.#orders.groupByProfile(this.#profileIds.size);
    const phoneKeys = [...this.#profileIds.keys()].filter((key) => !key.includes('@'));
    return {
      withPhone: phoneKeys.some((key) => this.#rowOf(key, grouped) !== undefined),
      [Symbol.iterator]: () => this.#rowsInOrder(grouped),
    };
  }

  *#rowsInOrder(grouped: GroupedOrders): Generator<ProfileRow> {
    // The default sort compares UTF-16 code units, as compareCodeUnits does, without a call per comparison.
    for (const key of [...this.#profileIds.keys()].sort()) {
      const row = this.#rowOf(key, grouped);
      if (row !== undefined) yield row;
    }
  }

  #rowOf(key: string, { times, values, starts }: GroupedOrders): ProfileRow | undefined {
    const profile = this.#profileIds.get(key)!;
    const properties = this.#propertiesOf(profile, sortedSeries(times, values, starts[profile]!, starts[profile + 1]!));
    if (properties === undefined) return undefined;
    return key.includes('@') ? { email: key, properties } : { email: '', phone: key, properties };
  }

  #propertiesOf(profile: number, series: OrderSeries): Record<string, PropertyValue> | undefined {
    const properties: Record<string, PropertyValue> = {};
    let empty = true;
    for (const window of this.#definitions.windows) {
      const windowMs = window.days * DAY_MS;
      const highest: HighestOrder | undefined =
        this.#definitions.mode === 'flow' ? flowHighest(series, windowMs) : windowHighest(series, this.#asOf, windowMs);
      if (highest !== undefined) {
        properties[window.valueProperty] = highest.value;
        properties[window.dateProperty] = formatUtc(highest.placedAt);
        empty = false;
      }
    }
    for (let index = 0; index < this.#sizeCount; index++) {
      const latest = this.#latestBySize[profile * this.#sizeCount + index]!;
      if (latest !== NO_TIME) {
        properties[this.#definitions.sizes[index]!.dateProperty] = formatUtc(latest);
        empty = false;
      }
    }
    return empty ? undefined : properties;
  }

  #growSizeTable(profiles: number): void {
    const needed = profiles * this.#sizeCount;
    if (needed <= this.#latestBySize.length) return;
    const grown = new Float64Array(Math.max(needed, this.#latestBySize.length * 2, 1024)).fill(NO_TIME);
    grown.set(this.#latestBySize);
    this.#latestBySize = grown;
  }
}

/**
 * One profile's orders, `[start, end)` of the grouped arrays, sorted in place into time order (ties by
 * value, so input row order never matters) and returned as views: no copy, nothing per profile for
 * the garbage collector but two small views.
 */
function sortedSeries(times: Float64Array, values: Float64Array, start: number, end: number): OrderSeries {
  if (end - start > INSERTION_SORT_LIMIT) {
    const order = Array.from({ length: end - start }, (_, k) => start + k).sort((a, b) => times[a]! - times[b]! || values[a]! - values[b]!);
    const sortedTimes = order.map((i) => times[i]!);
    const sortedValues = order.map((i) => values[i]!);
    times.set(sortedTimes, start);
    values.set(sortedValues, start);
  } else {
    // Insertion sort: most profiles have a handful of orders.
    for (let k = start + 1; k < end; k++) {
      const time = times[k]!;
      const value = values[k]!;
      let j = k - 1;
      while (j >= start && (times[j]! > time || (times[j] === time && values[j]! > value))) {
        times[j + 1] = times[j]!;
        values[j + 1] = values[j]!;
        j--;
      }
      times[j + 1] = time;
      values[j + 1] = value;
    }
  }
  return { placedAt: times.subarray(start, end), values: values.subarray(start, end) };
}

/**
 * A copy of a string that does not share memory with the text it was cut from. V8 represents a
 * substring as a view on its parent, so an email sliced from a 1 MB chunk of the input would keep
 * the whole chunk alive for as long as the profile exists; memory must grow with profiles, not rows.
 */
function detached(text: string): string {
  return (' ' + text).slice(1);
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
