/**
 * The numbers of a key index's keys in code-unit order of the keys: the order `Array.prototype.sort`
 * gives their strings, computed over the index's own arrays.
 *
 * Why not sort the strings: at 1.25M keys, making a string per key, sorting them and then looking
 * each one up again to find its number cost about two seconds, most of it in cache misses. Here the
 * next few code units of each key are packed, together with the key's place in its group, into one
 * 64-bit word; a BigUint64Array sorts those natively (no call per comparison), and keys whose packed
 * units tie are sorted again from the units that follow. Small groups are sorted by comparing the
 * keys' remaining units directly.
 */

/** A key index's text as key-index.ts lays it out. */
export interface KeyTexts {
  readonly count: number;
  /** The keys' text: Latin-1 bytes, or UTF-16LE for a key marked wide. */
  readonly arena: Uint8Array;
  /** Key n starts at `spans[2n]`; `spans[2n + 1]` is twice its length in bytes, plus 1 when it is wide. */
  readonly spans: Float64Array;
}

/** Below this many keys a group is sorted by comparing keys, not by packing words. */
const COMPARE_SORT_LIMIT = 24;

/** Key numbers 0 to `count - 1`, ordered by their keys' code units (a key before every longer key it starts). */
export function keyOrder(texts: KeyTexts): Uint32Array {
  const { count } = texts;
  const numbers = new Uint32Array(count);
  for (let n = 0; n < count; n++) numbers[n] = n;
  if (count < 2) return numbers;
  new KeySorter(texts).sort(numbers, 0, count, commonPrefixLength(texts));
  return numbers;
}

class KeySorter {
  readonly #arena: Uint8Array;
  readonly #spans: Float64Array;
  /** Bits a packed unit takes: 8 when every key is one byte a unit, else 16. */
  readonly #unitBits: number;
  /** `#words[i]` as two 32-bit halves, low half first (little-endian, as every platform Node runs on). */
  readonly #words: BigUint64Array;
  readonly #halves: Uint32Array;
  readonly #scratch: Uint32Array;

  constructor({ count, arena, spans }: KeyTexts) {
    this.#arena = arena;
    this.#spans = spans;
    let wide = false;
    for (let n = 0; n < count && !wide; n++) wide = (spans[2 * n + 1]! & 1) === 1;
    this.#unitBits = wide ? 16 : 8;
    this.#words = new BigUint64Array(count);
    this.#halves = new Uint32Array(this.#words.buffer);
    this.#scratch = new Uint32Array(count);
  }

  /** Sorts `numbers[lo, hi)`, whose keys all have the same first `depth` units. */
  sort(numbers: Uint32Array, lo: number, hi: number, depth: number): void {
    const size = hi - lo;
    if (size < COMPARE_SORT_LIMIT) {
      this.#insertionSort(numbers, lo, hi, depth);
      return;
    }
    // Each word: the units from `depth` on (0 past a key's end), then the key's place in the group,
    // so that the words are distinct and tell where each key came from.
    // A key index holds fewer than 2^31 keys, so a place takes at most 31 bits.
    const placeBits = 32 - Math.clz32(size - 1);
    const units = Math.floor((64 - placeBits) / this.#unitBits);
    const halves = this.#halves;
    for (let k = 0; k < size; k++) {
      const number = numbers[lo + k]!;
      let high = 0;
      let low = 0;
      if (this.#unitBits === 8) {
        // Every key one byte a unit, as nearly always: the bytes themselves, 0 past the key's end.
        const start = this.#spans[2 * number]! + depth;
        const end = this.#spans[2 * number]! + this.#spans[2 * number + 1]! / 2;
        for (let at = start; at < start + units; at++) {
          high = ((high << 8) | (low >>> 24)) >>> 0;
          low = ((low << 8) | (at < end ? this.#arena[at]! : 0)) >>> 0;
        }
      } else {
        for (let u = 0; u < units; u++) {
          const unit = this.#unitAt(number, depth + u);
          high = ((high << 16) | (low >>> 16)) >>> 0;
          low = ((low << 16) | (unit < 0 ? 0 : unit)) >>> 0;
        }
      }
      high = ((high << placeBits) | (low >>> (32 - placeBits))) >>> 0;
      low = ((low << placeBits) | k) >>> 0;
      halves[2 * (lo + k)] = low;
      halves[2 * (lo + k) + 1] = high;
    }
    this.#words.subarray(lo, hi).sort();
    const placeMask = 2 ** placeBits - 1;
    const scratch = this.#scratch;
    for (let k = 0; k < size; k++) scratch[lo + k] = numbers[lo + (halves[2 * (lo + k)]! & placeMask)]!;
    numbers.set(scratch.subarray(lo, hi), lo);
    // Keys whose packed units tie are in runs: each run is sorted from the units after these.
    const next = depth + units;
    let start = lo;
    for (let k = lo + 1; k <= hi; k++) {
      const tied = k < hi && halves[2 * k + 1] === halves[2 * start + 1] && halves[2 * k]! - (halves[2 * k]! & placeMask) === halves[2 * start]! - (halves[2 * start]! & placeMask);
      if (tied) continue;
      if (k - start > 1) {
        // Keys that all end before `next` (they differ only in trailing U+0000 units) would tie again forever.
        if (this.#someLongerThan(numbers, start, k, next)) this.sort(numbers, start, k, next);
        else this.#insertionSort(numbers, start, k, depth);
      }
      start = k;
    }
  }

  #unitAt(number: number, index: number): number {
    return unitAt(this.#arena, this.#spans, number, index);
  }

  #someLongerThan(numbers: Uint32Array, lo: number, hi: number, units: number): boolean {
    for (let k = lo; k < hi; k++) if (lengthOf(this.#spans, numbers[k]!) > units) return true;
    return false;
  }

  #insertionSort(numbers: Uint32Array, lo: number, hi: number, depth: number): void {
    for (let k = lo + 1; k < hi; k++) {
      const number = numbers[k]!;
      let j = k - 1;
      while (j >= lo && this.#compareFrom(numbers[j]!, number, depth) > 0) {
        numbers[j + 1] = numbers[j]!;
        j--;
      }
      numbers[j + 1] = number;
    }
  }

  /** Keys a and b compared by code units from `depth` on. */
  #compareFrom(a: number, b: number, depth: number): number {
    const lengthA = lengthOf(this.#spans, a);
    const lengthB = lengthOf(this.#spans, b);
    const shorter = Math.min(lengthA, lengthB);
    for (let i = depth; i < shorter; i++) {
      const difference = this.#unitAt(a, i) - this.#unitAt(b, i);
      if (difference !== 0) return difference;
    }
    return lengthA - lengthB;
  }
}

/** Key `number`'s length in code units. */
function lengthOf(spans: Float64Array, number: number): number {
  const span = spans[2 * number + 1]!;
  return (span & 1) === 1 ? (span - 1) / 4 : span / 2;
}

/** How many code units every key starts with alike: one pass in arena order, which skips them all at once. */
function commonPrefixLength({ count, arena, spans }: KeyTexts): number {
  let common = lengthOf(spans, 0);
  const first = spans[0]!;
  const firstWide = (spans[1]! & 1) === 1;
  for (let n = 1; n < count && common > 0; n++) {
    const shorter = Math.min(common, lengthOf(spans, n));
    const start = spans[2 * n]!;
    let i = 0;
    if (!firstWide && (spans[2 * n + 1]! & 1) === 0) {
      // Both one byte a unit, as nearly every key: compare bytes.
      while (i < shorter && arena[first + i] === arena[start + i]) i++;
    } else {
      while (i < shorter && unitAt(arena, spans, 0, i) === unitAt(arena, spans, n, i)) i++;
    }
    common = i;
  }
  return common;
}

/** Code unit `index` of key `number`, or -1 past its end. */
function unitAt(arena: Uint8Array, spans: Float64Array, number: number, index: number): number {
  const start = spans[2 * number]!;
  const span = spans[2 * number + 1]!;
  if ((span & 1) === 1) return 4 * index + 1 < span ? arena[start + 2 * index]! | (arena[start + 2 * index + 1]! << 8) : -1;
  return 2 * index < span ? arena[start + index]! : -1;
}
