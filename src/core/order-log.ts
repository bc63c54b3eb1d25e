/**
 * Orders as columns of numbers: who, when, how much. Millions of orders must cost a few bytes each
 * (issue: memory grows with orders, never with the export's text), and numbers in typed arrays cost
 * 8 bytes and nothing for the garbage collector to trace, where an object per order costs ~60 bytes
 * and slows every collection down. Storage grows in fixed blocks, so it never copies what it holds.
 */

const BLOCK_BITS = 16;
const BLOCK_SIZE = 1 << BLOCK_BITS;
const BLOCK_MASK = BLOCK_SIZE - 1;

/** An order log's storage: orders `[k * BLOCK_SIZE, (k + 1) * BLOCK_SIZE)` are in block k. */
export interface OrderBlocks {
  readonly length: number;
  readonly profiles: readonly Uint32Array[];
  readonly times: readonly Float64Array[];
  readonly values: readonly Float64Array[];
}

export const ORDER_BLOCK_SIZE = BLOCK_SIZE;

export class OrderLog {
  readonly #profiles: Uint32Array[] = [];
  readonly #times: Float64Array[] = [];
  readonly #values: Float64Array[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  append(profile: number, placedAt: number, value: number): void {
    const offset = this.#length & BLOCK_MASK;
    if (offset === 0) {
      this.#profiles.push(new Uint32Array(BLOCK_SIZE));
      this.#times.push(new Float64Array(BLOCK_SIZE));
      this.#values.push(new Float64Array(BLOCK_SIZE));
    }
    const block = this.#length >>> BLOCK_BITS;
    this.#profiles[block]![offset] = profile;
    this.#times[block]![offset] = placedAt;
    this.#values[block]![offset] = value;
    this.#length++;
  }

  profileOf(index: number): number {
    return this.#profiles[index >>> BLOCK_BITS]![index & BLOCK_MASK]!;
  }

  timeOf(index: number): number {
    return this.#times[index >>> BLOCK_BITS]![index & BLOCK_MASK]!;
  }

  valueOf(index: number): number {
    return this.#values[index >>> BLOCK_BITS]![index & BLOCK_MASK]!;
  }

  /**
   * The blocks themselves, for handing the log to another thread without a copy (transfer their
   * buffers); this log must not be used afterwards.
   */
  handOver(): OrderBlocks {
    return { length: this.#length, profiles: this.#profiles, times: this.#times, values: this.#values };
  }

  /**
   * Times and values grouped by profile (counting sort, linear time, one sequential pass): the orders
   * of profile p are at `[starts[p], starts[p + 1])` of both arrays, in input order.
   */
  groupByProfile(profileCount: number): { readonly times: Float64Array; readonly values: Float64Array; readonly starts: Uint32Array } {
    const starts = new Uint32Array(profileCount + 1);
    for (let i = 0; i < this.#length; i++) starts[this.profileOf(i) + 1]!++;
    for (let p = 0; p < profileCount; p++) starts[p + 1]! += starts[p]!;
    const cursor = starts.slice(0, profileCount);
    const times = new Float64Array(this.#length);
    const values = new Float64Array(this.#length);
    for (let i = 0; i < this.#length; i++) {
      const at = cursor[this.profileOf(i)]!++;
      times[at] = this.timeOf(i);
      values[at] = this.valueOf(i);
    }
    return { times, values, starts };
  }
}
