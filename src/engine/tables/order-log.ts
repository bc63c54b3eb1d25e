/**
 * Orders as columns of numbers: who, when, how much, and which sizes. Millions of orders must cost a few bytes each
 * (issue: memory grows with orders, never with the export's text), and numbers in typed arrays cost
 * 8 bytes and nothing for the garbage collector to trace, where an object per order costs ~60 bytes
 * and slows every collection down. Storage grows in fixed blocks, so it never copies what it holds.
 */

const BLOCK_SIZE = 1 << 16;

/** Orders `[0, length)` of a block of columns; a block's arrays may hold room for more. */
export interface OrderBlock {
  readonly length: number;
  readonly profiles: Uint32Array;
  readonly times: Float64Array;
  readonly values: Float64Array;
  /** Order i's size bits are `sizes[i * sizeWords, (i + 1) * sizeWords)` (see reducers/reducer.ts, `hasSize`). */
  readonly sizes: Uint32Array;
}

/** An order log's storage, in order: plain objects and typed arrays, which another thread can be sent. */
export interface OrderBlocks {
  readonly length: number;
  /** 32-bit words of size bits per order: none without sizes, one for up to 32. */
  readonly sizeWords: number;
  /** How many of the entries are size marks (`appendSizeMark`). */
  readonly marks: number;
  readonly blocks: readonly OrderBlock[];
}

/** One profile's orders, `[starts[g], starts[g + 1])` of the arrays for group g (see `groupByProfile`). */
export interface GroupedOrders {
  readonly times: Float64Array;
  readonly values: Float64Array;
  readonly sizes: Uint32Array;
  readonly sizeWords: number;
  readonly starts: Uint32Array;
  /** How many entries are size marks, in any group. */
  readonly marks: number;
}

export class OrderLog {
  readonly #blocks: Mutable<OrderBlock>[] = [];
  readonly #sizeWords: number;
  #length = 0;
  #marks = 0;

  constructor(sizeWords: number) {
    this.#sizeWords = sizeWords;
  }

  /** The log another one handed over (`handOver`), as it was: its blocks are taken, not copied. */
  static from(content: OrderBlocks): OrderLog {
    const log = new OrderLog(content.sizeWords);
    for (const block of content.blocks) log.#blocks.push({ ...block });
    log.#length = content.length;
    log.#marks = content.marks;
    return log;
  }

  get length(): number {
    return this.#length;
  }

  /** Appends an order; `sizes` holds its size bits, `sizeWords` words of them. */
  append(profile: number, placedAt: number, value: number, sizes: Uint32Array): void {
    let block = this.#blocks.at(-1);
    if (block === undefined || block.length === block.profiles.length) {
      block = {
        length: 0,
        profiles: new Uint32Array(BLOCK_SIZE),
        times: new Float64Array(BLOCK_SIZE),
        values: new Float64Array(BLOCK_SIZE),
        sizes: new Uint32Array(BLOCK_SIZE * this.#sizeWords),
      };
      this.#blocks.push(block);
    }
    const at = block.length;
    block.profiles[at] = profile;
    block.times[at] = placedAt;
    block.values[at] = value;
    const words = this.#sizeWords;
    if (words === 1) block.sizes[at] = sizes[0]!;
    else for (let w = 0; w < words; w++) block.sizes[at * words + w] = sizes[w]!;
    block.length++;
    this.#length++;
  }

  /**
   * Appends a size mark: sizes a profile's rows named at `placedAt` without being an order (rows of
   * an order read apart from it). Its value is NaN, which tells it from an order.
   */
  appendSizeMark(profile: number, placedAt: number, sizes: Uint32Array): void {
    this.append(profile, placedAt, NaN, sizes);
    this.#marks++;
  }

  /**
   * Takes in another log's blocks as they are, after this log's orders, its profile numbers renumbered
   * in place (profile p there is `numbers[p]` here): what appending its orders one by one would give,
   * without copying them. The blocks must not be used elsewhere afterwards.
   */
  adopt(other: OrderBlocks, numbers: Uint32Array): void {
    for (const block of other.blocks) {
      const profiles = block.profiles;
      for (let i = 0; i < block.length; i++) profiles[i] = numbers[profiles[i]!]!;
      this.#blocks.push({ ...block });
      this.#length += block.length;
    }
    this.#marks += other.marks;
  }

  /**
   * The blocks themselves, for handing the log to another thread without a copy (transfer their
   * buffers); this log must not be used afterwards.
   */
  handOver(): OrderBlocks {
    return { length: this.#length, sizeWords: this.#sizeWords, marks: this.#marks, blocks: this.#blocks.map((block) => ({ ...block })) };
  }

  /**
   * Times, values and sizes grouped by profile (counting sort, linear time, one sequential pass): the orders
   * of profile p are at `[starts[g], starts[g + 1])` of the arrays, in input order, where g is p's
   * group: `groupOf[p]` (a permutation of the profile numbers), or p itself without it. A reader going
   * through the profiles in another order than their numbers (key order) then reads the arrays in turn
   * rather than all over them.
   */
  groupByProfile(profileCount: number, groupOf?: Uint32Array): GroupedOrders {
    const group = groupOf ?? identity(profileCount);
    const starts = new Uint32Array(profileCount + 1);
    for (const { length, profiles } of this.#blocks) for (let i = 0; i < length; i++) starts[group[profiles[i]!]! + 1]!++;
    for (let p = 0; p < profileCount; p++) starts[p + 1]! += starts[p]!;
    const cursor = starts.slice(0, profileCount);
    const times = new Float64Array(this.#length);
    const values = new Float64Array(this.#length);
    const words = this.#sizeWords;
    const sizes = new Uint32Array(this.#length * words);
    for (const block of this.#blocks) {
      const { profiles, times: blockTimes, values: blockValues, sizes: blockSizes } = block;
      for (let i = 0; i < block.length; i++) {
        const at = cursor[group[profiles[i]!]!]!++;
        times[at] = blockTimes[i]!;
        values[at] = blockValues[i]!;
        // One word of sizes (up to 32, the usual case) without the inner loop.
        if (words === 1) sizes[at] = blockSizes[i]!;
        else for (let w = 0; w < words; w++) sizes[at * words + w] = blockSizes[i * words + w]!;
      }
    }
    return { times, values, sizes, sizeWords: words, starts, marks: this.#marks };
  }
}

function identity(count: number): Uint32Array {
  const numbers = new Uint32Array(count);
  for (let n = 0; n < count; n++) numbers[n] = n;
  return numbers;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
