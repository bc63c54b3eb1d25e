/**
 * From normalized orders to profile rows: collects each profile's orders, then runs the reducers.
 * Pure apart from its own state; "now" is the `asOf` argument, never the clock.
 */
import { DAY_MS, type Definitions } from './definitions.js';
import type { Order } from './order.js';
import { KeyIndex, keyHash, type KeyIndexContent } from './key-index.js';
import { flowHighestIndex, windowHighestIndex } from './reducers.js';
import { OrderLog, type OrderBlocks } from './order-log.js';
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

/**
 * One profile's results as numbers, for writers of millions of profiles: no property object and no
 * date text per profile (a CSV writer formats straight from these). NaN where there is no value.
 */
export interface ProfileValues {
  /** Lower-cased email, or for a profile known only by phone, its phone number (a new string each time). */
  readonly key: string;
  readonly byPhone: boolean;
  /**
   * Writes the key into `into` from `at`, one byte a code unit, and returns how many bytes that is; or
   * writes nothing and returns -1 when a unit is above 0xff or it does not fit. For writers that copy
   * keys as bytes rather than make a string of each.
   */
  writeKeyLatin1(into: Uint8Array, at: number): number;
  /** Writes the key's UTF-16 code units into `into` from `at` and returns how many, or -1 when they do not fit. */
  writeKeyUnits(into: Uint16Array, at: number): number;
  /** Per window, in `definitions.windows` order: the stored order's value and time (epoch ms). */
  readonly highestValue: Float64Array;
  readonly highestAt: Float64Array;
  /** Per size, in `definitions.sizes` order: the time of the latest order with an item of that size. */
  readonly latestAt: Float64Array;
}

/** An accumulator's content as transferable arrays: see `ProfileAccumulator.handOver`. */
export interface AccumulatedPart {
  /** Profile keys, as the key index lays them out; a profile's number is its key's number. */
  readonly keys: KeyIndexContent;
  /** Per order, in input order: its profile's number, time and value. */
  readonly orders: OrderBlocks;
  /** `latestBySize[profile * sizes + size]`: the latest order time per size, -Infinity when none (may run on past the last profile). */
  readonly latestBySize: Float64Array;
}

/** The arrays of an accumulator's content, whose buffers `postMessage` can move rather than copy. */
export function accumulatedArrays({ keys, orders, latestBySize }: AccumulatedPart): ArrayBufferView[] {
  return [keys.arena, keys.spans, keys.slots, ...orders.blocks.flatMap((block) => [block.profiles, block.times, block.values]), latestBySize];
}

/** Profiles in key order, made on demand; `withPhone` is known before the first one. */
export interface ProfileSource<T> extends Iterable<T> {
  /** Some profile is known only by phone: a CSV of these profiles needs a phone column. */
  readonly withPhone: boolean;
  readonly definitions: Definitions;
}

export type ProfileRowSource = ProfileSource<ProfileRow>;

/** The profiles as numbers; each step overwrites the same `ProfileValues`, so read it before the next. */
export type ProfileValuesSource = ProfileSource<ProfileValues>;

type GroupedOrders = ReturnType<OrderLog['groupByProfile']>;

export class ProfileAccumulator {
  readonly #definitions: Definitions;
  readonly #asOf: number;
  readonly #sizeIndex: Map<string, number>;
  readonly #sizeCount: number;
  /**
   * Profile key (email, or phone for phone-only profiles) to its number, in order of appearance:
   * not a Map, which stops at 2^24 keys (see key-index.ts). Its keys come back as flat strings,
   * which sort several times faster than slices of a chunk's text.
   */
  /** Latest order time per profile and size: `#latestBySize[profile * sizeCount + size]`. */
  #latestBySize: Float64Array = new Float64Array(0);

  readonly #profileIds: KeyIndex;
  readonly #orders: OrderLog;

  constructor(definitions: Definitions, asOf: number, content?: AccumulatedPart) {
    this.#definitions = definitions;
    this.#asOf = asOf;
    this.#sizeIndex = new Map(definitions.sizes.map((s, i) => [s.size, i]));
    this.#sizeCount = definitions.sizes.length;
    this.#profileIds = content === undefined ? new KeyIndex() : KeyIndex.from(content.keys);
    this.#orders = content === undefined ? new OrderLog() : OrderLog.from(content.orders);
    if (content !== undefined) this.#latestBySize = content.latestBySize;
  }

  /** The accumulator another one handed over (`handOver`), on another thread perhaps: its arrays are taken as they are. */
  static from(definitions: Definitions, asOf: number, content: AccumulatedPart): ProfileAccumulator {
    return new ProfileAccumulator(definitions, asOf, content);
  }

  get profileCount(): number {
    return this.#profileIds.size;
  }

  /**
   * Adds an order; returns false (and ignores it) when it was placed after `asOf`. `key` is
   * `profileKey(order)` and `hash` its `keyHash`, for a caller that has them already.
   */
  add(order: Order, key = profileKey(order), hash = keyHash(key)): boolean {
    if (order.placedAt > this.#asOf) return false;
    const known = this.#profileIds.size;
    const profile = this.#profileIds.add(key, hash);
    if (profile === known) this.#growSizeTable(profile + 1);
    this.#orders.append(profile, order.placedAt, order.value);
    for (const size of order.sizes) {
      const index = this.#sizeIndex.get(size);
      if (index === undefined) continue;
      const slot = profile * this.#sizeCount + index;
      if (order.placedAt > this.#latestBySize[slot]!) this.#latestBySize[slot] = order.placedAt;
    }
    return true;
  }

  /**
   * Adds an order's sizes without the order: rows of an order read apart from the row with its total
   * (see OrderSink.apartRows), whose order was added on its own. A size's date is the latest order
   * with it, whichever rows named it, so this is what reading the rows together gives. False (and
   * nothing added) when placed after `asOf`.
   */
  addSizes(key: string, hash: number, placedAt: number, sizes: readonly string[]): boolean {
    if (placedAt > this.#asOf) return false;
    const known = this.#profileIds.size;
    const profile = this.#profileIds.add(key, hash);
    if (profile === known) this.#growSizeTable(profile + 1);
    for (const size of sizes) {
      const index = this.#sizeIndex.get(size);
      if (index === undefined) continue;
      const slot = profile * this.#sizeCount + index;
      if (placedAt > this.#latestBySize[slot]!) this.#latestBySize[slot] = placedAt;
    }
    return true;
  }

  /**
   * What this accumulator holds, as plain arrays a worker thread can transfer to another (`absorb`
   * takes it in) without copying them: this accumulator must not be used afterwards. Profiles are
   * listed in order of first appearance, orders in input order.
   */
  handOver(): AccumulatedPart {
    return { keys: this.#profileIds.handOver(), orders: this.#orders.handOver(), latestBySize: this.#latestBySize };
  }

  /**
   * Adds what another accumulator (same definitions and as-of) read from the input that follows this
   * one's: afterwards this accumulator is exactly what reading both inputs in turn would have made,
   * profile numbers and order log included.
   */
  absorb(part: AccumulatedPart): void {
    // By bytes, and the part's order blocks kept as they are with its profile numbers made ours:
    // re-adding every key as a string and re-appending every order was most of the merge.
    const globalIds = this.#profileIds.addAll(part.keys);
    this.#growSizeTable(this.#profileIds.size);
    this.#orders.adopt(part.orders, globalIds);
    const sizeCount = this.#sizeCount;
    for (let index = 0; index < part.keys.size; index++) {
      for (let size = 0; size < sizeCount; size++) {
        const slot = globalIds[index]! * sizeCount + size;
        this.#latestBySize[slot] = Math.max(this.#latestBySize[slot]!, part.latestBySize[index * sizeCount + size]!);
      }
    }
  }

  /** All rows at once, for the commands that need them together (push, diff). */
  toRows(): ProfileRow[] {
    return [...this.rows()];
  }

  /**
   * One row per profile that has at least one property to set, sorted by key (code-unit order), so
   * profiles known only by phone (`+1...`) come before emails. Made one at a time. `withEmpty` also
   * gives the profiles whose orders set nothing, with no properties (a nightly push clears what
   * Klaviyo still holds for them).
   */
  rows(withEmpty = false): ProfileRowSource {
    const values = this.values(withEmpty);
    const definitions = this.#definitions;
    return {
      withPhone: values.withPhone,
      definitions,
      *[Symbol.iterator]() {
        for (const profile of values) yield rowOf(profile, definitions);
      },
    };
  }

  /**
   * The same profiles as `rows()`, as numbers: what the CSV writer formats. Writing millions of
   * profiles never holds them all, nor makes an object per profile.
   */
  values(withEmpty = false): ProfileValuesSource {
    // Numbers in key order straight from the index: no string per key, and no lookup of each key again.
    const inOrder = this.#profileIds.numbersInKeyOrder();
    const place = new Uint32Array(inOrder.length);
    for (let k = 0; k < inOrder.length; k++) place[inOrder[k]!] = k;
    // Grouped in key order, so that computing the profiles in that order reads their orders in turn.
    const grouped = this.#orders.groupByProfile(this.#profileIds.size, place);
    const cursor = new ProfileCursor(this.#profileIds, this.#definitions.windows.length, this.#sizeCount);
    // Only keys without an `@` (phone numbers) are computed here; an email is never a phone profile.
    // In number order, which reads the keys' text in turn: whether one has values does not depend on the order.
    let withPhone = false;
    for (let profile = 0; profile < inOrder.length && !withPhone; profile++) {
      withPhone = !this.#profileIds.includesUnit(profile, AT_SIGN) && this.#compute(profile, place[profile]!, grouped, cursor);
    }
    const compute = (k: number) => this.#compute(inOrder[k]!, k, grouped, cursor);
    function* inKeyOrder(): Generator<ProfileValues> {
      for (let k = 0; k < inOrder.length; k++) if (compute(k) || withEmpty) yield cursor;
    }
    return { withPhone, definitions: this.#definitions, [Symbol.iterator]: inKeyOrder };
  }

  /** Fills `into` with the values of `profile`, whose orders are group `group`; false when it has none to set. */
  #compute(profile: number, group: number, { times, values, starts }: GroupedOrders, into: ProfileCursor): boolean {
    const start = starts[group]!;
    const end = starts[group + 1]!;
    sortByTime(times, values, start, end);
    let empty = true;
    const windows = this.#definitions.windows;
    for (let w = 0; w < windows.length; w++) {
      const windowMs = windows[w]!.days * DAY_MS;
      const highest =
        this.#definitions.mode === 'flow'
          ? flowHighestIndex(times, values, start, end, windowMs)
          : windowHighestIndex(times, values, start, end, this.#asOf, windowMs);
      into.highestValue[w] = highest < 0 ? NaN : values[highest]!;
      into.highestAt[w] = highest < 0 ? NaN : times[highest]!;
      if (highest >= 0) empty = false;
    }
    for (let index = 0; index < this.#sizeCount; index++) {
      const latest = this.#latestBySize[profile * this.#sizeCount + index]!;
      into.latestAt[index] = latest === NO_TIME ? NaN : latest;
      if (latest !== NO_TIME) empty = false;
    }
    into.profile = profile;
    into.byPhone = !this.#profileIds.includesUnit(profile, AT_SIGN);
    return !empty;
  }

  #growSizeTable(profiles: number): void {
    const needed = profiles * this.#sizeCount;
    if (needed <= this.#latestBySize.length) return;
    const grown = new Float64Array(Math.max(needed, this.#latestBySize.length * 2, 1024)).fill(NO_TIME);
    grown.set(this.#latestBySize);
    this.#latestBySize = grown;
  }
}

const AT_SIGN = 0x40;

/** The key an order's profile is known by: its email, or without one its phone. An email has an `@` and a phone number never does, so one index holds both kinds. */
export function profileKey(order: Pick<Order, 'email' | 'phone'>): string {
  return order.email !== '' ? order.email : (order.phone ?? '');
}

/** The one `ProfileValues` that `values()` fills for each profile in turn: the key is made only when asked for. */
class ProfileCursor implements ProfileValues {
  readonly #keys: KeyIndex;
  /** The profile's number, which is its key's number in the index. */
  profile = 0;
  byPhone = false;
  readonly highestValue: Float64Array;
  readonly highestAt: Float64Array;
  readonly latestAt: Float64Array;

  constructor(keys: KeyIndex, windows: number, sizes: number) {
    this.#keys = keys;
    this.highestValue = new Float64Array(windows);
    this.highestAt = new Float64Array(windows);
    this.latestAt = new Float64Array(sizes);
  }

  get key(): string {
    return this.#keys.keyAt(this.profile);
  }

  writeKeyLatin1(into: Uint8Array, at: number): number {
    return this.#keys.writeLatin1(this.profile, into, at);
  }

  writeKeyUnits(into: Uint16Array, at: number): number {
    return this.#keys.writeUnits(this.profile, into, at);
  }
}

/** A profile's values as the properties Klaviyo stores: numbers, and dates as `yyyy-MM-dd HH:mm:ss` UTC. */
function rowOf(profile: ProfileValues, definitions: Definitions): ProfileRow {
  const properties: Record<string, PropertyValue> = {};
  definitions.windows.forEach((window, w) => {
    if (Number.isNaN(profile.highestAt[w]!)) return;
    properties[window.valueProperty] = profile.highestValue[w]!;
    properties[window.dateProperty] = formatUtc(profile.highestAt[w]!);
  });
  definitions.sizes.forEach((size, s) => {
    if (!Number.isNaN(profile.latestAt[s]!)) properties[size.dateProperty] = formatUtc(profile.latestAt[s]!);
  });
  return profile.byPhone ? { email: '', phone: profile.key, properties } : { email: profile.key, properties };
}

/**
 * One profile's orders, `[start, end)` of the grouped arrays, sorted in place into time order (ties by
 * value, so input row order never matters): no copy, and nothing per profile for the garbage collector.
 */
function sortByTime(times: Float64Array, values: Float64Array, start: number, end: number): void {
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
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
