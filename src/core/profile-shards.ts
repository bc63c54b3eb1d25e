/**
 * The profiles split into shards by their key's hash, so that the work after reading (merging the
 * parts, sorting the keys, grouping the orders, running the reducers, writing the lines) can run on
 * as many threads as there are shards. Every order of a profile lands in the same shard, whichever
 * thread read it, so each shard is complete on its own; its profiles come out sorted, and the
 * shards' sorted profiles are merged by key into the one order a single accumulator gives.
 *
 * Why by hash and not by ranges of keys: ranges would need to know the keys before the first order
 * is read, and a merchant's emails can all start alike; a hash spreads any keys evenly.
 */
import type { Definitions } from './definitions.js';
import { keyHash } from './key-index.js';
import type { Order } from './order.js';
import { compareCodeUnits, ProfileAccumulator, profileKey, type AccumulatedPart, type ProfileRow, type ProfileRowSource } from './profiles.js';

/**
 * The first shard's share of the keys, against an even share: it is the one the main thread
 * computes, and that thread also merges every shard's lines, so it is given a little less.
 */
export const FIRST_SHARD_WEIGHT = 0.9;

/**
 * The shard of a key with hash `hash`, of `shards`: from the hash as a point in [0, 1) (its high
 * bits decide; the key index's slots use its low ones), the first shard taking FIRST_SHARD_WEIGHT
 * of an even share and the others the rest evenly.
 */
export function shardOf(hash: number, shards: number): number {
  if (shards <= 1) return 0;
  const point = (hash >>> 0) / 2 ** 32;
  const first = FIRST_SHARD_WEIGHT / shards;
  if (point < first) return 0;
  return Math.min(shards - 1, 1 + Math.floor(((point - first) * (shards - 1)) / (1 - first)));
}

export class ProfileShards {
  readonly definitions: Definitions;
  readonly asOf: number;
  readonly #shards: ProfileAccumulator[];
  /**
   * Per shard, what other threads read into it (`absorb`), taken in only when the shard is merged:
   * on the thread that computes the shard, which need not be this one.
   */
  readonly #pieces: AccumulatedPart[][];

  constructor(definitions: Definitions, asOf: number, shards: number) {
    if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a positive integer, not ${shards}`);
    this.definitions = definitions;
    this.asOf = asOf;
    this.#shards = Array.from({ length: shards }, () => new ProfileAccumulator(definitions, asOf));
    this.#pieces = this.#shards.map(() => []);
  }

  get count(): number {
    return this.#shards.length;
  }

  /**
   * Adds an order to its profile's shard; returns false (and ignores it) when it was placed after `asOf`.
   * `key` is `profileKey(order)` and `hash` its `keyHash`, for a caller that has them already.
   */
  add(order: Order, key = profileKey(order), hash = keyHash(key)): boolean {
    return this.#shards[this.#shards.length === 1 ? 0 : shardOf(hash, this.#shards.length)]!.add(order, key, hash);
  }

  /** `ProfileAccumulator.addSizes` in the profile's shard. */
  addSizes(key: string, hash: number, placedAt: number, sizes: readonly string[]): boolean {
    return this.#shards[this.#shards.length === 1 ? 0 : shardOf(hash, this.#shards.length)]!.addSizes(key, hash, placedAt, sizes);
  }

  /** Each shard's content, for another thread's `absorb` (transfer the buffers); these shards must not be used afterwards. */
  handOver(): AccumulatedPart[] {
    return this.#shards.map((shard) => shard.handOver());
  }

  /**
   * Takes in the shards another thread read from the input that follows this one's (its `handOver`,
   * same shard count). They are kept as they are until their shard is merged.
   */
  absorb(pieces: readonly AccumulatedPart[]): void {
    if (pieces.length !== this.#shards.length) throw new RangeError(`expected ${this.#shards.length} shards, got ${pieces.length}`);
    pieces.forEach((piece, shard) => this.#pieces[shard]!.push(piece));
  }

  /** Profiles in shard `shard` and the pieces it holds, counting a key once per piece it is in: an upper bound. */
  profilesAtMost(shard: number): number {
    return this.#pieces[shard]!.reduce((sum, piece) => sum + piece.keys.size, this.#shards[shard]!.profileCount);
  }

  /** Shard `shard` with every piece taken in: what one accumulator reading all its orders would hold. */
  merged(shard: number): ProfileAccumulator {
    const accumulator = this.#shards[shard]!;
    for (const piece of this.#pieces[shard]!.splice(0)) accumulator.absorb(piece);
    return accumulator;
  }

  /**
   * Shard `shard` and its pieces as they are, for another thread to merge (`mergeShard`): transfer
   * the buffers; the shard must not be used here afterwards.
   */
  handOverShard(shard: number): AccumulatedPart[] {
    return [this.#shards[shard]!.handOver(), ...this.#pieces[shard]!.splice(0)];
  }

  /** How many profiles there are, counted once each: every shard is merged for it. */
  profileCount(): number {
    return this.#shards.reduce((sum, _, shard) => sum + this.merged(shard).profileCount, 0);
  }

  /** All rows at once, sorted by key as one accumulator's `rows()` are (push and diff need them together). */
  toRows(withEmpty = false): ProfileRow[] {
    return [...this.rows(withEmpty)];
  }

  /**
   * The rows of every shard merged into key order (code-unit order of the key, phone for a phone-only
   * profile); `withEmpty` also gives profiles whose orders set nothing (see ProfileAccumulator.rows).
   */
  rows(withEmpty = false): ProfileRowSource {
    const sources = this.#shards.map((_, shard) => this.merged(shard).rows(withEmpty));
    return {
      withPhone: sources.some((source) => source.withPhone),
      definitions: this.definitions,
      [Symbol.iterator]: () => mergeRows(sources.map((source) => source[Symbol.iterator]())),
    };
  }
}

/** What one thread makes of a shard handed over (`handOverShard`): one accumulator, every piece taken in. */
export function mergeShard(definitions: Definitions, asOf: number, pieces: readonly AccumulatedPart[]): ProfileAccumulator {
  const [first, ...rest] = pieces;
  if (first === undefined) return new ProfileAccumulator(definitions, asOf);
  const accumulator = ProfileAccumulator.from(definitions, asOf, first);
  for (const piece of rest) accumulator.absorb(piece);
  return accumulator;
}

/** Sorted rows from each shard merged into one sorted run; no key is in two shards. */
function* mergeRows(shards: Iterator<ProfileRow>[]): Generator<ProfileRow> {
  const heads = shards.map((shard) => shard.next());
  for (;;) {
    let least = -1;
    for (let s = 0; s < heads.length; s++) {
      const head = heads[s]!;
      if (head.done === true) continue;
      if (least < 0 || compareCodeUnits(sortKey(head.value), sortKey((heads[least] as IteratorYieldResult<ProfileRow>).value)) < 0) least = s;
    }
    if (least < 0) return;
    yield (heads[least] as IteratorYieldResult<ProfileRow>).value;
    heads[least] = shards[least]!.next();
  }
}

function sortKey(row: ProfileRow): string {
  return row.email !== '' ? row.email : (row.phone ?? '');
}
