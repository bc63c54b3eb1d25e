/**
 * Reading a large export's later parts on worker threads (io/file-cut.ts says where it is cut): each
 * worker reads its part into its own `OrderCollector` and hands the result over as plain arrays; this
 * side takes them in, in file order, after the first part, so the run's result is the one reading in
 * turn gives.
 *
 * Parts of equal size do not take equal time: a core may be shared with other work, or be a slower
 * one. So this thread, done with the first part, takes over the second half of what is left of the
 * part with the most left, while its thread reads the first half (see io/movable-range.ts), and
 * again until no part has much left. The halves are parts like any other, taken in file order.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startIdleWorker } from '../idle-worker.js';
import type { Definitions } from '../core/definitions.js';
import { seenIdsInclude } from '../core/order-ids.js';
import { SizeMatcher } from '../core/sizes.js';
import { TimeZone } from '../core/time-zone.js';
import { cutAt, type Cut, type FileCut } from '../io/file-cut.js';
import { MovableRange } from '../io/movable-range.js';
import { formatNamed } from '../io/formats/registry.js';
import { FILE_END, type FileSplitter, type InputSettings, type LaterParts } from '../io/read-orders.js';
import type { OrderCollector } from './order-collector.js';
import { readPart, type PartOutcome } from './part-reading.js';

/** What the worker is started with: the input settings as plain data (no classes cross threads). */
export interface PartTask {
  readonly cut: FileCut;
  /** Which part: 1 for the one starting at `cut.cuts[0]`. */
  readonly part: number;
  /** Its bytes, as a MovableRange's buffer: this thread may end it sooner. */
  readonly range: SharedArrayBuffer;
  readonly definitions: Definitions;
  readonly asOf: number;
  /** The shards the main thread's collector has, which the part's must have too. */
  readonly shards: number;
  readonly settings: PlainInputSettings;
}

/** How far the worker has read, sent now and then while it reads. */
export interface PartProgress {
  readonly recordsSoFar: number;
}

type PlainInputSettings = Omit<InputSettings, 'format' | 'timeZone' | 'sizes' | 'sizePattern'> & {
  readonly format: string | undefined;
  readonly timeZone: string | undefined;
  readonly sizes: SizeMatcher['configuration'];
  readonly sizePattern: { readonly source: string; readonly flags: string } | undefined;
};

export function plainSettings(settings: InputSettings): PlainInputSettings {
  return {
    ...settings,
    format: settings.format?.name,
    timeZone: settings.timeZone?.name,
    sizes: settings.sizes.configuration,
    sizePattern: settings.sizePattern === undefined ? undefined : { source: settings.sizePattern.source, flags: settings.sizePattern.flags },
  };
}

export function inputSettingsFrom(plain: PlainInputSettings): InputSettings {
  return {
    ...plain,
    format: plain.format === undefined ? undefined : formatNamed(plain.format),
    timeZone: plain.timeZone === undefined ? undefined : TimeZone.named(plain.timeZone),
    sizes: new SizeMatcher(plain.sizes.sizes, plain.sizes.aliases),
    sizePattern: plain.sizePattern === undefined ? undefined : new RegExp(plain.sizePattern.source, plain.sizePattern.flags),
  };
}

/** As many parts as `threads` (default: the machine's cores); undefined: one part. */
export function laterPartThreads(
  collector: OrderCollector,
  definitions: Definitions,
  asOf: number,
  {
    threads = availableParallelism(),
    minBytes,
    takeOverMinBytes = TAKE_OVER_MIN_BYTES,
    adoptReader,
  }: {
    readonly threads?: number | undefined;
    readonly minBytes?: number | undefined;
    /** A part is taken over only with this many bytes left in it (TAKE_OVER_MIN_BYTES). */
    readonly takeOverMinBytes?: number | undefined;
    /** Offered each thread whose part was taken, for work after reading; false: it is stopped. */
    readonly adoptReader?: (worker: Worker) => boolean;
  } = {},
): FileSplitter | undefined {
  if (threads < 2) return undefined;
  // Threads started before the cut is found, waiting for their part.
  const idle: Worker[] = [];
  return {
    parts: threads,
    ...(minBytes === undefined ? {} : { minBytes }),
    prepare() {
      while (idle.length < threads - 1) {
        const worker = startReader();
        if (worker === undefined) break;
        idle.push(worker);
      }
      return () => {
        for (const worker of idle.splice(0)) void worker.terminate();
      };
    },
    start(cut: FileCut, settings: InputSettings, onRecords: (recordsSoFar: number) => void): LaterParts {
      // Per part read: records so far, for progress (parts taken over from another are added on).
      const soFar: number[] = [];
      const progressOf = (slot: number) => (records: number) => {
        soFar[slot] = records;
        onRecords(soFar.reduce((sum, n) => sum + n, 0));
      };
      const shards = collector.profiles.count;
      const plain = plainSettings(settings);
      const parts: LaterPart[] = cut.cuts.map((start, index) => {
        const range = MovableRange.create(start.offset, cut.cuts[index + 1]?.offset ?? FILE_END);
        const thread = idle.shift() ?? startReader();
        const worker = startPart(thread, { cut, part: index + 1, range: range.buffer, definitions, asOf, shards, settings: plain }, progressOf(soFar.push(0) - 1));
        // A part no thread reads is read in turn: none of it is taken over.
        return { start, outcome: worker.outcome, worker, ...(thread === undefined ? {} : { range }) };
      });
      const cancel = () => parts.forEach((part) => void part.worker?.cancel());
      return {
        async finish({ line, openOrderId, flush, lastFile }) {
          await takeOverSlowParts(parts, { cut, definitions, asOf, shards, settings, minLeft: Math.max(1, takeOverMinBytes) }, () => progressOf(soFar.push(0) - 1));
          parts.sort((a, b) => a.start.offset - b.start.offset);
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
            await part.worker?.handOff(adoptReader);
            if (index === 0) flush();
            collector.absorb(result.part, { keepIds: !(lastFile && next === undefined) });
            for (const rejected of result.rejects) collector.reject(rejected);
            records += result.records;
            partLine += result.lineBreaks;
          }
          return { records, parts: parts.length, resumeAt: undefined };
        },
        cancel,
      };
    },
  };
}

/**
 * Less than this left of a part is not worth taking over: a cut to find and a part more to merge,
 * for what a thread reads in some 40 ms.
 */
export const TAKE_OVER_MIN_BYTES = 8 * 1024 * 1024;

/** A later part: read by a worker (whose range this thread may end sooner), or here, taken over from one. */
interface LaterPart {
  readonly start: Cut;
  readonly outcome: Promise<PartOutcome>;
  readonly worker?: StartedPart;
  /** Undefined once no more of it can be taken over. */
  range?: MovableRange;
}

/**
 * While a worker's part has at least `minLeft` bytes not yet claimed, ends it halfway through what
 * is left (at a cut found there) and reads the rest here, as a part of its own; then looks again.
 * Each worker keeps reading its part meanwhile: both halves end at about the same time.
 */
async function takeOverSlowParts(
  parts: LaterPart[],
  { cut, minLeft, ...reading }: { readonly cut: FileCut; readonly minLeft: number; readonly definitions: Definitions; readonly asOf: number; readonly shards: number; readonly settings: InputSettings },
  progress: () => (records: number) => void,
): Promise<void> {
  for (;;) {
    let slowest: LaterPart | undefined;
    let mostLeft = 0;
    for (const part of parts) {
      const left = part.range === undefined ? 0 : Math.min(part.range.end, cut.size) - part.range.claimed;
      if (left > mostLeft) [slowest, mostLeft] = [part, left];
    }
    if (slowest === undefined || mostLeft < minLeft) return;
    const range = slowest.range!;
    const start = await cutAt(cut, range.claimed + Math.floor(mostLeft / 2)).catch(() => undefined);
    const end = start === undefined ? -1 : range.endAt(start.offset);
    if (start === undefined || end < 0) {
      // No cut there, or the worker has claimed past it by now: that part is left to its worker.
      slowest.range = undefined;
      continue;
    }
    const outcome = await readPart({ cut, start, end: end === FILE_END ? undefined : end, ...reading }, progress()).catch(
      (error: unknown): PartOutcome => ({ ok: false, reason: error instanceof Error ? error.message : String(error) }),
    );
    parts.push({ start, outcome: Promise.resolve(outcome) });
  }
}

interface StartedPart {
  readonly outcome: Promise<PartOutcome>;
  cancel(): Promise<void>;
  /** Once the outcome is in: the thread to `adopt`, or stopped when it is not wanted. */
  handOff(adopt: ((worker: Worker) => boolean) | undefined): Promise<void>;
}

/** A thread to read a part, loading its code until the part is given to it; undefined when none can be had. */
function startReader(): Worker | undefined {
  return startIdleWorker(new URL('./read-part-worker.js', import.meta.url));
}

function startPart(worker: Worker | undefined, task: PartTask, onRecords: (recordsSoFar: number) => void): StartedPart {
  // No thread to be had: this part is read in turn.
  if (worker === undefined) return { outcome: Promise.resolve({ ok: false, reason: 'no thread could be started' }), cancel: () => Promise.resolve(), handOff: () => Promise.resolve() };
  worker.ref();
  worker.postMessage(task);
  let handedOff = false;
  let listening: { message(message: PartOutcome | PartProgress): void; error(error: Error): void; exit(code: number): void };
  const outcome = new Promise<PartOutcome>((resolve) => {
    listening = {
      message: (message) => ('recordsSoFar' in message ? onRecords(message.recordsSoFar) : resolve(message)),
      error: (error) => resolve({ ok: false, reason: error.message }),
      exit: (code) => resolve({ ok: false, reason: `the worker stopped (exit code ${code})` }),
    };
    worker.on('message', listening.message).once('error', listening.error).once('exit', listening.exit);
  });
  return {
    outcome,
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
