/**
 * Reading a large export's later parts on worker threads (io/file-cut.ts says where it is cut): each
 * worker reads its part into its own `OrderCollector` and hands the result over as plain arrays; this
 * side takes them in, in file order, after the first part, so the run's result is the one reading in
 * turn gives.
 *
 * Parts of equal size do not take equal time: a core may be shared with other work, or be a slower
 * one. So a thread done with its part (this one with the first, a worker with its own) takes over
 * the second half of what is left of the later part with the most left, while that part's thread
 * reads the first half (see io/movable-range.ts and part-reading.ts), and again until no part has
 * much left. The halves are parts like any other, taken in file order.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorkerAhead } from './worker-ahead.js';
import { portable, type PortableComputation } from '../../domain/computation.js';
import { seenIdsInclude } from '../tables/order-ids.js';
import { SizeMatcher } from '../../domain/sizes.js';
import { TimeZone } from '../../domain/time-zone.js';
import type { Cut, FileCut } from './file-cut.js';
import { MovableRange } from './movable-range.js';
import { formatNamed } from '../../io/formats/registry.js';
import { FILE_END, type FileSplitter, type InputSettings, type LaterParts, type LaterPartsTaken } from '../../io/read-orders.js';
import type { OrderCollector } from '../profiles/order-collector.js';
import { takenOverParts, type PartOutcome } from './part-reading.js';

/** What the worker is started with: the input settings as plain data (no classes cross threads). */
export interface PartTask {
  readonly cut: FileCut;
  /** Which part: 1 for the one starting at `cut.cuts[0]`. */
  readonly part: number;
  /**
   * Every later part's bytes, as MovableRanges' buffers (this part's is `ranges[part - 1]`): the main
   * thread may end this one sooner, and this thread, once done, may end another's (`takeOver`).
   */
  readonly ranges: readonly SharedArrayBuffer[];
  /** Parts with less than this left are not taken over. */
  readonly takeOverMinBytes: number;
  readonly computation: PortableComputation;
  /** The shards the main thread's collector has, which the part's must have too. */
  readonly shards: number;
  readonly settings: PortableInputSettings;
}

/** How far the worker has read, sent now and then while it reads (the parts it took over included). */
export interface PartProgress {
  readonly recordsSoFar: number;
}

/** After its own part's outcome, the worker sends each part it took over from another, then `{ doneTakingOver: true }`. */
export interface TakenOverPart {
  readonly takenOver: Cut;
  readonly outcome: PartOutcome;
}

type WorkerMessage = PartOutcome | PartProgress | TakenOverPart | { readonly doneTakingOver: true };

type PortableInputSettings = Omit<InputSettings, 'format' | 'timeZone' | 'sizes' | 'sizePattern'> & {
  readonly format: string | undefined;
  readonly timeZone: string | undefined;
  readonly sizes: SizeMatcher['configuration'];
  readonly sizePattern: { readonly source: string; readonly flags: string } | undefined;
};

export function portableSettings(settings: InputSettings): PortableInputSettings {
  return {
    ...settings,
    format: settings.format?.name,
    timeZone: settings.timeZone?.name,
    sizes: settings.sizes.configuration,
    sizePattern: settings.sizePattern === undefined ? undefined : { source: settings.sizePattern.source, flags: settings.sizePattern.flags },
  };
}

export function inputSettingsFrom(portableSettings: PortableInputSettings): InputSettings {
  return {
    ...portableSettings,
    format: portableSettings.format === undefined ? undefined : formatNamed(portableSettings.format),
    timeZone: portableSettings.timeZone === undefined ? undefined : TimeZone.named(portableSettings.timeZone),
    sizes: new SizeMatcher(portableSettings.sizes.sizes, portableSettings.sizes.aliases),
    sizePattern: portableSettings.sizePattern === undefined ? undefined : new RegExp(portableSettings.sizePattern.source, portableSettings.sizePattern.flags),
  };
}

/** How later parts are read on threads: as many parts as `threads` (default: the machine's cores). */
export interface PartThreadOptions {
  readonly threads?: number | undefined;
  readonly minBytes?: number | undefined;
  /** A part is taken over only with this many bytes left in it (TAKE_OVER_MIN_BYTES). */
  readonly takeOverMinBytes?: number | undefined;
  /** Offered each thread whose part was taken, for work after reading; false: it is stopped. */
  readonly adoptReader?: (worker: Worker) => boolean;
}

/** Reads a large file's later parts on threads into parts `collector` takes in; undefined: every file in one part. */
export function laterPartThreads(collector: OrderCollector, options: PartThreadOptions = {}): FileSplitter | undefined {
  const threads = options.threads ?? availableParallelism();
  // A computation with reducers of its own (a test's) is read here only: another thread knows the registry's.
  if (threads < 2 || !collector.profiles.computation.schema.portable) return undefined;
  return new PartThreads(collector, threads, options);
}

class PartThreads implements FileSplitter {
  readonly parts: number;
  readonly minBytes?: number;
  readonly #collector: OrderCollector;
  readonly #takeOverMinBytes: number;
  readonly #adoptReader: ((worker: Worker) => boolean) | undefined;
  /** Reader threads started before the cut is found, loading their code while they wait for a part. */
  readonly #waitingReaders: Worker[] = [];

  constructor(collector: OrderCollector, threads: number, options: PartThreadOptions) {
    this.parts = threads;
    if (options.minBytes !== undefined) this.minBytes = options.minBytes;
    this.#collector = collector;
    this.#takeOverMinBytes = Math.max(1, options.takeOverMinBytes ?? TAKE_OVER_MIN_BYTES);
    this.#adoptReader = options.adoptReader;
  }

  prepare(): () => void {
    while (this.#waitingReaders.length < this.parts - 1) {
      const worker = startReader();
      if (worker === undefined) break;
      this.#waitingReaders.push(worker);
    }
    return () => {
      for (const worker of this.#waitingReaders.splice(0)) void worker.terminate();
    };
  }

  start(cut: FileCut, settings: InputSettings, onRecords: (recordsSoFar: number) => void): LaterParts {
    // Per part read: records so far, for progress (parts taken over from another are added on).
    const recordsPerPart: number[] = [];
    const progressOfNewPart = () => {
      const slot = recordsPerPart.push(0) - 1;
      return (records: number) => {
        recordsPerPart[slot] = records;
        onRecords(recordsPerPart.reduce((sum, n) => sum + n, 0));
      };
    };
    const collector = this.#collector;
    const computation = collector.profiles.computation;
    const shards = collector.profiles.count;
    const readers = cut.cuts.map(() => this.#waitingReaders.shift() ?? startReader());
    // A part no thread reads is read in turn: its range is empty, so none of it is taken over.
    const partRanges = cut.cuts.map((start, index) => MovableRange.create(start.offset, readers[index] === undefined ? start.offset : (cut.cuts[index + 1]?.offset ?? FILE_END)));
    // Ranges that can no longer be taken over are dropped from this list (see takeOver).
    const openRanges: (MovableRange | undefined)[] = [...partRanges];
    const minLeft = this.#takeOverMinBytes;
    const task = (index: number): PartTask => ({
      cut,
      part: index + 1,
      ranges: partRanges.map((range) => range.buffer),
      takeOverMinBytes: minLeft,
      computation: portable(computation),
      shards,
      settings: portableSettings(settings),
    });
    const parts: LaterPart[] = cut.cuts.map((start, index) => {
      const reader = startPart(readers[index], task(index), progressOfNewPart());
      return { start, outcome: reader.outcome, reader };
    });
    const cancel = () => parts.forEach((part) => void part.reader?.cancel());
    return {
      finish: async (at) => {
        // Done with the first part: take over what is left of slower ones, then wait for the
        // workers to be done with theirs and with any they took over.
        for await (const { start, outcome } of takenOverParts(cut, openRanges, minLeft, { computation, shards, settings }, progressOfNewPart)) {
          parts.push({ start, outcome: Promise.resolve(outcome) });
        }
        for (const reader of parts.map((part) => part.reader)) {
          for (const taken of (await reader?.takenOver) ?? []) parts.push({ start: taken.takenOver, outcome: Promise.resolve(taken.outcome) });
        }
        parts.sort((a, b) => a.start.offset - b.start.offset);
        return absorbInFileOrder(parts, collector, at, { cancel, adoptReader: this.#adoptReader });
      },
      cancel,
    };
  }
}

/**
 * Takes the parts into `collector`, in file order, while each stands for reading on from where the
 * one before it ended; from the first that does not, reading in turn goes on (`resumeAt`).
 */
async function absorbInFileOrder(
  parts: readonly LaterPart[],
  collector: OrderCollector,
  { line, openOrderId, flush, lastFile }: Parameters<LaterParts['finish']>[0],
  { cancel, adoptReader }: { readonly cancel: () => void; readonly adoptReader: ((worker: Worker) => boolean) | undefined },
): Promise<LaterPartsTaken | undefined> {
  let records = 0;
  let partLine = line;
  for (const [index, part] of parts.entries()) {
    const result = await part.outcome;
    const next = parts[index + 1];
    const taken =
      result.ok &&
      // Where the part's lines were counted (it had rejects), a count unlike ours means a cut it misread.
      (result.line === undefined || result.line === partLine) &&
      // It ended where the next part starts, at a record's end, with another order open than
      // the one that part starts with (or at the end of the file, after the last part).
      (next === undefined ? result.end === undefined : result.end === next.start.offset && result.openOrderId !== next.start.firstOrderId) &&
      // An id read before makes an order a duplicate (or a conflict) in this part, which only
      // reading in turn reports rightly. The order open at the first cut is delivered only now.
      collector.canAbsorb(result.part) &&
      (index > 0 || openOrderId === undefined || !seenIdsInclude(result.part.ids, openOrderId));
    if (!taken) {
      cancel();
      return index === 0 ? undefined : { records, parts: index, resumeAt: { offset: part.start.offset, line: partLine } };
    }
    // Kept for what follows reading, or stopped: then its heap goes before the merge, where memory peaks.
    await part.reader?.handOff(adoptReader);
    if (index === 0) flush();
    collector.absorb(result.part, { keepIds: !(lastFile && next === undefined) });
    for (const rejected of result.rejects) collector.reject(rejected);
    records += result.records;
    partLine += result.lineBreaks;
  }
  return { records, parts: parts.length, resumeAt: undefined };
}

/**
 * Less than this left of a part is not worth taking over: a cut to find and a part more to merge,
 * for what a thread reads in some 40 ms.
 */
export const TAKE_OVER_MIN_BYTES = 8 * 1024 * 1024;

/** A later part: read by a worker, or taken over from one (here or by another worker). */
interface LaterPart {
  readonly start: Cut;
  readonly outcome: Promise<PartOutcome>;
  readonly reader?: StartedPart;
}

interface StartedPart {
  readonly outcome: Promise<PartOutcome>;
  /** The parts it took over from other workers, once it is done with taking over. */
  readonly takenOver: Promise<readonly TakenOverPart[]>;
  cancel(): Promise<void>;
  /** Once the outcome is in: the thread to `adopt`, or stopped when it is not wanted. */
  handOff(adopt: ((worker: Worker) => boolean) | undefined): Promise<void>;
}

/** A thread to read a part, loading its code until the part is given to it; undefined when none can be had. */
function startReader(): Worker | undefined {
  return startWorkerAhead(new URL('./read-part-worker.js', import.meta.url));
}

function startPart(worker: Worker | undefined, task: PartTask, onRecords: (recordsSoFar: number) => void): StartedPart {
  // No thread to be had: this part is read in turn.
  if (worker === undefined) {
    return { outcome: Promise.resolve({ ok: false, reason: 'no thread could be started' }), takenOver: Promise.resolve([]), cancel: () => Promise.resolve(), handOff: () => Promise.resolve() };
  }
  worker.ref();
  worker.postMessage(task);
  let handedOff = false;
  let listening: { message(message: WorkerMessage): void; error(error: Error): void; exit(code: number): void };
  const takenOver: TakenOverPart[] = [];
  let settled: (parts: readonly TakenOverPart[]) => void;
  const done = new Promise<readonly TakenOverPart[]>((resolve) => (settled = resolve));
  const outcome = new Promise<PartOutcome>((resolve) => {
    // A worker that fails or stops is done: what it took over and did not send is a gap the parts'
    // check in file order finds (the file is then read in turn from there).
    const fail = (reason: string) => {
      resolve({ ok: false, reason });
      settled(takenOver);
    };
    listening = {
      message: (message) => {
        if ('recordsSoFar' in message) onRecords(message.recordsSoFar);
        else if ('takenOver' in message) takenOver.push(message);
        else if ('doneTakingOver' in message) settled(takenOver);
        else resolve(message);
      },
      error: (error) => fail(error.message),
      exit: (code) => fail(`the worker stopped (exit code ${code})`),
    };
    worker.on('message', listening.message).once('error', listening.error).once('exit', listening.exit);
  });
  return {
    outcome,
    takenOver: done,
    // A thread handed off is no longer this part's to stop (the run's cancel comes after it).
    cancel: async () => {
      if (!handedOff) await worker.terminate();
    },
    handOff: async (adopt) => {
      // What listened to it as a reader is done with it.
      worker.off('message', listening.message).off('error', listening.error).off('exit', listening.exit);
      handedOff = adopt?.(worker) === true;
      if (!handedOff) await worker.terminate();
    },
  };
}
