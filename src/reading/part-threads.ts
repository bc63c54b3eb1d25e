/**
 * Reading a large export's later parts on worker threads (io/file-cut.ts says where it is cut): each
 * worker reads its part into its own `OrderCollector` and hands the result over as plain arrays; this
 * side takes them in, in file order, after the first part, so the run's result is the one reading in
 * turn gives.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startIdleWorker } from '../idle-worker.js';
import type { Definitions } from '../core/definitions.js';
import { seenIdsInclude } from '../core/order-ids.js';
import { SizeMatcher } from '../core/sizes.js';
import { TimeZone } from '../core/time-zone.js';
import type { FileCut } from '../io/file-cut.js';
import type { RejectedRecord } from '../io/formats/format.js';
import { formatNamed } from '../io/formats/registry.js';
import type { FileSplitter, InputSettings, LaterParts } from '../io/read-orders.js';
import type { CollectedPart, OrderCollector } from './order-collector.js';

/** What the worker is started with: the input settings as plain data (no classes cross threads). */
export interface PartTask {
  readonly cut: FileCut;
  /** Which part: 1 for the one starting at `cut.cuts[0]`. */
  readonly part: number;
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

/** What the worker sends back at the end: its orders, or why the part cannot be used. */
export type PartOutcome =
  | {
      readonly ok: true;
      /** The part's first line, when it was counted (the part had rejects, which show it). */
      readonly line: number | undefined;
      readonly lineBreaks: number;
      readonly records: number;
      readonly part: CollectedPart;
      readonly rejects: readonly RejectedRecord[];
    }
  | { readonly ok: false; readonly reason: string };

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
    adoptReader,
  }: {
    readonly threads?: number | undefined;
    readonly minBytes?: number | undefined;
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
      const soFar = cut.cuts.map(() => 0);
      const workers = cut.cuts.map((_, index) => startPart(idle.shift() ?? startReader(), { cut, part: index + 1, definitions, asOf, shards: collector.profiles.count, settings: plainSettings(settings) }, (records) => {
        soFar[index] = records;
        onRecords(soFar.reduce((sum, n) => sum + n, 0));
      }));
      const cancel = () => workers.forEach((worker) => worker.cancel());
      return {
        async finish({ line, openOrderId, flush, lastFile }) {
          let records = 0;
          let partLine = line;
          for (const [index, worker] of workers.entries()) {
            const result = await worker.outcome;
            const taken =
              result.ok &&
              // Where the worker counted lines (it had rejects), a count unlike ours means a cut it misread.
              (result.line === undefined || result.line === partLine) &&
              // An id read before makes an order a duplicate (or a conflict) in this part, which only
              // reading in turn reports rightly. The order open at the first cut is delivered only now.
              collector.canAbsorb(result.part) &&
              (index > 0 || openOrderId === undefined || !seenIdsInclude(result.part.ids, openOrderId));
            if (!taken) {
              await worker.cancel();
              cancel();
              return index === 0 ? undefined : { records, resumeAt: { offset: cut.cuts[index]!.offset, line: partLine } };
            }
            // Kept for what follows reading, or stopped: then its heap goes before the merge, where memory peaks.
            await worker.handOff(adoptReader);
            if (index === 0) flush();
            const last = index === workers.length - 1;
            collector.absorb(result.part, { keepIds: !(lastFile && last) });
            for (const rejected of result.rejects) collector.reject(rejected);
            records += result.records;
            partLine += result.lineBreaks;
          }
          return { records, resumeAt: undefined };
        },
        cancel,
      };
    },
  };
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
