/**
 * Order ids already counted, so overlapping exports (the same order in `orders_export.csv` and
 * `orders_export (4).csv`) count each order once.
 *
 * Memory is what limits this at millions of orders, so an order is remembered as its id string and a
 * 30-bit fingerprint of its email (or phone) and total in cents: a small integer, stored unboxed by V8.
 * Measured on Node 20: about 55-65 bytes per order (1M orders: ~55 MB; 3M: ~190 MB). Two different
 * orders under one id slip through as "the same" only if their fingerprints collide (1 in 2^30).
 */
import { keyHash } from './key-index.js';
import type { Order } from './order.js';
import { profileKey } from './profiles.js';

export type Sighting = 'new' | 'duplicate' | 'conflict';

/** V8 Maps hold at most 2^24 entries; past that, text ids go to a further Map. */
const MAP_CAPACITY = 16_000_000;

export class OrderIds {
  readonly #numeric = new NumericIdTable();
  readonly #maps: Map<string, number>[] = [new Map()];
  /**
   * Parts taken in (`absorb`) and not yet merged into the tables above: a part read on another thread
   * is followed by more parts, each checked against it (`overlaps`), and merging its ids first cost
   * the main thread a table insert per order, in the one stretch where only it works. They are
   * merged only when an order is next seen here, or the ids handed over.
   */
  readonly #pending: PendingIds[] = [];

  /**
   * Records the order; says whether its id was seen before with the same email and total. `profileKeyHash`
   * is its profile key's `keyHash`, for a caller that has it already (the collector files the order under it next).
   */
  see(order: Order, profileKeyHash?: number): Sighting {
    if (this.#pending.length > 0) this.#mergePending();
    return this.#see(idKey(order.orderId), orderFingerprint(order, profileKeyHash));
  }

  /** Whether an order of this id was recorded (`see`), here or in a part taken in. */
  has(orderId: string): boolean {
    if (this.#pending.length > 0) this.#mergePending();
    const key = idKey(orderId);
    if (typeof key === 'number') return this.#numeric.get(key) !== NOT_SEEN;
    return this.#maps.some((map) => map.has(key));
  }

  /**
   * Every id held, with its fingerprint, as plain data a worker thread can transfer (`absorb`) without
   * a copy: the numeric ids are the table itself, empty slots included; this must not be used afterwards.
   */
  handOver(): SeenIds {
    if (this.#pending.length > 0) this.#mergePending();
    return { numeric: this.#numeric.handOver(), text: this.#maps.flatMap((map) => [...map]) };
  }

  /** Whether any id of `part` is already held here (then its orders would not all count as new). */
  overlaps(part: SeenIds): boolean {
    const { keys, fingerprints } = part.numeric;
    const pending = this.#pending;
    for (let slot = 0; slot < keys.length; slot++) {
      if (fingerprints[slot] === EMPTY) continue;
      const key = keys[slot]!;
      if (this.#numeric.get(key) !== NOT_SEEN) return true;
      for (const held of pending) if (seenNumericGet(held.ids.numeric, key) !== NOT_SEEN) return true;
    }
    return part.text.some(([key]) => this.#maps.some((map) => map.has(key)) || pending.some((held) => held.text().has(key)));
  }

  /** Holds the ids of `part` too (none of them held yet: see `overlaps`); merged into the tables when next needed. */
  absorb(part: SeenIds): void {
    let text: Set<string> | undefined;
    this.#pending.push({ ids: part, text: () => (text ??= new Set(part.text.map(([key]) => key))) });
  }

  #mergePending(): void {
    for (const held of this.#pending.splice(0)) this.#merge(held.ids);
  }

  #merge(part: SeenIds): void {
    const { keys, fingerprints } = part.numeric;
    // The other table's slots, in order, hold its keys in its hash order: inserted in that order, they
    // would fill one run of slots after another here (linear probing), and absorbing 2.5M ids took
    // minutes. Visited with a stride coprime to the slot count, they arrive as scattered as ids read
    // from a file.
    const stride = coprimeStride(keys.length);
    for (let i = 0, slot = 0; i < keys.length; i++, slot = (slot + stride) % keys.length) {
      if (fingerprints[slot] !== EMPTY) this.#see(keys[slot]!, fingerprints[slot]!);
    }
    for (const [key, fingerprint] of part.text) this.#see(key, fingerprint);
  }

  #see(key: number | string, fingerprint: number): Sighting {
    if (typeof key === 'number') {
      const seen = this.#numeric.putIfAbsent(key, fingerprint);
      return seen === NOT_SEEN ? 'new' : seen === fingerprint ? 'duplicate' : 'conflict';
    }
    for (const map of this.#maps) {
      const seen = map.get(key);
      if (seen !== undefined) return seen === fingerprint ? 'duplicate' : 'conflict';
    }
    let last = this.#maps.at(-1)!;
    if (last.size >= MAP_CAPACITY) {
      last = new Map();
      this.#maps.push(last);
    }
    last.set(key, fingerprint);
    return 'new';
  }
}

/** A part's ids taken in and not merged yet, with a set of its text ids made when first asked for. */
interface PendingIds {
  readonly ids: SeenIds;
  text(): Set<string>;
}

/** Ids as `OrderIds.handOver` gives them. */
export interface SeenIds {
  /** A numeric id table's slots: where `fingerprints[slot]` is -1 the slot is empty. */
  readonly numeric: { readonly keys: Float64Array; readonly fingerprints: Int32Array };
  readonly text: readonly (readonly [string, number])[];
}

/** A step through `count` items that visits each once and jumps far between visits. */
function coprimeStride(count: number): number {
  if (count <= 1) return 1;
  let stride = 1_000_003;
  while (greatestCommonDivisor(stride, count) !== 1) stride += 2;
  return stride % count;
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/** The fingerprint a handed-over numeric table holds for `key`, or NOT_SEEN: probed as the table itself probes. */
function seenNumericGet({ keys, fingerprints }: SeenIds['numeric'], key: number): number {
  const mask = keys.length - 1;
  let slot = hashSlot(key, mask);
  while (fingerprints[slot] !== EMPTY && keys[slot] !== key) slot = (slot + 1) & mask;
  return fingerprints[slot]!;
}

/** Whether `ids` holds `orderId`. */
export function seenIdsInclude(ids: SeenIds, orderId: string): boolean {
  const key = idKey(orderId);
  if (typeof key !== 'number') return ids.text.some(([id]) => id === key);
  const { keys, fingerprints } = ids.numeric;
  for (let slot = keys.indexOf(key); slot >= 0; slot = keys.indexOf(key, slot + 1)) if (fingerprints[slot] !== EMPTY) return true;
  return false;
}

const NOT_SEEN = -1;
const EMPTY = -1;

/**
 * Numeric ids and their fingerprints in an open-addressing hash table of typed arrays: 12 bytes a
 * slot, nothing for the garbage collector to trace, and about three times faster than a Map at
 * millions of orders (where it is one of the costs of every order read).
 */
class NumericIdTable {
  #keys = new Float64Array(1 << 16);
  #fingerprints = new Int32Array(1 << 16).fill(EMPTY);
  #size = 0;

  /** The fingerprint stored for `key`, or NOT_SEEN after storing `fingerprint` for it. */
  putIfAbsent(key: number, fingerprint: number): number {
    // Up to three quarters full: linear probing stays short, and 5M ids fit in 8M slots (96 MB).
    if (this.#size * 4 >= this.#keys.length * 3) this.#grow();
    const slot = this.#slotOf(key);
    const stored = this.#fingerprints[slot]!;
    if (stored !== EMPTY) return stored;
    this.#keys[slot] = key;
    this.#fingerprints[slot] = fingerprint;
    this.#size++;
    return NOT_SEEN;
  }

  /** The fingerprint stored for `key`, or NOT_SEEN. */
  get(key: number): number {
    return this.#fingerprints[this.#slotOf(key)]!;
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  #slotOf(key: number): number {
    const mask = this.#keys.length - 1;
    let slot = hashSlot(key, mask);
    while (this.#fingerprints[slot] !== EMPTY && this.#keys[slot] !== key) slot = (slot + 1) & mask;
    return slot;
  }

  /** The table's own arrays (see `OrderIds.handOver`). */
  handOver(): { keys: Float64Array; fingerprints: Int32Array } {
    return { keys: this.#keys, fingerprints: this.#fingerprints };
  }

  #grow(): void {
    const keys = this.#keys;
    const fingerprints = this.#fingerprints;
    this.#keys = new Float64Array(keys.length * 2);
    this.#fingerprints = new Int32Array(keys.length * 2).fill(EMPTY);
    this.#size = 0;
    for (let slot = 0; slot < keys.length; slot++) {
      if (fingerprints[slot] !== EMPTY) this.putIfAbsent(keys[slot]!, fingerprints[slot]!);
    }
  }
}

/** Spreads sequential ids (#1001, #1002, ...) over the table: multiply-shift on the low and high halves. */
function hashSlot(key: number, mask: number): number {
  // The low 32 bits of a whole number below 2^53 (ids are never negative): `% 2^32` on a double is a call to fmod.
  const low = key >>> 0;
  const high = (key - low) / 4_294_967_296;
  return Math.imul(low ^ Math.imul(high, 0x27d4eb2d), 0x9e3779b1) & mask;
}

/**
 * Numeric ids (`#1001`, `1001`, most exports' kind) become numbers, with the `#` in the lowest bit so
 * the two spellings stay apart: a Map keyed by numbers neither hashes nor keeps a string per order,
 * which halves the time and memory of this check. Other ids stay strings.
 */
export function idKey(orderId: string): number | string {
  const start = orderId.charCodeAt(0) === 0x23 ? 1 : 0;
  const length = orderId.length - start;
  if (length < 1 || length > 15) return orderId;
  let value = 0;
  for (let i = start; i < orderId.length; i++) {
    const digit = orderId.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return orderId;
    value = value * 10 + digit;
  }
  return value * 2 + start;
}

/**
 * The profile key's hash (the key index's, computed once per order for both), then the total in cents
 * mixed in; 30 bits keep it a V8 small integer.
 */
export function orderFingerprint(order: Order, profileKeyHash = keyHash(profileKey(order))): number {
  let hash = profileKeyHash;
  const cents = Math.round(order.value * 100);
  hash = Math.imul(hash ^ (cents | 0), 0x01000193);
  hash = Math.imul(hash ^ Math.floor(cents / 2 ** 32), 0x01000193);
  return (hash >>> 2) & 0x3fffffff;
}
