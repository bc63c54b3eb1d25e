/**
 * Worker thread entry: reads one later part of a cut file into its own collector and posts the result
 * (see part-threads.ts). The part comes as the first message, so that the thread can be started, and
 * load its code, while the cut is still being looked for. Typed arrays are transferred, not copied.
 * Then it may be given a shard of the profiles to compute (computing/shard-service.ts).
 */
import { parentPort } from 'node:worker_threads';
import { lineAt } from '../io/file-cut.js';
import type { RejectedRecord } from '../io/formats/format.js';
import { readLaterPart } from '../io/read-orders.js';
import { serveShard } from '../computing/shard-service.js';
import { OrderCollector, transferables } from './order-collector.js';
import { inputSettingsFrom, type PartOutcome, type PartProgress, type PartTask } from './part-threads.js';

/** Past this many rejected rows the part is read again on the main thread, which writes them as it goes. */
const MAX_HELD_REJECTS = 100_000;

/** Any line number: a part without rejects never shows one. */
const PROVISIONAL_LINE = 2;

/**
 * Line numbers only matter for rejected rows, and counting the line breaks of the parts before costs
 * this thread a tenth of its work: the part is read with provisional numbers first, and read again
 * with the true ones only when it has rejects.
 */
async function readPart(task: PartTask): Promise<PartOutcome> {
  const provisional = await readFrom(task, PROVISIONAL_LINE);
  if (!provisional.ok || provisional.rejects.length === 0) return provisional;
  return readFrom(task, await lineAt(task.cut.path, task.cut.cuts[task.part - 1]!.offset));
}

async function readFrom(task: PartTask, line: number): Promise<PartOutcome> {
  const range = task.cut.cuts[task.part - 1]!;
  const end = task.cut.cuts[task.part];
  const rejects: RejectedRecord[] = [];
  const collector = new OrderCollector(
    task.definitions,
    task.asOf,
    (rejected) => {
      if (rejects.length >= MAX_HELD_REJECTS) throw new Error('too many rejected rows to hold');
      rejects.push(rejected);
    },
    task.shards,
  );
  const read = await readLaterPart(task.cut, { start: { offset: range.offset, line }, end }, inputSettingsFrom(task.settings), collector, (recordsSoFar) =>
    parentPort!.postMessage({ recordsSoFar } satisfies PartProgress),
  );
  if (!read.standsAlone) return { ok: false, reason: 'the part needs what the parts before it settle, or does not end at its cut' };
  return { ok: true, line: line === PROVISIONAL_LINE ? undefined : line, lineBreaks: read.lineBreaks, records: read.records, part: collector.handOver(), rejects };
}

parentPort!.once('message', (task: PartTask) => {
  readPart(task).then(
    (outcome) => {
      parentPort!.postMessage(outcome, outcome.ok ? transferables(outcome.part) : []);
      // The main thread may give this thread a shard of the profiles to compute next, or stop it.
      if (outcome.ok) serveShard(parentPort!);
    },
    (error: unknown) => parentPort!.postMessage({ ok: false, reason: error instanceof Error ? error.message : String(error) } satisfies PartOutcome),
  );
});
