/**
 * Orders as columns of numbers: who, when, how much. Millions of orders must cost a few bytes each
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
}

/** An order log's storage, in order: plain objects and typed arrays, which another thread can be sent. */
export interface OrderBlocks {
  readonly length: number;
  readonly blocks: readonly OrderBlock[];
}

export class OrderLog {
  readonly #blocks: Mutable<OrderBlock>[] = [];
  #length = 0;

  /** The log another one handed over (`handOver`), as it was: its blocks are taken, not copied. */
  static from(content: OrderBlocks): OrderLog {
    const log = new OrderLog();
    for (const { length, profiles, times, values } of content.blocks) log.#blocks.push({ length, profiles, times, values });
    log.#length = content.length;
    return log;
  }

  get length(): number {
    return this.#length;
  }

  append(profile: number, placedAt: number, value: number): void {
    let block = this.#blocks.at(-1);
    if (block === undefined || block.length === block.profiles.length) {
      block = { length: 0, profiles: new Uint32Array(BLOCK_SIZE), times: new Float64Array(BLOCK_SIZE), values: new Float64Array(BLOCK_SIZE) };
      this.#blocks.push(block);
    }
    block.profiles[block.length] = profile;
    block.times[block.length] = placedAt;
    block.values[block.length] = value;
    block.length++;
    this.#length++;
  }

  /**
   * Takes in another log's blocks as they are, after this log's orders, its profile numbers renumbered
   * in place (profile p there is `numbers[p]` here): what appending its orders one by one would give,
   * without copying them. The blocks must not be used elsewhere afterwards.
   */
  adopt(other: OrderBlocks, numbers: Uint32Array): void {
    for (const { length, profiles, times, values } of other.blocks) {
      for (let i = 0; i < length; i++) profiles[i] = numbers[profiles[i]!]!;
      this.#blocks.push({ length, profiles, times, values });
      this.#length += length;
    }
  }

  /**
   * The blocks themselves, for handing the log to another thread without a copy (transfer their
   * buffers); this log must not be used afterwards.
   */
  handOver(): OrderBlocks {
    return { length: this.#length, blocks: this.#blocks.map(({ length, profiles, times, values }) => ({ length, profiles, times, values })) };
  }

  /**
   * Times and values grouped by profile (counting sort, linear time, one sequential pass): the orders
   * of profile p are at `[starts[g], starts[g + 1])` of both arrays, in input order, where g is p's
   * group: `groupOf[p]` (a permutation of the profile numbers), or p itself without it. A reader going
   * through the profiles in another order than their numbers (key order) then reads the arrays in turn
   * rather than all over them.
   */
  groupByProfile(profileCount: number, groupOf?: Uint32Array): { readonly times: Float64Array; readonly values: Float64Array; readonly starts: Uint32Array } {
    const group = groupOf ?? identity(profileCount);
    const starts = new Uint32Array(profileCount + 1);
    for (const { length, profiles } of this.#blocks) for (let i = 0; i < length; i++) starts[group[profiles[i]!]! + 1]!++;
    for (let p = 0; p < profileCount; p++) starts[p + 1]! += starts[p]!;
    const cursor = starts.slice(0, profileCount);
    const times = new Float64Array(this.#length);
    const values = new Float64Array(this.#length);
    for (const block of this.#blocks) {
      for (let i = 0; i < block.length; i++) {
        const at = cursor[group[block.profiles[i]!]!]!++;
        times[at] = block.times[i]!;
        values[at] = block.values[i]!;
      }
    }
    return { times, values, starts };
  }
}

function identity(count: number): Uint32Array {
  const numbers = new Uint32Array(count);
  for (let n = 0; n < count; n++) numbers[n] = n;
  return numbers;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
