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
 */

/** Pairs in a new table; grows by doubling. */
const INITIAL_PAIRS = 1 << 12;
const INITIAL_KEYS = 1 << 10;
const EMPTY = 0;

export class KeyIndex {
  #size = 0;
  /** The keys' text, one after another: Latin-1 bytes, or UTF-16LE for a key marked wide. */
  #arena = Buffer.alloc(1 << 16);
  #arenaUsed = 0;
  /**
   * Key n's place in the arena, side by side so that one cache line holds both: `#spans[2n]` where it
   * starts, `#spans[2n + 1]` twice its length in bytes, plus 1 when it is wide (UTF-16).
   */
  #spans = new Float64Array(2 * INITIAL_KEYS);
  /** `#slots[2 * pair]`: a key's hash; `#slots[2 * pair + 1]`: its number + 1, or EMPTY. */
  #slots = new Int32Array(2 * INITIAL_PAIRS);
  #mask = INITIAL_PAIRS - 1;

  get size(): number {
    return this.#size;
  }

  /** The key's number, or -1 when it has none. */
  get(key: string): number {
    const hash = hashOf(key);
    const slots = this.#slots;
    for (let pair = hash & this.#mask; ; pair = (pair + 1) & this.#mask) {
      const stored = slots[2 * pair + 1]!;
      if (stored === EMPTY) return -1;
      if (slots[2 * pair] === hash && this.#holds(stored - 1, key)) return stored - 1;
    }
  }

  /** The key's number, numbering it next (`size` before the call) when it has none. */
  add(key: string): number {
    const hash = hashOf(key);
    const slots = this.#slots;
    let pair = hash & this.#mask;
    for (; ; pair = (pair + 1) & this.#mask) {
      const stored = slots[2 * pair + 1]!;
      if (stored === EMPTY) break;
      if (slots[2 * pair] === hash && this.#holds(stored - 1, key)) return stored - 1;
    }
    const number = this.#size;
    this.#store(key);
    slots[2 * pair] = hash;
    slots[2 * pair + 1] = number + 1;
    if (this.#size * 4 > (this.#mask + 1) * 3) this.#grow();
    return number;
  }

  /** The key numbered `number` (a new string each time). */
  keyAt(number: number): string {
    const start = this.#spans[2 * number]!;
    const span = this.#spans[2 * number + 1]!;
    return this.#arena.toString(span % 2 === 1 ? 'utf16le' : 'latin1', start, start + Math.floor(span / 2));
  }

  /** Every key, by number. */
  keys(): string[] {
    const keys = new Array<string>(this.#size);
    for (let number = 0; number < this.#size; number++) keys[number] = this.keyAt(number);
    return keys;
  }

  /** Whether key `number` is `key`, compared code unit by code unit against the arena. */
  #holds(number: number, key: string): boolean {
    const start = this.#spans[2 * number]!;
    const span = this.#spans[2 * number + 1]!;
    const arena = this.#arena;
    if (span % 2 === 1) {
      if (span !== 4 * key.length + 1) return false;
      for (let i = 0; i < key.length; i++) if (arena[start + 2 * i]! + (arena[start + 2 * i + 1]! << 8) !== key.charCodeAt(i)) return false;
      return true;
    }
    if (span !== 2 * key.length) return false;
    for (let i = 0; i < key.length; i++) if (arena[start + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  #store(key: string): void {
    let wide = false;
    for (let i = 0; i < key.length && !wide; i++) wide = key.charCodeAt(i) > 0xff;
    const bytes = wide ? 2 * key.length : key.length;
    if (this.#arenaUsed + bytes > this.#arena.length) {
      const grown = Buffer.alloc(Math.max(2 * this.#arena.length, this.#arenaUsed + bytes));
      this.#arena.copy(grown, 0, 0, this.#arenaUsed);
      this.#arena = grown;
    }
    const number = this.#size;
    if (2 * number + 1 >= this.#spans.length) {
      const spans = new Float64Array(2 * this.#spans.length);
      spans.set(this.#spans);
      this.#spans = spans;
    }
    const arena = this.#arena;
    const at = this.#arenaUsed;
    if (!wide && latin1Write !== undefined) {
      // Node's own copy of a one-byte string: Buffer.write checks and normalises its arguments first,
      // which for strings this short costs more than the copy.
      latin1Write.call(arena, key, at, bytes);
    } else if (wide) {
      for (let i = 0; i < key.length; i++) {
        const unit = key.charCodeAt(i);
        arena[at + 2 * i] = unit & 0xff;
        arena[at + 2 * i + 1] = unit >>> 8;
      }
    } else {
      for (let i = 0; i < key.length; i++) arena[at + i] = key.charCodeAt(i);
    }
    this.#arenaUsed += bytes;
    this.#spans[2 * number] = at;
    this.#spans[2 * number + 1] = 2 * bytes + (wide ? 1 : 0);
    this.#size = number + 1;
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

/** Node's undocumented Buffer method behind `write(text, offset, length, 'latin1')`, present since Node 0.x. */
const latin1Write = (Buffer.prototype as Partial<{ latin1Write(text: string, offset: number, length: number): number }>).latin1Write;

/** FNV-1a over the UTF-16 code units, then a final mix so that the low bits (the slot) depend on every unit. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}
