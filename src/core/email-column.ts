/**
 * The emails of a profiles CSV, numbered 0, 1, 2, ... in reading order, each held once, with the one
 * question the reader asks of each new one: is it a repeat, and of which. Held as text in a byte
 * arena (one byte a character when every code unit is below 256, as in nearly every email; else two),
 * so a million emails are no million strings for the garbage collector to copy.
 *
 * A file written by compute lists its emails in ascending order: then a repeat can only be the email
 * just before, and no hash table is needed (building one was a third of reading a 1M-row file, each
 * insert a cache miss). The first email out of order (a file sorted otherwise, or edited) builds a
 * KeyIndex over the emails so far, which from then on holds them all (its arena replaces this one's):
 * the same numbers either way.
 */
import type { JsonBytes } from './json-bytes.js';
import { KeyIndex } from './key-index.js';

const INITIAL_EMAILS = 1 << 10;
const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

export class EmailColumn {
  #size = 0;
  #arena = Buffer.alloc(1 << 16);
  #arenaUsed = 0;
  /** `#spans[2n]`: where email n starts in the arena; `#spans[2n + 1]`: twice its length in bytes, plus 1 when it is UTF-16. */
  #spans = new Float64Array(2 * INITIAL_EMAILS);
  /**
   * The last email numbered as a string, while every email so far came in ascending order and the
   * last one came as a string (`add`; `addLatin1` compares bytes with the arena instead).
   */
  #last: string | undefined;
  /** Every email by number, once one came out of order. */
  #index: KeyIndex | undefined;

  get size(): number {
    return this.#index?.size ?? this.#size;
  }

  /** The email's number, numbering it next (`size` before the call) when it has none. */
  add(email: string): number {
    const index = this.#index;
    if (index === undefined) {
      const last = this.#size === 0 ? undefined : (this.#last ??= this.at(this.#size - 1));
      if (last === undefined || email > last) {
        this.#last = email;
        return this.#store(email);
      }
      if (email === last) return this.#size - 1;
      this.#index = this.#indexSoFar();
      return this.add(email);
    }
    return index.add(email);
  }

  /**
   * `add` of the email whose code units are the bytes `bytes[start, end)` (Latin-1, one byte a unit),
   * without a string: the CSV reader has the bytes of a plain ASCII email at hand, and a string of
   * each of a million emails was a tenth of a read.
   */
  addLatin1(bytes: Uint8Array, start: number, end: number): number {
    const index = this.#index;
    if (index !== undefined) return index.addLatin1(bytes, start, end);
    const order = this.#size === 0 ? 1 : this.#compareWithLast(bytes, start, end);
    if (order === 0) return this.#size - 1;
    if (order < 0) {
      this.#index = this.#indexSoFar();
      return this.#index.addLatin1(bytes, start, end);
    }
    const length = end - start;
    const number = this.#reserve(length);
    const arena = this.#arena;
    const at = this.#arenaUsed;
    for (let i = 0; i < length; i++) arena[at + i] = bytes[start + i]!;
    this.#placed(number, at, length, false);
    this.#last = undefined;
    return number;
  }

  /** How the Latin-1 text `bytes[start, end)` sorts against the last email (as `<` on strings): -1, 0 or 1. */
  #compareWithLast(bytes: Uint8Array, start: number, end: number): number {
    const from = this.#spans[2 * (this.#size - 1)]!;
    const span = this.#spans[2 * (this.#size - 1) + 1]!;
    const arena = this.#arena;
    const wide = span % 2 === 1;
    const lastLength = wide ? (span - 1) / 4 : span / 2;
    const length = end - start;
    const common = Math.min(length, lastLength);
    for (let i = 0; i < common; i++) {
      const unit = wide ? arena[from + 2 * i]! | (arena[from + 2 * i + 1]! << 8) : arena[from + i]!;
      const own = bytes[start + i]!;
      if (own !== unit) return own < unit ? -1 : 1;
    }
    return length === lastLength ? 0 : length < lastLength ? -1 : 1;
  }

  /** Email number `number` (a new string each time). */
  at(number: number): string {
    if (this.#index !== undefined) return this.#index.keyAt(number);
    const start = this.#spans[2 * number]!;
    const span = this.#spans[2 * number + 1]!;
    return this.#arena.toString(span % 2 === 1 ? 'utf16le' : 'latin1', start, start + Math.floor(span / 2));
  }

  /** Appends `JSON.stringify(at(number))` to `out`: straight from the arena for a plain ASCII email. */
  writeJson(number: number, out: JsonBytes): void {
    if (this.#index === undefined) {
      const start = this.#spans[2 * number]!;
      const span = this.#spans[2 * number + 1]!;
      if (span % 2 === 0 && out.quotedAscii(this.#arena, start, start + span / 2)) return;
    }
    out.text(JSON.stringify(this.at(number)));
  }

  #indexSoFar(): KeyIndex {
    const index = new KeyIndex();
    // The arena and spans are laid out as a KeyIndex's own: taken in by their bytes, no string each.
    index.addAll({ size: this.#size, arena: this.#arena, spans: this.#spans });
    this.#last = undefined;
    this.#arena = Buffer.alloc(0);
    this.#spans = new Float64Array(0);
    return index;
  }

  #store(email: string): number {
    const length = email.length;
    // Room for the wide form; most emails take a byte a character and leave the rest.
    const number = this.#reserve(2 * length);
    const arena = this.#arena;
    const at = this.#arenaUsed;
    // A regular expression, not a loop over the characters: V8 answers it at once for a one-byte string.
    const wide = BEYOND_LATIN1.test(email);
    if (!wide && latin1Write !== undefined) {
      // Node's own copy of a one-byte string (as key-index.ts does): one call, not a store per character.
      latin1Write.call(arena, email, at, length);
    } else if (wide) {
      for (let i = 0; i < length; i++) {
        const unit = email.charCodeAt(i);
        arena[at + 2 * i] = unit & 0xff;
        arena[at + 2 * i + 1] = unit >>> 8;
      }
    } else {
      for (let i = 0; i < length; i++) arena[at + i] = email.charCodeAt(i);
    }
    this.#placed(number, at, wide ? 2 * length : length, wide);
    return number;
  }

  /** Room for `bytes` more in the arena and for one more span; returns the next email's number. */
  #reserve(bytes: number): number {
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
    return number;
  }

  /** Numbers the `bytes` just written at `at` as email `number`. */
  #placed(number: number, at: number, bytes: number, wide: boolean): void {
    this.#arenaUsed += bytes;
    this.#spans[2 * number] = at;
    this.#spans[2 * number + 1] = 2 * bytes + (wide ? 1 : 0);
    this.#size = number + 1;
  }
}

/** Node's undocumented Buffer method behind `write(text, offset, length, 'latin1')`, present since Node 0.x. */
const latin1Write = (Buffer.prototype as Partial<{ latin1Write(text: string, offset: number, length: number): number }>).latin1Write;
