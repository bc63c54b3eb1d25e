/**
 * From normalized orders to profile rows: collects each profile's orders, then runs the computation's
 * reducers over each profile's orders. Pure apart from its own state; "now" is the computation's
 * as-of, never the clock.
 */
import type { Computation, PropertySchema } from '../../domain/computation.js';
import type { Order } from '../../domain/order.js';
import { profileKey, type ProfileRow, type PropertyValue } from '../../domain/profile-row.js';
import { KeyIndex, keyHash, type KeyIndexContent } from '../tables/key-index.js';
import { OrderLog, type GroupedOrders, type OrderBlocks } from '../tables/order-log.js';
import type { ProfileOrders } from '../../domain/reducers/reducer.js';
import { formatUtc } from '../../domain/timestamp.js';

/** Above this many orders a profile's orders are sorted with Array.sort, below with insertion sort. */
const INSERTION_SORT_LIMIT = 32;

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
  /** One cell per column of the computation's schema: a number, an epoch-ms instant, or NaN (blank). */
  readonly cells: Float64Array;
}

/** An accumulator's content as transferable arrays: see `ProfileAccumulator.handOver`. */
export interface AccumulatedPart {
  /** Profile keys, as the key index lays them out; a profile's number is its key's number. */
  readonly keys: KeyIndexContent;
  /** Per order, in input order: its profile's number, time, value and sizes. */
  readonly orders: OrderBlocks;
}

/** The arrays of an accumulator's content, whose buffers `postMessage` can move rather than copy. */
export function accumulatedArrays({ keys, orders }: AccumulatedPart): ArrayBufferView[] {
  return [keys.arena, keys.spans, keys.slots, ...orders.blocks.flatMap((block) => [block.profiles, block.times, block.values, block.sizes])];
}

/** Profiles in key order, made on demand; `withPhone` is known before the first one. */
export interface ProfileSource<T> extends Iterable<T> {
  /** Some profile is known only by phone: a CSV of these profiles needs a phone column. */
  readonly withPhone: boolean;
  readonly schema: PropertySchema;
}

export type ProfileRowSource = ProfileSource<ProfileRow>;

/** The profiles as numbers; each step overwrites the same `ProfileValues`, so read it before the next. */
export type ProfileValuesSource = ProfileSource<ProfileValues>;

export class ProfileAccumulator {
  readonly #computation: Computation;
  /** Each size's number (its place in `definitions.sizes`), by name. */
  readonly #sizeNumber: Map<string, number>;
  /** The size bits of the order being added, reused for each. */
  readonly #orderSizes: Uint32Array;
  /**
   * Profile key (email, or phone for phone-only profiles) to its number, in order of appearance:
   * not a Map, which stops at 2^24 keys (see key-index.ts). Its keys come back as flat strings,
   * which sort several times faster than slices of a chunk's text.
   */
  readonly #profileIds: KeyIndex;
  readonly #orders: OrderLog;

  constructor(computation: Computation, content?: AccumulatedPart) {
    this.#computation = computation;
    const sizes = computation.definitions.sizes;
    this.#sizeNumber = new Map(sizes.map((s, i) => [s.size, i]));
    this.#orderSizes = new Uint32Array(Math.ceil(sizes.length / 32));
    this.#profileIds = content === undefined ? new KeyIndex() : KeyIndex.from(content.keys);
    this.#orders = content === undefined ? new OrderLog(this.#orderSizes.length) : OrderLog.from(content.orders);
  }

  /** The accumulator another one handed over (`handOver`), on another thread perhaps: its arrays are taken as they are. */
  static from(computation: Computation, content: AccumulatedPart): ProfileAccumulator {
    return new ProfileAccumulator(computation, content);
  }

  get profileCount(): number {
    return this.#profileIds.size;
  }

  /**
   * Adds an order; returns false (and ignores it) when it was placed after the as-of. `key` is
   * `profileKey(order)` and `hash` its `keyHash`, for a caller that has them already.
   */
  add(order: Order, key = profileKey(order), hash = keyHash(key)): boolean {
    if (order.placedAt > this.#computation.asOf) return false;
    this.#orders.append(this.#profileIds.add(key, hash), order.placedAt, order.value, this.#sizeBits(order.sizes));
    return true;
  }

  /**
   * Adds an order's sizes without the order: rows of an order read apart from the row with its total
   * (see OrderSink.apartRows), or the order read again, whose order was added on its own. They are
   * kept as a size mark (see ProfileOrders.marksEnd): a size's date is the latest order with it,
   * whichever rows named it, so this is what reading the rows together gives. False (and nothing
   * added) when placed after the as-of.
   */
  addSizes(key: string, hash: number, placedAt: number, sizes: readonly string[]): boolean {
    if (placedAt > this.#computation.asOf) return false;
    const profile = this.#profileIds.add(key, hash);
    const bits = this.#sizeBits(sizes);
    // A mark naming no computed size would only be skipped by every reducer: none is kept.
    if (bits.some((word) => word !== 0)) this.#orders.appendSizeMark(profile, placedAt, bits);
    return true;
  }

  /** The size bits of `sizes`, in the one array reused for every order. */
  #sizeBits(sizes: readonly string[]): Uint32Array {
    const bits = this.#orderSizes;
    bits.fill(0);
    for (const size of sizes) {
      const number = this.#sizeNumber.get(size);
      if (number !== undefined) bits[number >>> 5]! |= 1 << (number & 31);
    }
    return bits;
  }

  /**
   * What this accumulator holds, as plain arrays a worker thread can transfer to another (`absorb`
   * takes it in) without copying them: this accumulator must not be used afterwards. Profiles are
   * listed in order of first appearance, orders in input order.
   */
  handOver(): AccumulatedPart {
    return { keys: this.#profileIds.handOver(), orders: this.#orders.handOver() };
  }

  /**
   * Adds what another accumulator (same computation) read from the input that follows this
   * one's: afterwards this accumulator is exactly what reading both inputs in turn would have made,
   * profile numbers and order log included.
   */
  absorb(part: AccumulatedPart): void {
    // By bytes, and the part's order blocks kept as they are with its profile numbers made ours:
    // re-adding every key as a string and re-appending every order was most of the merge.
    const globalIds = this.#profileIds.addAll(part.keys);
    this.#orders.adopt(part.orders, globalIds);
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
    const schema = this.#computation.schema;
    return {
      withPhone: values.withPhone,
      schema,
      *[Symbol.iterator]() {
        for (const profile of values) yield rowOf(profile, schema);
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
    const cursor = new ProfileCursor(this.#profileIds, this.#computation.schema.columns.length, grouped);
    // Only keys without an `@` (phone numbers) are computed here; an email is never a phone profile.
    // In number order, which reads the keys' text in turn: whether one has values does not depend on the order.
    let withPhone = false;
    for (let profile = 0; profile < inOrder.length && !withPhone; profile++) {
      withPhone = !this.#profileIds.includesUnit(profile, AT_SIGN) && this.#compute(profile, place[profile]!, cursor);
    }
    const compute = (k: number) => this.#compute(inOrder[k]!, k, cursor);
    function* inKeyOrder(): Generator<ProfileValues> {
      for (let k = 0; k < inOrder.length; k++) if (compute(k) || withEmpty) yield cursor;
    }
    return { withPhone, schema: this.#computation.schema, [Symbol.iterator]: inKeyOrder };
  }

  /** Fills `into` with the cells of `profile`, whose orders are group `group`; false when it has none to set. */
  #compute(profile: number, group: number, into: ProfileCursor): boolean {
    into.select(group);
    sortByTime(into);
    into.profile = profile;
    into.byPhone = !this.#profileIds.includesUnit(profile, AT_SIGN);
    return this.#computation.schema.reduce(into, this.#computation.asOf, into.cells);
  }
}

const AT_SIGN = 0x40;


/**
 * The one `ProfileValues` that `values()` fills for each profile in turn, and the `ProfileOrders` its
 * reducers read: the key is made only when asked for.
 */
class ProfileCursor implements ProfileValues, ProfileOrders {
  readonly #keys: KeyIndex;
  readonly #starts: Uint32Array;
  /** The profile's number, which is its key's number in the index. */
  profile = 0;
  byPhone = false;
  readonly cells: Float64Array;
  readonly times: Float64Array;
  readonly values: Float64Array;
  readonly sizes: Uint32Array;
  readonly sizeWords: number;
  start = 0;
  end = 0;
  marksEnd = 0;
  /** Whether any group holds size marks (rare): only then are they moved after the orders. */
  readonly #hasMarks: boolean;

  constructor(keys: KeyIndex, columns: number, { times, values, sizes, sizeWords, starts, marks }: GroupedOrders) {
    this.#keys = keys;
    this.cells = new Float64Array(columns);
    this.times = times;
    this.values = values;
    this.sizes = sizes;
    this.sizeWords = sizeWords;
    this.#starts = starts;
    this.#hasMarks = marks > 0;
  }

  /** Makes the orders those of group `group`: its orders first, then its size marks (their value is NaN). */
  select(group: number): void {
    this.start = this.#starts[group]!;
    this.marksEnd = this.#starts[group + 1]!;
    this.end = this.#hasMarks ? this.#marksLast() : this.marksEnd;
  }

  /** Moves the group's size marks after its orders, each kept whole; returns where the marks start. */
  #marksLast(): number {
    const { times, values, sizes, sizeWords: words, start, marksEnd } = this;
    let orders = start;
    for (let i = start; i < marksEnd; i++) {
      if (Number.isNaN(values[i]!)) continue;
      if (i !== orders) {
        // Swap the order at i with the mark at `orders` (nothing before `orders` is a mark).
        const [time, value] = [times[orders]!, values[orders]!];
        times[orders] = times[i]!;
        values[orders] = values[i]!;
        times[i] = time;
        values[i] = value;
        for (let w = 0; w < words; w++) {
          const bits = sizes[orders * words + w]!;
          sizes[orders * words + w] = sizes[i * words + w]!;
          sizes[i * words + w] = bits;
        }
      }
      orders++;
    }
    return orders;
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
function rowOf(profile: ProfileValues, schema: PropertySchema): ProfileRow {
  const properties: Record<string, PropertyValue> = {};
  schema.columns.forEach((column, c) => {
    const cell = profile.cells[c]!;
    if (!Number.isNaN(cell)) properties[column.name] = column.kind === 'date' ? formatUtc(cell) : cell;
  });
  return profile.byPhone ? { email: '', phone: profile.key, properties } : { email: profile.key, properties };
}

/**
 * One profile's orders sorted in place into time order (ties by value, so input row order never
 * matters), their sizes moved with them: no copy, and nothing per profile for the garbage collector.
 */
function sortByTime(orders: ProfileCursor): void {
  const { times, values, sizes, sizeWords: words, start, end } = orders;
  if (end - start > INSERTION_SORT_LIMIT) {
    const order = Array.from({ length: end - start }, (_, k) => start + k).sort((a, b) => times[a]! - times[b]! || values[a]! - values[b]!);
    const sortedTimes = order.map((i) => times[i]!);
    const sortedValues = order.map((i) => values[i]!);
    const sortedSizes = new Uint32Array(order.length * words);
    order.forEach((i, k) => sortedSizes.set(sizes.subarray(i * words, (i + 1) * words), k * words));
    times.set(sortedTimes, start);
    values.set(sortedValues, start);
    sizes.set(sortedSizes, start * words);
  } else if (words === 1) {
    // Insertion sort: most profiles have a handful of orders. One word of sizes: the default's 4 sizes.
    for (let k = start + 1; k < end; k++) {
      const time = times[k]!;
      const value = values[k]!;
      const size = sizes[k]!;
      let j = k - 1;
      while (j >= start && (times[j]! > time || (times[j] === time && values[j]! > value))) {
        times[j + 1] = times[j]!;
        values[j + 1] = values[j]!;
        sizes[j + 1] = sizes[j]!;
        j--;
      }
      times[j + 1] = time;
      values[j + 1] = value;
      sizes[j + 1] = size;
    }
  } else {
    insertionSortWords(times, values, sizes, words, start, end);
  }
}

/** Insertion sort as above, for no sizes or more than 32 (several words an order). */
function insertionSortWords(times: Float64Array, values: Float64Array, sizes: Uint32Array, words: number, start: number, end: number): void {
  const moving = new Uint32Array(words);
  for (let k = start + 1; k < end; k++) {
    const time = times[k]!;
    const value = values[k]!;
    moving.set(sizes.subarray(k * words, (k + 1) * words));
    let j = k - 1;
    while (j >= start && (times[j]! > time || (times[j] === time && values[j]! > value))) {
      times[j + 1] = times[j]!;
      values[j + 1] = values[j]!;
      sizes.copyWithin((j + 1) * words, j * words, (j + 1) * words);
      j--;
    }
    times[j + 1] = time;
    values[j + 1] = value;
    sizes.set(moving, (j + 1) * words);
  }
}
