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
import { KeyIndex, type KeyIndexContent } from './key-index.js';

/** An email column's content as plain arrays, for another thread (`EmailColumn.handOver`, `addAll`). */
export interface EmailColumnContent extends KeyIndexContent {
  /** Whether the emails came in ascending order (then each sorts after the one before). */
  readonly ascending: boolean;
}

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
    const last = this.#size - 1;
    return -compareStored(this.#arena, this.#spans[2 * last]!, this.#spans[2 * last + 1]!, bytes, start, 2 * (end - start));
  }

  /**
   * The emails another column handed over (`handOver`: a later part of the same file, read on another
   * thread), added in their order as `add` would add each; returns the number here of each, by its
   * number there. Where both columns are in ascending order and the other's first email sorts after
   * this one's last, its bytes are appended as they are: no email is compared or hashed but that one.
   */
  addAll(content: EmailColumnContent): Uint32Array {
    const numbers = new Uint32Array(content.size);
    if (content.size === 0) return numbers;
    const { arena, spans } = content;
    const size = this.#size;
    if (
      this.#index === undefined &&
      content.ascending &&
      (size === 0 || compareStored(arena, spans[0]!, spans[1]!, this.#arena, this.#spans[2 * size - 2]!, this.#spans[2 * size - 1]!) > 0)
    ) {
      // The other column's texts lie one after another from 0, in number order.
      const lastStart = spans[2 * content.size - 2]!;
      const used = lastStart + Math.floor(spans[2 * content.size - 1]! / 2);
      this.#reserveMany(used, content.size);
      this.#arena.set(arena.subarray(0, used), this.#arenaUsed);
      for (let from = 0; from < content.size; from++) {
        this.#spans[2 * (size + from)] = spans[2 * from]! + this.#arenaUsed;
        this.#spans[2 * (size + from) + 1] = spans[2 * from + 1]!;
        numbers[from] = size + from;
      }
      this.#arenaUsed += used;
      this.#size = size + content.size;
      this.#last = undefined;
      return numbers;
    }
    this.#index ??= this.#indexSoFar();
    return this.#index.addAll(content);
  }

  /**
   * The arena and spans themselves, for another thread's `addAll`: transfer their buffers; this
   * column must not be used afterwards.
   */
  handOver(): EmailColumnContent {
    if (this.#index !== undefined) return { ...this.#index.handOver(), ascending: false };
    return { size: this.#size, arena: this.#arena, spans: this.#spans, ascending: true };
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
    this.#reserveMany(bytes, 1);
    return this.#size;
  }

  /** Room for `bytes` more in the arena and for `count` more spans. */
  #reserveMany(bytes: number, count: number): void {
    if (this.#arenaUsed + bytes > this.#arena.length) {
      const grown = Buffer.alloc(Math.max(2 * this.#arena.length, this.#arenaUsed + bytes));
      this.#arena.copy(grown, 0, 0, this.#arenaUsed);
      this.#arena = grown;
    }
    if (2 * (this.#size + count) > this.#spans.length) {
      const spans = new Float64Array(Math.max(2 * this.#spans.length, 2 * (this.#size + count)));
      spans.set(this.#spans);
      this.#spans = spans;
    }
  }

  /** Numbers the `bytes` just written at `at` as email `number`. */
  #placed(number: number, at: number, bytes: number, wide: boolean): void {
    this.#arenaUsed += bytes;
    this.#spans[2 * number] = at;
    this.#spans[2 * number + 1] = 2 * bytes + (wide ? 1 : 0);
    this.#size = number + 1;
  }
}

/**
 * How the text stored at `aStart` of `a` sorts against the one at `bStart` of `b` (as `<` on their
 * strings): -1, 0 or 1. Each is laid out as a span says (see `#spans`): one byte a unit, or two.
 */
function compareStored(a: Uint8Array, aStart: number, aSpan: number, b: Uint8Array, bStart: number, bSpan: number): number {
  const aWide = aSpan % 2 === 1;
  const bWide = bSpan % 2 === 1;
  const aLength = aWide ? (aSpan - 1) / 4 : aSpan / 2;
  const bLength = bWide ? (bSpan - 1) / 4 : bSpan / 2;
  const common = Math.min(aLength, bLength);
  if (!aWide && !bWide) {
    for (let i = 0; i < common; i++) {
      const x = a[aStart + i]!;
      const y = b[bStart + i]!;
      if (x !== y) return x < y ? -1 : 1;
    }
  } else {
    for (let i = 0; i < common; i++) {
      const x = aWide ? a[aStart + 2 * i]! | (a[aStart + 2 * i + 1]! << 8) : a[aStart + i]!;
      const y = bWide ? b[bStart + 2 * i]! | (b[bStart + 2 * i + 1]! << 8) : b[bStart + i]!;
      if (x !== y) return x < y ? -1 : 1;
    }
  }
  return aLength === bLength ? 0 : aLength < bLength ? -1 : 1;
}

/** Node's undocumented Buffer method behind `write(text, offset, length, 'latin1')`, present since Node 0.x. */
const latin1Write = (Buffer.prototype as Partial<{ latin1Write(text: string, offset: number, length: number): number }>).latin1Write;
