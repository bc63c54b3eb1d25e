/**
 * Worker thread entry: reads one later part of a cut file into its own collector and posts the result
 * (see part-threads.ts). The part comes as the first message, so that the thread can be started, and
 * load its code, while the cut is still being looked for. Its bytes are a range the main thread may
 * end sooner, to read the rest itself (see movable-range.ts); done with it, this thread takes over
 * the rest of another worker's part the same way, while one has enough left. Typed arrays are
 * transferred, not copied. Then it may be given a shard of the profiles to compute
 * (computing/shard-service.ts).
 */
import { parentPort } from 'node:worker_threads';
import { computationOf } from '../../domain/computation.js';
import { MovableRange } from './movable-range.js';
import { serveShard } from './shard-service.js';
import { transferables } from '../profiles/order-collector.js';
import { failedOutcome, readPart, takenOverParts } from './part-reading.js';
import { inputSettingsFrom, type PartProgress, type PartTask, type TakenOverPart } from './part-threads.js';

const port = parentPort!;

async function readParts(task: PartTask): Promise<boolean> {
  const ranges = task.ranges.map((buffer) => MovableRange.of(buffer));
  const reading = { computation: computationOf(task.computation), shards: task.shards, settings: inputSettingsFrom(task.settings) };
  let before = 0;
  const progress = (recordsSoFar: number) => port.postMessage({ recordsSoFar: before + recordsSoFar } satisfies PartProgress);
  const ownPart = await readPart({ ...reading, cut: task.cut, start: task.cut.cuts[task.part - 1]!, end: ranges[task.part - 1]! }, progress).catch(failedOutcome);
  port.postMessage(ownPart, ownPart.ok ? transferables(ownPart.part) : []);
  // A part that cannot be taken has the file read in turn from it: taking over more would be lost work.
  if (ownPart.ok) {
    before = ownPart.records;
    for await (const { start, outcome } of takenOverParts(task.cut, ranges, task.takeOverMinBytes, reading, () => progress)) {
      port.postMessage({ takenOver: start, outcome } satisfies TakenOverPart, outcome.ok ? transferables(outcome.part) : []);
      if (outcome.ok) before += outcome.records;
    }
  }
  port.postMessage({ doneTakingOver: true });
  return ownPart.ok;
}

port.once('message', (task: PartTask) => {
  void readParts(task).then((ok) => {
    // The main thread may give this thread a shard of the profiles to compute next, or stop it.
    if (ok) serveShard(port);
  });
});
