/**
 * The profiles CSV from the shards of a run (core/profile-shards.ts): each shard merged, sorted,
 * reduced and written as lines on a thread of its own (this one takes the first), and the shards'
 * lines merged by key into the file one sorted run gives, byte for byte. Below a size where threads
 * save nothing, every shard is computed here, in the same steps.
 */
import { portable } from '../../domain/computation.js';
import type { ProfileShards } from '../profiles/profile-shards.js';
import type { ProfileValuesSource } from '../profiles/profile-accumulator.js';
import { mergeKeyedLines } from './keyed-lines.js';
import { profileCsvLines, profilesCsvHeader, type CsvLines } from '../../io/profiles-csv.js';
import { ShardThreads, type ShardThread } from './shard-threads.js';

/** Below this many profiles (counted before the merge: an upper bound) the shards are computed on this thread. */
export const SHARD_THREADS_MIN_PROFILES = 100_000;

export interface ShardedCsv {
  readonly withPhone: boolean;
  /** Profiles in all, with or without properties to write. */
  readonly profileCount: number;
  /** The CSV: the header line first, then chunks of whole lines. */
  readonly chunks: AsyncIterator<string | Buffer>;
  /** Lines written so far: once `chunks` is done, the profiles that had a property to set. */
  readonly lines: number;
  /** Stops the threads (a run that fails before the CSV is read to its end). */
  stop(): Promise<void>;
}

export async function shardedProfilesCsv(
  shards: ProfileShards,
  { minProfiles = SHARD_THREADS_MIN_PROFILES, threads: pool = new ShardThreads(shards.count - 1) }: { readonly minProfiles?: number; readonly threads?: ShardThreads } = {},
): Promise<ShardedCsv> {
  const { computation } = shards;
  let upperBound = 0;
  for (let shard = 0; shard < shards.count; shard++) upperBound += shards.profilesAtMost(shard);
  const threads = new Map<number, ShardThread>();
  // A computation with reducers of its own (a test's) runs here only: another thread knows the registry's.
  if (shards.count > 1 && upperBound >= minProfiles && computation.schema.portable) {
    for (let shard = 1; shard < shards.count; shard++) {
      const idle = pool.take();
      if (idle === undefined) break;
      threads.set(shard, idle(() => ({ computation: portable(computation), pieces: shards.handOverShard(shard) })));
    }
  }
  const stop = async () => {
    await Promise.all([...threads.values()].map((thread) => thread.stop()));
  };
  try {
    // This thread's shards are computed while the others compute theirs.
    const onThisThread = new Map<number, ProfileValuesSource>();
    let profileCount = 0;
    for (let shard = 0; shard < shards.count; shard++) {
      if (threads.has(shard)) continue;
      const accumulator = shards.merged(shard);
      onThisThread.set(shard, accumulator.values());
      profileCount += accumulator.profileCount;
    }
    const prepared = await Promise.all([...threads.values()].map((thread) => thread.prepared));
    const withPhone = [...onThisThread.values()].some((source) => source.withPhone) || prepared.some((shard) => shard.withPhone);
    profileCount += prepared.reduce((sum, shard) => sum + shard.profileCount, 0);
    const keyed = shards.count > 1;
    let lines = 0;
    const counted = (stream: Iterator<CsvLines> | AsyncIterator<CsvLines>): AsyncIterator<CsvLines> => ({
      async next() {
        const next = await stream.next();
        if (next.done !== true) lines += next.value.count;
        return next;
      },
    });
    const streams = Array.from({ length: shards.count }, (_, shard) =>
      counted(threads.get(shard)?.lines(withPhone) ?? profileCsvLines(onThisThread.get(shard)!, withPhone, { keyed })),
    );
    async function* csv(): AsyncGenerator<string | Buffer> {
      yield profilesCsvHeader(computation.schema, withPhone);
      if (keyed) yield* mergeKeyedLines(streams);
      else for (let next = await streams[0]!.next(); next.done !== true; next = await streams[0]!.next()) yield next.value.bytes;
    }
    return {
      withPhone,
      profileCount,
      chunks: csv(),
      get lines() {
        return lines;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
