/**
 * `backfill compute`: order exports in, profile-properties CSV out.
 */
import { availableParallelism } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { Definitions } from '../core/definitions.js';
import { propertyColumns } from '../core/definitions.js';
import type { ProfileRow } from '../core/profiles.js';
import type { ProfileShards } from '../core/profile-shards.js';
import { shardedProfilesCsv } from '../computing/sharded-csv.js';
import { ShardThreads } from '../computing/shard-threads.js';
import { OrderCollector, type OrderCounts } from '../reading/order-collector.js';
import { laterPartThreads } from '../reading/part-threads.js';
import { BackfillError, formatLocation } from '../errors.js';
import type { RejectedRecord } from '../io/formats/format.js';
import { STDIN_PATH } from '../io/input-files.js';
import { stageProfilesCsv, writeProfilesTo } from '../io/profiles-csv.js';
import { writeError } from '../io/atomic-file.js';
import { RunLock } from '../io/run-lock.js';
import { removeStaleParts, staleParts } from '../io/stale-parts.js';
import { readOrders, type FileReport, type InputSettings, type ReadProgress } from '../io/read-orders.js';
import { RejectsFile } from '../io/rejects-file.js';
import type { OrderSource } from '../io/order-source.js';
import { assertDistinctFiles, type RunFile } from '../io/file-identity.js';
import { outputTarget } from '../io/output-target.js';

export interface ComputeOptions {
  readonly files: readonly string[];
  /** Orders from elsewhere than files (Klaviyo's events, see io/order-source.ts); `files` is then empty. */
  readonly source?: OrderSource;
  readonly definitions: Definitions;
  /** Orders placed after this instant (epoch ms) are ignored; window mode's windows end here. */
  readonly asOf: number;
  /** How to read the files: format, delimiter, time zone, columns, sizes. */
  readonly input: InputSettings;
  readonly strict: boolean;
  /** Where rejected rows go; undefined counts them without writing a file (`diff` writes nothing). */
  readonly rejectsPath: string | undefined;
  /** A rejects file that already holds other rows (diff's baseline): used instead of one at `rejectsPath`. */
  readonly rejects?: RejectsFile;
  readonly onProgress?: (progress: ReadProgress) => void;
  /** Threads for reading a large file, one part each; default: the machine's cores. */
  readonly threads?: number;
  /** Files below this size are read in one part (tests set it low). */
  readonly splitMinBytes?: number;
  /** Below this many profiles they are computed on one thread (tests set it low). */
  readonly shardMinProfiles?: number;
  /** A part read on another thread is taken over only with this many bytes left (tests set it low). */
  readonly takeOverMinBytes?: number;
  readonly stdin?: Readable;
}

/** What a computation read and found, for the summary line and `--json`. */
export interface ComputeCounts extends OrderCounts {
  files: string[];
  /** The format and delimiter each file was read with, in reading order. */
  fileFormats: FileReport[];
  rowsRead: number;
  rowsRejected: number;
  profiles: number;
  /** Profiles whose orders set nothing (window mode: all orders outside every window, no sizes). */
  profilesWithoutProperties: number;
  /** When the newest order read was placed (epoch ms), also after --as-of; null when none was. */
  newestOrderAt: number | null;
}

export interface ProfileTable {
  readonly columns: string[];
  /** Profiles with at least one property to set, sorted by key. */
  readonly rows: ProfileRow[];
  /** Profiles whose orders set nothing (window mode: every order outside every window, no sizes), sorted by key. */
  readonly withoutProperties: ProfileRow[];
  readonly counts: ComputeCounts;
  /** The committed rejects file, if any row was rejected. */
  readonly rejectsFile: string | undefined;
}

/** Reads the exports and reduces them to profile rows; commits the rejects file. */
export async function computeProfileTable(options: ComputeOptions): Promise<ProfileTable> {
  const computed = await computeProfiles(options);
  await computed.shardThreads.release();
  const rows: ProfileRow[] = [];
  const withoutProperties: ProfileRow[] = [];
  for (const row of computed.profiles.toRows(true)) (Object.keys(row.properties).length === 0 ? withoutProperties : rows).push(row);
  computed.counts.profiles = rows.length;
  computed.counts.profilesWithoutProperties = withoutProperties.length;
  const rejectsFile = await computed.rejects.commit();
  return { columns: computed.columns, rows, withoutProperties, counts: computed.counts, rejectsFile };
}

interface ComputedProfiles {
  readonly columns: string[];
  readonly profiles: ProfileShards;
  /** Threads for the shards: those that read a large export's later parts, then new ones. */
  readonly shardThreads: ShardThreads;
  /** All but the profile counts, which are known once the rows are made. */
  readonly counts: ComputeCounts;
  /** Not committed yet: the caller commits it with its own output. */
  readonly rejects: RejectsFile;
}

async function computeProfiles(options: ComputeOptions): Promise<ComputedProfiles> {
  const rejects = options.rejects ?? new RejectsFile(options.rejectsPath);
  const rejectedBefore = rejects.count;
  const threads = options.threads ?? availableParallelism();
  // As many shards as threads: after reading, each thread computes one (see computing/sharded-csv.ts).
  const shardThreads = new ShardThreads(threads - 1);
  const collector = new OrderCollector(
    options.definitions,
    options.asOf,
    (rejected) => {
      if (options.strict) throw strictError(rejected);
      rejects.add(rejected);
    },
    threads,
  );
  const fileFormats: FileReport[] = [];
  let rowsRead: number;
  try {
    rowsRead = options.source !== undefined ? await readSource(options.source, collector, fileFormats, options.onProgress) : await readOrders({
      files: options.files,
      settings: options.input,
      sink: collector,
      // --strict stops at the first bad row in file order: one part, read in turn.
      ...(options.strict ? {} : { splitter: laterPartThreads(collector, options.definitions, options.asOf, { threads, minBytes: options.splitMinBytes, takeOverMinBytes: options.takeOverMinBytes, adoptReader: (worker) => shardThreads.adopt(worker) }) }),
      onFile: (report) => fileFormats.push(report),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.stdin ? { stdin: options.stdin } : {}),
    });
    // Rows of an order read apart from it are matched with it now that every order is read.
    collector.settleApartRows();
  } catch (error) {
    await rejects.discard();
    throw error;
  }
  const counts: ComputeCounts = {
    files: options.source !== undefined ? [options.source.label] : options.files.map((f) => (f === STDIN_PATH ? 'stdin' : f)),
    fileFormats,
    rowsRead,
    ...collector.counts,
    rowsRejected: rejects.count - rejectedBefore,
    profiles: 0,
    profilesWithoutProperties: 0,
    newestOrderAt: collector.newestOrderAt,
  };
  return { columns: propertyColumns(options.definitions), profiles: collector.profiles, shardThreads, counts, rejects };
}

async function readSource(source: OrderSource, collector: OrderCollector, fileFormats: FileReport[], onProgress: ((progress: ReadProgress) => void) | undefined): Promise<number> {
  fileFormats.push({ file: source.label, format: 'klaviyo events', delimiter: ',', parts: 1 });
  return source.read(collector, onProgress === undefined ? undefined : (records) => onProgress({ records, file: source.label, fileNumber: 1, files: 1 }));
}

export interface ComputeResult {
  readonly counts: ComputeCounts;
  /** Files written (several when the output was split under Klaviyo's upload limit); `-` for stdout. */
  readonly outputs: string[];
  readonly rejectsFile: string | undefined;
}

export async function runCompute(
  options: ComputeOptions & { readonly out: string; readonly maxFileBytes?: number; readonly stdout: Writable; readonly onNotice?: (message: string) => void },
): Promise<ComputeResult> {
  assertDistinctFiles(orderExports(options.files), [
    { path: options.out, role: 'the output (-o)' },
    ...(options.rejectsPath !== undefined ? [{ path: options.rejectsPath, role: 'the rejects file' }] : []),
  ]);
  // A symlinked output is the file it points to (its parts, lock and stale parts are beside that
  // file); a device or FIFO is written through, like stdout (see io/output-target.ts).
  const target = options.out === STDIN_PATH ? undefined : outputTarget(options.out);
  const out = target?.kind === 'file' ? target.path : options.out;
  // Two runs to one output would leave the profiles of one beside the rejects of the other. A device
  // or pipe holds nothing to guard, and no lock can be made beside it (`/dev/null.lock`).
  const lock = target?.kind !== 'file' ? undefined : RunLock.acquire(out, 'the output', options.onNotice ?? (() => {}));
  try {
    return await computeAndWrite({ ...options, out, ...(target?.kind === 'stream' ? { maxFileBytes: Infinity, writeThrough: true } : {}) });
  } finally {
    lock?.release();
  }
}

async function computeAndWrite(options: ComputeOptions & WriteOptions): Promise<ComputeResult> {
  const { profiles, shardThreads, counts, rejects } = await computeProfiles(options);
  // Profiles are computed as they are written, so a run never holds millions of rows at once.
  const sharded = await shardedProfilesCsv(profiles, { threads: shardThreads, ...(options.shardMinProfiles === undefined ? {} : { minProfiles: options.shardMinProfiles }) }).catch(async (error: unknown) => {
    await rejects.discard();
    throw error;
  });
  try {
    return await writeAndCommit(options, sharded.chunks, rejects, () => {
      counts.profiles = sharded.lines;
      counts.profilesWithoutProperties = sharded.profileCount - sharded.lines;
      return counts;
    });
  } finally {
    await Promise.all([sharded.stop(), shardThreads.release()]);
  }
}

/** Where and how the profiles are written. */
interface WriteOptions {
  readonly out: string;
  readonly maxFileBytes?: number;
  readonly stdout: Writable;
  /** `out` is a device or FIFO: written through, with no parts of earlier runs to look for beside it. */
  readonly writeThrough?: boolean;
}

async function writeAndCommit(
  options: WriteOptions,
  csv: AsyncIterator<string | Buffer>,
  rejects: RejectsFile,
  countsOnceWritten: () => ComputeCounts,
): Promise<ComputeResult> {
  let outputs: string[];
  let rejectsFile: string | undefined;
  if (options.out === STDIN_PATH) {
    await writeProfilesTo(options.stdout, { [Symbol.asyncIterator]: () => csv }).catch(async (error: unknown) => {
      await rejects.discard();
      throw error;
    });
    outputs = [STDIN_PATH];
    rejectsFile = await rejects.commit();
  } else {
    const staged = await stageProfilesCsv(options.out, csv, options.maxFileBytes).catch(async (error: unknown) => {
      await rejects.discard();
      throw writeError('the output', options.out, error);
    });
    // The parts and the rejects of one run go into place together, after every check that can fail.
    let stale: string[];
    try {
      stale = options.writeThrough === true ? [] : await staleParts(options.out, staged.paths, staged.header);
      rejectsFile = await rejects.commit();
      await staged.commit().catch((error: unknown) => {
        throw writeError('the output', options.out, error);
      });
    } catch (error) {
      await Promise.all([staged.discard(), rejects.discard()]);
      throw error;
    }
    await removeStaleParts(stale);
    outputs = [...staged.paths];
  }
  return { counts: countsOnceWritten(), outputs, rejectsFile };
}

/** The order exports a run reads, for the same-file check. */
export function orderExports(files: readonly string[]): RunFile[] {
  return files.map((path) => ({ path, role: 'the order export' }));
}

function strictError(rejected: RejectedRecord): BackfillError {
  const location = {
    file: rejected.file,
    line: rejected.line,
    ...(rejected.columnNumber !== undefined ? { column: rejected.columnNumber } : {}),
    ...(rejected.column !== undefined ? { columnName: rejected.column } : {}),
  };
  return new BackfillError('BAD_ROW', `${formatLocation(location)}: ${rejected.reason}`, {
    location,
    hint: 'Without --strict, bad rows go to the rejects file and the run goes on.',
  });
}
