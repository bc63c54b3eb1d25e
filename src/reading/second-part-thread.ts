/**
 * Reading a large export's second half on a worker thread (io/file-cut.ts says where it is cut): the
 * worker reads it into its own `OrderCollector`, and hands the result over as plain arrays; this side
 * takes it in after the first half, so the run's result is the one reading in turn gives.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Definitions } from '../core/definitions.js';
import { seenIdsInclude } from '../core/order-ids.js';
import { SizeMatcher } from '../core/sizes.js';
import { TimeZone } from '../core/time-zone.js';
import type { FileCut } from '../io/file-cut.js';
import type { RejectedRecord } from '../io/formats/format.js';
import { formatNamed } from '../io/formats/registry.js';
import type { FileSplitter, InputSettings, SecondPart } from '../io/read-orders.js';
import type { CollectedPart, OrderCollector } from './order-collector.js';

/** What the worker is started with: the input settings as plain data (no classes cross threads). */
export interface PartTask {
  readonly cut: FileCut;
  readonly definitions: Definitions;
  readonly asOf: number;
  readonly settings: PlainInputSettings;
}

/** How far the worker has read, sent now and then while it reads. */
export interface PartProgress {
  readonly recordsSoFar: number;
}

/** What the worker sends back at the end: its orders, or why the part cannot be used. */
export type PartOutcome =
  | { readonly ok: true; readonly line: number | undefined; readonly records: number; readonly part: CollectedPart; readonly rejects: readonly RejectedRecord[] }
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

/** Two parts where the machine has a second core to read the second one; undefined: one part. */
export function secondPartThread(
  collector: OrderCollector,
  definitions: Definitions,
  asOf: number,
  { threads = availableParallelism(), minBytes }: { readonly threads?: number | undefined; readonly minBytes?: number | undefined } = {},
): FileSplitter | undefined {
  if (threads < 2) return undefined;
  return {
    ...(minBytes === undefined ? {} : { minBytes }),
    start(cut: FileCut, settings: InputSettings, onRecords: (recordsSoFar: number) => void): SecondPart {
      const task: PartTask = { cut, definitions, asOf, settings: plainSettings(settings) };
      let worker: Worker;
      try {
        worker = new Worker(new URL('./read-part-worker.js', import.meta.url), { workerData: task });
      } catch {
        return { finish: () => Promise.resolve(undefined), cancel: () => {} }; // no thread to be had: one part
      }
      const outcome = new Promise<PartOutcome>((resolve) => {
        worker.on('message', (message: PartOutcome | PartProgress) => ('recordsSoFar' in message ? onRecords(message.recordsSoFar) : resolve(message)));
        worker.once('error', (error) => resolve({ ok: false, reason: error.message }));
        worker.once('exit', (code) => resolve({ ok: false, reason: `the worker stopped (exit code ${code})` }));
      });
      return {
        async finish({ line, openOrderId, flush, lastFile }) {
          const result = await outcome;
          // Its heap goes before the merge: the part's arrays were transferred, and memory peaks after this.
          await worker.terminate();
          // Where the worker counted lines (it had rejects), a count unlike ours means a cut it misread.
          if (!result.ok || (result.line !== undefined && result.line !== line)) return undefined;
          // An id read on both sides makes an order a duplicate (or a conflict) in the second part, which
          // only reading in turn reports rightly. The order open at the cut is delivered only now.
          if (!collector.canAbsorb(result.part)) return undefined;
          if (openOrderId !== undefined && seenIdsInclude(result.part.ids, openOrderId)) return undefined;
          flush();
          collector.absorb(result.part, { keepIds: !lastFile });
          for (const rejected of result.rejects) collector.reject(rejected);
          return result.records;
        },
        cancel() {
          void worker.terminate();
        },
      };
    },
  };
}
