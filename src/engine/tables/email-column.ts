/**
 * The emails of a profiles CSV, numbered 0, 1, 2, ... in reading order, each held once, with the one
 * question the reader asks of each new one: is it a repeat, and of which. Held as text in a byte
 * arena (one byte a character when every code unit is below 256, as in nearly every email; else two),
 * so a million emails are no million strings for the garbage collector to copy.
 *
 * A file written by compute lists its emails in ascending order: then a repeat can only be the email
 * just before, and no hash table is needed (building one was a third of reading a 1M-row file, each
 * insert a cache miss). A few ascending runs one after another (files joined, rows added at the end,
 * or numbers sorted by value, `c9` before `c10`) need none either: each earlier run keeps a cursor at
 * the first of its emails not below the last one numbered, which only moves forward while the
 * current run ascends, so a new email is looked for in an earlier run with a comparison or two.
 * Past `MAX_RUNS` runs (a file in no order), or at a repeat found in an earlier run, a KeyIndex is
 * built over the emails so far, which from then on holds them all: the same numbers either way.
 */
import type { JsonBytes } from './json-bytes.js';
import { KeyIndex } from './key-index.js';

const INITIAL_EMAILS = 1 << 10;
const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;
/**
 * Ascending runs kept before a hash table is built: each earlier run costs every new email a
 * comparison, and three of those are about what a hash table's insert costs (a cache miss).
 */
const MAX_RUNS = 4;

export class EmailColumn {
  #size = 0;
  #arena = Buffer.alloc(1 << 16);
  /** The arena as a DataView: texts compared and copied four bytes at a time (twice as fast as one). */
  #view = viewOf(this.#arena);
  #arenaUsed = 0;
  /** The bytes `addAsciiLowerCased` was last given, and their view (a reader gives the same chunk for many emails). */
  #source: Uint8Array | undefined;
  #sourceView: DataView | undefined;
  /** Where a lower-cased email is made for the KeyIndex, and its view. */
  #scratch = Buffer.alloc(256);
  #scratchView = viewOf(this.#scratch);
  /** `#spans[2n]`: where email n starts in the arena; `#spans[2n + 1]`: twice its length in bytes, plus 1 when it is UTF-16. */
  #spans = new Float64Array(2 * INITIAL_EMAILS);
  /** Where each ascending run of emails starts, by number; the last is the current run. */
  #runStarts: number[] = [];
  /** Per run before the current one: the first of its emails not below the last email numbered. */
  #cursors: number[] = [];
  /** Every email by number, once they came in no order a few runs can hold. */
  #index: KeyIndex | undefined;

  get size(): number {
    return this.#index?.size ?? this.#size;
  }

  /** The email's number, numbering it next (`size` before the call) when it has none. */
  add(email: string): number {
    if (this.#index !== undefined) return this.#index.add(email);
    // Written where it would go, then looked for: a new email (nearly every one) is kept as it lies.
    const wide = BEYOND_LATIN1.test(email);
    const length = email.length;
    const bytes = wide ? 2 * length : length;
    this.#reserveMany(bytes, 1);
    const arena = this.#arena;
    const at = this.#arenaUsed;
    if (!wide) {
      // One call, not a store per character (as key-index.ts does).
      arena.write(email, at, length, 'latin1');
    } else {
      for (let i = 0; i < length; i++) {
        const unit = email.charCodeAt(i);
        arena[at + 2 * i] = unit & 0xff;
        arena[at + 2 * i + 1] = unit >>> 8;
      }
    }
    const number = this.#addWritten(2 * bytes + (wide ? 1 : 0));
    return number >= 0 ? number : this.#index!.add(email);
  }

  /**
   * `add` of the lower-cased text (`toLowerCase()`) of ASCII bytes `bytes[start, end)`, every one
   * below 0x80: the CSV reader's key for a plain ASCII email cell. Lower-cased as it is copied in,
   * four bytes at a time, instead of in a pass of the reader's own to find capitals.
   */
  addAsciiLowerCased(bytes: Uint8Array, start: number, end: number): number {
    if (bytes !== this.#source) {
      this.#source = bytes;
      this.#sourceView = viewOf(bytes);
    }
    const length = end - start;
    if (this.#index === undefined) {
      this.#reserveMany(length, 1);
      copyLowerCased(this.#sourceView!, start, length, this.#view, this.#arenaUsed);
      const number = this.#addWritten(2 * length);
      if (number >= 0) return number;
    }
    // A KeyIndex holds the emails: it is given the lower-cased bytes from a scratch buffer.
    if (this.#scratch.length < length) {
      this.#scratch = Buffer.alloc(2 * length);
      this.#scratchView = viewOf(this.#scratch);
    }
    copyLowerCased(this.#sourceView!, start, length, this.#scratchView, 0);
    return this.#index!.addLatin1(this.#scratch, 0, length);
  }

  /**
   * The number of the email just written at the arena's free end (laid out as `span` says),
   * numbering it next when it is new (and keeping it where it was written); -1 when the emails have
   * just gone into a KeyIndex, which is then to be asked.
   */
  #addWritten(span: number): number {
    const at = this.#arenaUsed;
    const size = this.#size;
    if (size === 0) {
      this.#runStarts.push(0);
      return this.#placed(at, span);
    }
    const order = this.#compare(at, span, this.#spans[2 * size - 2]!, this.#spans[2 * size - 1]!);
    if (order === 0) return size - 1;
    const runs = this.#runStarts.length;
    if (order > 0) {
      // The current run goes on: each earlier run's cursor moves to the first of its emails not
      // below this one, which is this one or tells it is new there.
      for (let run = 0; run < runs - 1; run++) {
        const end = this.#runStarts[run + 1]!;
        let cursor = this.#cursors[run]!;
        let found = 1;
        while (cursor < end && (found = this.#compare(this.#spans[2 * cursor]!, this.#spans[2 * cursor + 1]!, at, span)) < 0) cursor++;
        if (cursor < end && found === 0) {
          // A repeat of an earlier run's email: the cursors have moved past emails a later, smaller
          // one may repeat, so the hash table answers from here on.
          this.#index = this.#indexSoFar();
          return -1;
        }
        this.#cursors[run] = cursor;
      }
      return this.#placed(at, span);
    }
    // Below the last one: a repeat, or the first of a new run. Every run is bisected (no cursor moves).
    const bounds: number[] = [];
    for (let run = 0; run < runs; run++) {
      const end = run + 1 < runs ? this.#runStarts[run + 1]! : size;
      const bound = this.#lowerBound(this.#runStarts[run]!, end, at, span);
      if (bound < end && this.#compare(this.#spans[2 * bound]!, this.#spans[2 * bound + 1]!, at, span) === 0) return bound;
      bounds.push(bound);
    }
    if (runs === MAX_RUNS) {
      this.#index = this.#indexSoFar();
      return -1;
    }
    this.#cursors = bounds;
    this.#runStarts.push(size);
    return this.#placed(at, span);
  }

  /** `compareStored` of two texts in the arena, four bytes at a time where both are one byte a unit. */
  #compare(aStart: number, aSpan: number, bStart: number, bSpan: number): number {
    // `& 1`, not `% 2`: the spans are doubles, and `%` on doubles is a call to fmod.
    if (((aSpan | bSpan) & 1) === 1) return compareStored(this.#arena, aStart, aSpan, this.#arena, bStart, bSpan);
    const aLength = aSpan / 2;
    const bLength = bSpan / 2;
    const common = Math.min(aLength, bLength);
    const view = this.#view;
    let i = 0;
    // Big-endian words order as their bytes do.
    while (i + 4 <= common && view.getUint32(aStart + i) === view.getUint32(bStart + i)) i += 4;
    for (; i < common; i++) {
      const x = view.getUint8(aStart + i);
      const y = view.getUint8(bStart + i);
      if (x !== y) return x < y ? -1 : 1;
    }
    return aLength === bLength ? 0 : aLength < bLength ? -1 : 1;
  }

  /** The first email number in `[from, to)` (an ascending run) whose email is not below the text at `at`. */
  #lowerBound(from: number, to: number, at: number, span: number): number {
    while (from < to) {
      const middle = (from + to) >>> 1;
      if (this.#compare(this.#spans[2 * middle]!, this.#spans[2 * middle + 1]!, at, span) < 0) from = middle + 1;
      else to = middle;
    }
    return from;
  }

  /** Email number `number` (a new string each time). */
  at(number: number): string {
    if (this.#index !== undefined) return this.#index.keyAt(number);
    const start = this.#spans[2 * number]!;
    const span = this.#spans[2 * number + 1]!;
    return this.#arena.toString((span & 1) === 1 ? 'utf16le' : 'latin1', start, start + Math.floor(span / 2));
  }

  /** Appends `JSON.stringify(at(number))` to `out`: straight from the arena for a plain ASCII email. */
  writeJson(number: number, out: JsonBytes): void {
    if (this.#index === undefined) {
      const start = this.#spans[2 * number]!;
      const span = this.#spans[2 * number + 1]!;
      if ((span & 1) === 0 && out.quotedAscii(this.#arena, start, start + span / 2)) return;
    }
    out.text(JSON.stringify(this.at(number)));
  }

  #indexSoFar(): KeyIndex {
    const index = new KeyIndex();
    for (let number = 0; number < this.#size; number++) index.add(this.at(number));
    this.#arena = Buffer.alloc(0);
    this.#view = viewOf(this.#arena);
    this.#spans = new Float64Array(0);
    this.#runStarts = [];
    this.#cursors = [];
    return index;
  }

  /** Room for `bytes` more in the arena and for `count` more spans. */
  #reserveMany(bytes: number, count: number): void {
    if (this.#arenaUsed + bytes > this.#arena.length) {
      const grown = Buffer.alloc(Math.max(2 * this.#arena.length, this.#arenaUsed + bytes));
      this.#arena.copy(grown, 0, 0, this.#arenaUsed);
      this.#arena = grown;
      this.#view = viewOf(grown);
    }
    if (2 * (this.#size + count) > this.#spans.length) {
      const spans = new Float64Array(Math.max(2 * this.#spans.length, 2 * (this.#size + count)));
      spans.set(this.#spans);
      this.#spans = spans;
    }
  }

  /** Numbers the text just written at `at` (laid out as `span` says) as the next email. */
  #placed(at: number, span: number): number {
    const number = this.#size;
    this.#arenaUsed += Math.floor(span / 2);
    this.#spans[2 * number] = at;
    this.#spans[2 * number + 1] = span;
    this.#size = number + 1;
    return number;
  }
}

/**
 * How the text stored at `aStart` of `a` sorts against the one at `bStart` of `b` (as `<` on their
 * strings): -1, 0 or 1. Each is laid out as a span says (see `#spans`): one byte a unit, or two.
 */
function compareStored(a: Uint8Array, aStart: number, aSpan: number, b: Uint8Array, bStart: number, bSpan: number): number {
  const aWide = (aSpan & 1) === 1;
  const bWide = (bSpan & 1) === 1;
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

/**
 * Copies `length` ASCII bytes from `start` of `from` to `at` of `to`, A to Z lower-cased, four at a
 * time: a byte is a capital when adding 0x3f sets its top bit (it is 0x41 or more) and adding 0x25
 * does not (it is below 0x5b); that bit, moved to 0x20, lower-cases it. Below 0x80 neither sum
 * carries into the next byte.
 */
function copyLowerCased(from: DataView, start: number, length: number, to: DataView, at: number): void {
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const word = from.getUint32(start + i);
    to.setUint32(at + i, word | (((word + 0x3f3f3f3f) & ~(word + 0x25252525) & 0x80808080) >>> 2));
  }
  for (; i < length; i++) {
    const byte = from.getUint8(start + i);
    to.setUint8(at + i, byte >= CAPITAL_A && byte <= CAPITAL_Z ? byte | 0x20 : byte);
  }
}

const CAPITAL_A = 0x41;
const CAPITAL_Z = 0x5a;

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

