/**
 * Worker thread entry: reads one later part of a cut file into its own collector and posts the result
 * (see part-threads.ts). The part comes as the first message, so that the thread can be started, and
 * load its code, while the cut is still being looked for. Its bytes are a range the main thread may
 * end sooner, to read the rest itself (see movable-range.ts). Typed arrays are transferred, not
 * copied. Then it may be given a shard of the profiles to compute (computing/shard-service.ts).
 */
import { parentPort } from 'node:worker_threads';
import { MovableRange } from '../io/movable-range.js';
import { serveShard } from '../computing/shard-service.js';
import { transferables } from './order-collector.js';
import { readPart, type PartOutcome } from './part-reading.js';
import { inputSettingsFrom, type PartProgress, type PartTask } from './part-threads.js';

parentPort!.once('message', (task: PartTask) => {
  const start = task.cut.cuts[task.part - 1]!;
  const part = { cut: task.cut, start, end: MovableRange.of(task.range), definitions: task.definitions, asOf: task.asOf, shards: task.shards, settings: inputSettingsFrom(task.settings) };
  readPart(part, (recordsSoFar) => parentPort!.postMessage({ recordsSoFar } satisfies PartProgress)).then(
    (outcome) => {
      parentPort!.postMessage(outcome, outcome.ok ? transferables(outcome.part) : []);
      // The main thread may give this thread a shard of the profiles to compute next, or stop it.
      if (outcome.ok) serveShard(parentPort!);
    },
    (error: unknown) => parentPort!.postMessage({ ok: false, reason: error instanceof Error ? error.message : String(error) } satisfies PartOutcome),
  );
});
