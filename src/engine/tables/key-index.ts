/**
 * Profile keys (emails, phones) numbered 0, 1, 2, ... in order of first appearance: the index from a
 * key to its profile's number that every order read goes through.
 *
 * A JS Map cannot be that index for the largest merchants: it holds at most 2^24 (16,777,216)
 * entries and then throws `RangeError: Map maximum size exceeded`, while Klaviyo's largest accounts
 * have tens of millions of profiles. This is an open-addressing hash table over typed arrays, whose
 * only limit is memory: the keys' text in one byte arena (one byte a character when every code unit
 * is below 256, as in nearly every email; else two), each key's start in the arena, and a table of
 * (hash, number + 1) pairs. Nothing in it is an object the garbage collector traces, so the strings
 * the readers make per order die young. About 27 to 37 bytes a key beside its text: 16 for its place
 * in the arena, 11 to 21 for its slot pair (the table is kept 3/8 to 3/4 full).
 *
 * The text is kept as bytes so that the slow parts of a run never go back to strings: another
 * thread's index is merged by its bytes (`handOver`, `addAll`), and the keys come out sorted as
 * numbers (`numbersInKeyOrder`) and as bytes (`writeLatin1`).
 */

import { keyOrder } from './key-order.js';

/** Pairs in a new table; grows by doubling. */
const INITIAL_PAIRS = 1 << 12;
const INITIAL_KEYS = 1 << 10;
const EMPTY = 0;

/**
 * A key index's content as plain arrays, for another thread (`KeyIndex.handOver`, `addAll`): the
 * arena and spans as `KeyIndex` lays them out. Their buffers can be transferred, not copied.
 */
export interface KeyIndexContent {
  readonly size: number;
  readonly arena: Uint8Array;
  readonly spans: Float64Array;
  /** The table of (hash, number + 1) pairs, so that an index can be rebuilt without hashing again (`KeyIndex.from`). */
  readonly slots: Int32Array;
}

export class KeyIndex {
  #size = 0;
  /** The keys' text, one after another: Latin-1 bytes, or UTF-16LE for a key marked wide. */
  #arena: Buffer = Buffer.alloc(1 << 16);
  #arenaUsed = 0;
  /**
   * Key n's place in the arena, side by side so that one cache line holds both: `#spans[2n]` where it
   * starts, `#spans[2n + 1]` twice its length in bytes, plus 1 when it is wide (UTF-16).
   */
  #spans: Float64Array = new Float64Array(2 * INITIAL_KEYS);
  /** `#slots[2 * pair]`: a key's hash; `#slots[2 * pair + 1]`: its number + 1, or EMPTY. */
  #slots: Int32Array = new Int32Array(2 * INITIAL_PAIRS);
  #mask = INITIAL_PAIRS - 1;

  /** The index another one handed over (`handOver`), as it was: no key is hashed or copied again. */
  static from(content: KeyIndexContent): KeyIndex {
    const index = new KeyIndex();
    index.#size = content.size;
    index.#arena = Buffer.from(content.arena.buffer, content.arena.byteOffset, content.arena.byteLength);
    index.#spans = content.spans;
    // Keys are stored one after another, so the arena is used up to the end of the last one.
    index.#arenaUsed = content.size === 0 ? 0 : content.spans[2 * (content.size - 1)]! + Math.floor(content.spans[2 * content.size - 1]! / 2);
    index.#slots = content.slots;
    index.#mask = content.slots.length / 2 - 1;
    return index;
  }

  get size(): number {
    return this.#size;
  }

  /** The key's number, or -1 when it has none. */
  get(key: string): number {
    const hash = keyHash(key);
    const slots = this.#slots;
    for (let pair = hash & this.#mask; ; pair = (pair + 1) & this.#mask) {
      const stored = slots[2 * pair + 1]!;
      if (stored === EMPTY) return -1;
      if (slots[2 * pair] === hash && this.#holds(stored - 1, key)) return stored - 1;
    }
  }

  /**
   * The key's number, numbering it next (`size` before the call) when it has none. `hash` is
   * `keyHash(key)`, for a caller that has it already (profile-shards.ts picks a shard by it).
   */
  add(key: string, hash = keyHash(key)): number {
    const slots = this.#slots;
    let pair = hash & this.#mask;
    for (; ; pair = (pair + 1) & this.#mask) {
      const stored = slots[2 * pair + 1]!;
      if (stored === EMPTY) break;
      if (slots[2 * pair] === hash && this.#holds(stored - 1, key)) return stored - 1;
    }
    const number = this.#size;
    this.#store(key);
    this.#occupy(pair, hash, number);
    return number;
  }

  /**
   * Adds the keys another index handed over (`handOver`), in its order, as `add` would each of them:
   * by their bytes, with no string per key. Returns the number here of each of those keys, by its
   * number there. The hash of stored text is the hash of the string, so keys added either way meet.
   */
  addAll(content: KeyIndexContent): Uint32Array {
    const numbers = new Uint32Array(content.size);
    const { arena, spans } = content;
    for (let from = 0; from < content.size; from++) numbers[from] = this.#addText(arena, spans[2 * from]!, spans[2 * from + 1]!);
    return numbers;
  }

  /**
   * The arrays themselves, for another thread's `addAll` or `KeyIndex.from`: transfer their buffers;
   * this index must not be used afterwards.
   */
  handOver(): KeyIndexContent {
    return { size: this.#size, arena: this.#arena, spans: this.#spans, slots: this.#slots };
  }

  /** Every key's number, ordered by the keys' code units (as sorting their strings would order them). */
  numbersInKeyOrder(): Uint32Array {
    return keyOrder({ count: this.#size, arena: this.#arena, spans: this.#spans });
  }

  /**
   * Writes key `number` into `into` from `at`, one byte a code unit, and returns how many bytes that
   * is; or writes nothing and returns -1 when the key has a unit above 0xff or does not fit.
   */
  writeLatin1(number: number, into: Uint8Array, at: number): number {
    const start = this.#spans[2 * number]!;
    const span = this.#spans[2 * number + 1]!;
    const length = span / 2;
    if ((span & 1) === 1 || at + length > into.length) return -1;
    const arena = this.#arena;
    for (let i = 0; i < length; i++) into[at + i] = arena[start + i]!;
    return length;
  }

  /**
   * Writes key `number`'s UTF-16 code units into `into` from `at` and returns how many that is, or
   * writes nothing and returns -1 when they do not fit: keys compared unit by unit, as strings sort.
   */
  writeUnits(number: number, into: Uint16Array, at: number): number {
    const start = this.#spans[2 * number]!;
    const span = this.#spans[2 * number + 1]!;
    const arena = this.#arena;
    if ((span & 1) === 1) {
      const length = (span - 1) / 4;
      if (at + length > into.length) return -1;
      for (let i = 0; i < length; i++) into[at + i] = arena[start + 2 * i]! | (arena[start + 2 * i + 1]! << 8);
      return length;
    }
    const length = span / 2;
    if (at + length > into.length) return -1;
    for (let i = 0; i < length; i++) into[at + i] = arena[start + i]!;
    return length;
  }

  /** Whether key `number` has the code unit `unit` (as `keyAt(number).includes(...)`, without the string). */
  includesUnit(number: number, unit: number): boolean {
    const start = this.#spans[2 * number]!;
    const span = this.#spans[2 * number + 1]!;
    const arena = this.#arena;
    if ((span & 1) === 1) {
      for (let at = start; at < start + (span - 1) / 2; at += 2) if ((arena[at]! | (arena[at + 1]! << 8)) === unit) return true;
      return false;
    }
    for (let at = start; at < start + span / 2; at++) if (arena[at] === unit) return true;
    return false;
  }

  /** The key numbered `number` (a new string each time). */
  keyAt(number: number): string {
    const start = this.#spans[2 * number]!;
    const span = this.#spans[2 * number + 1]!;
    return this.#arena.toString((span & 1) === 1 ? 'utf16le' : 'latin1', start, start + Math.floor(span / 2));
  }

  /** Every key, by number. */
  keys(): string[] {
    const keys = new Array<string>(this.#size);
    for (let number = 0; number < this.#size; number++) keys[number] = this.keyAt(number);
    return keys;
  }

  /**
   * `add` of the key whose code units are the bytes `bytes[start, end)` (Latin-1, one byte a unit),
   * without a string: for a reader that has the key's bytes at hand (read-profiles-csv.ts).
   */
  addLatin1(bytes: Uint8Array, start: number, end: number): number {
    return this.#addText(bytes, start, 2 * (end - start));
  }

  /** `add` of the key stored at `start` of `arena` as `span` says (see `#spans`). */
  #addText(arena: Uint8Array, start: number, span: number): number {
    const hash = hashOfText(arena, start, span);
    const slots = this.#slots;
    let pair = hash & this.#mask;
    for (; ; pair = (pair + 1) & this.#mask) {
      const stored = slots[2 * pair + 1]!;
      if (stored === EMPTY) break;
      if (slots[2 * pair] === hash && this.#holdsText(stored - 1, arena, start, span)) return stored - 1;
    }
    const number = this.#size;
    this.#storeText(arena, start, span);
    this.#occupy(pair, hash, number);
    return number;
  }

  /** Whether key `number` is `key`, compared code unit by code unit against the arena. */
  #holds(number: number, key: string): boolean {
    const start = this.#spans[2 * number]!;
    const span = this.#spans[2 * number + 1]!;
    const arena = this.#arena;
    if ((span & 1) === 1) {
      if (span !== 4 * key.length + 1) return false;
      for (let i = 0; i < key.length; i++) if (arena[start + 2 * i]! + (arena[start + 2 * i + 1]! << 8) !== key.charCodeAt(i)) return false;
      return true;
    }
    if (span !== 2 * key.length) return false;
    for (let i = 0; i < key.length; i++) if (arena[start + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  /** Whether key `number` is the text at `start` of `arena`, laid out as `span` says (see `#spans`). */
  #holdsText(number: number, arena: Uint8Array, start: number, span: number): boolean {
    if (this.#spans[2 * number + 1] !== span) return false;
    const own = this.#arena;
    const at = this.#spans[2 * number]!;
    // A key is wide exactly when one of its units is above 0xff, so equal keys have equal bytes.
    const bytes = Math.floor(span / 2);
    for (let i = 0; i < bytes; i++) if (own[at + i] !== arena[start + i]) return false;
    return true;
  }

  #store(key: string): void {
    let wide = false;
    for (let i = 0; i < key.length && !wide; i++) wide = key.charCodeAt(i) > 0xff;
    const bytes = wide ? 2 * key.length : key.length;
    const at = this.#reserve(bytes);
    const arena = this.#arena;
    if (!wide) {
      // One call rather than a store per character. (Node's undocumented latin1Write, which skips
      // write's argument checks, measured no faster here: within the noise over 2M keys.)
      arena.write(key, at, bytes, 'latin1');
    } else {
      for (let i = 0; i < key.length; i++) {
        const unit = key.charCodeAt(i);
        arena[at + 2 * i] = unit & 0xff;
        arena[at + 2 * i + 1] = unit >>> 8;
      }
    }
    this.#placed(at, 2 * bytes + (wide ? 1 : 0));
  }

  /** Stores a copy of text laid out as `span` says, from `start` of another index's arena. */
  #storeText(arena: Uint8Array, start: number, span: number): void {
    const bytes = Math.floor(span / 2);
    const at = this.#reserve(bytes);
    const own = this.#arena;
    for (let i = 0; i < bytes; i++) own[at + i] = arena[start + i]!;
    this.#placed(at, span);
  }

  /** Room for `bytes` more in the arena and for one more span; returns where the text goes. */
  #reserve(bytes: number): number {
    if (this.#arenaUsed + bytes > this.#arena.length) {
      const grown = Buffer.alloc(Math.max(2 * this.#arena.length, this.#arenaUsed + bytes));
      this.#arena.copy(grown, 0, 0, this.#arenaUsed);
      this.#arena = grown;
    }
    if (2 * this.#size + 1 >= this.#spans.length) {
      const spans = new Float64Array(2 * this.#spans.length);
      spans.set(this.#spans);
      this.#spans = spans;
    }
    return this.#arenaUsed;
  }

  /** Numbers the text just written at `at` as the next key. */
  #placed(at: number, span: number): void {
    const number = this.#size;
    this.#arenaUsed += Math.floor(span / 2);
    this.#spans[2 * number] = at;
    this.#spans[2 * number + 1] = span;
    this.#size = number + 1;
  }

  /** Puts key `number` in the empty pair `pair`, and grows the table past three quarters full. */
  #occupy(pair: number, hash: number, number: number): void {
    this.#slots[2 * pair] = hash;
    this.#slots[2 * pair + 1] = number + 1;
    if (this.#size * 4 > (this.#mask + 1) * 3) this.#grow();
  }

  #grow(): void {
    const old = this.#slots;
    const pairs = 2 * (this.#mask + 1);
    const slots = new Int32Array(2 * pairs);
    const mask = pairs - 1;
    // Stored hashes move the keys without reading them. Slot order into a table twice the size keeps
    // runs short (slot order into another table of the same size is what clusters).
    for (let from = 0; from < old.length; from += 2) {
      const stored = old[from + 1]!;
      if (stored === EMPTY) continue;
      const hash = old[from]!;
      let pair = hash & mask;
      while (slots[2 * pair + 1] !== EMPTY) pair = (pair + 1) & mask;
      slots[2 * pair] = hash;
      slots[2 * pair + 1] = stored;
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}


/**
 * The hash the index files a key under: FNV-1a over the UTF-16 code units, then a final mix so that
 * the low bits (the slot) and the high bits (a shard, see profile-shards.ts) depend on every unit.
 */
export function keyHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return finalMix(hash);
}

/** `keyHash` of the key stored at `start` of `arena` as `span` says (see `KeyIndex.#spans`): the same number. */
function hashOfText(arena: Uint8Array, start: number, span: number): number {
  let hash = 0x811c9dc5;
  // `& 1`, not `% 2`: a span is a double (from a Float64Array), and `%` on doubles is a call to fmod.
  if ((span & 1) === 1) {
    const end = start + (span - 1) / 2;
    for (let at = start; at < end; at += 2) hash = Math.imul(hash ^ (arena[at]! | (arena[at + 1]! << 8)), 0x01000193);
  } else {
    const end = start + span / 2;
    for (let at = start; at < end; at++) hash = Math.imul(hash ^ arena[at]!, 0x01000193);
  }
  return finalMix(hash);
}

function finalMix(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}
