/**
 * Worker thread entry: reads one later part of a cut file into its own collector and posts the result
 * (see part-threads.ts). Typed arrays are transferred, not copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { lineAt } from '../io/file-cut.js';
import type { RejectedRecord } from '../io/formats/format.js';
import { readLaterPart } from '../io/read-orders.js';
import { OrderCollector, transferables } from './order-collector.js';
import { inputSettingsFrom, type PartOutcome, type PartProgress, type PartTask } from './part-threads.js';

/** Past this many rejected rows the part is read again on the main thread, which writes them as it goes. */
const MAX_HELD_REJECTS = 100_000;

const task = workerData as PartTask;
/** Any line number: a part without rejects never shows one. */
const PROVISIONAL_LINE = 2;

/**
 * Line numbers only matter for rejected rows, and counting the line breaks of the parts before costs
 * this thread a tenth of its work: the part is read with provisional numbers first, and read again
 * with the true ones only when it has rejects.
 */
async function readPart(): Promise<PartOutcome> {
  const provisional = await readFrom(PROVISIONAL_LINE);
  if (!provisional.ok || provisional.rejects.length === 0) return provisional;
  return readFrom(await lineAt(task.cut.path, range.offset));
}

const range = task.cut.cuts[task.part - 1]!;
const end = task.cut.cuts[task.part];

async function readFrom(line: number): Promise<PartOutcome> {
  const rejects: RejectedRecord[] = [];
  const collector = new OrderCollector(task.definitions, task.asOf, (rejected) => {
    if (rejects.length >= MAX_HELD_REJECTS) throw new Error('too many rejected rows to hold');
    rejects.push(rejected);
  }, task.shards);
  const read = await readLaterPart(task.cut, { start: { offset: range.offset, line }, end }, inputSettingsFrom(task.settings), collector, (recordsSoFar) =>
    parentPort!.postMessage({ recordsSoFar } satisfies PartProgress),
  );
  if (!read.standsAlone) return { ok: false, reason: 'the part needs what the parts before it settle, or does not end at its cut' };
  return { ok: true, line: line === PROVISIONAL_LINE ? undefined : line, lineBreaks: read.lineBreaks, records: read.records, part: collector.handOver(), rejects };
}

readPart().then(
  (outcome) => {
    parentPort!.postMessage(outcome, outcome.ok ? transferables(outcome.part) : []);
  },
  (error: unknown) => parentPort!.postMessage({ ok: false, reason: error instanceof Error ? error.message : String(error) } satisfies PartOutcome),
);
