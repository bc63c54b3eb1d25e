/**
 * Reading one later part of a cut file into a collector of its own, and handing it over as plain
 * data (see part-threads.ts): on a worker thread for the parts it was given, and on the main thread
 * for the rest of a part it takes over from a slower thread.
 */
import type { Definitions } from '../core/definitions.js';
import { cutAt, lineAt, type Cut, type FileCut } from '../io/file-cut.js';
import type { RejectedRecord } from '../io/formats/format.js';
import type { MovableRange } from '../io/movable-range.js';
import { FILE_END, readLaterPart, type InputSettings } from '../io/read-orders.js';
import { OrderCollector, type CollectedPart } from './order-collector.js';

/** What a part's reading gives: its orders, or why the part cannot be used. */
export type PartOutcome =
  | {
      readonly ok: true;
      /** The part's first line, when it was counted (the part had rejects, which show it). */
      readonly line: number | undefined;
      readonly lineBreaks: number;
      readonly records: number;
      /** Where the part ended (undefined: the end of the file), and the order open there. */
      readonly end: number | undefined;
      readonly openOrderId: string | undefined;
      readonly part: CollectedPart;
      readonly rejects: readonly RejectedRecord[];
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Past this much rejected text (rows and reasons, in UTF-16 units) the part is given up and read again
 * on the main thread, which writes rejects as it goes: a part's held rejects are bounded by bytes, not
 * rows (100,000 rows of a wide export held 100 MB per thread).
 */
const MAX_HELD_REJECT_CHARS = 8 * 1024 * 1024;

/** Any line number: a part without rejects never shows one. */
const PROVISIONAL_LINE = 2;

export interface PartToRead {
  readonly cut: FileCut;
  readonly start: Cut;
  /** Where it ends (undefined: the end of the file), or its bytes as a range another thread may end sooner. */
  readonly end: number | undefined | MovableRange;
  readonly definitions: Definitions;
  readonly asOf: number;
  readonly shards: number;
  readonly settings: InputSettings;
}

/**
 * Line numbers only matter for rejected rows, and counting the line breaks of the parts before costs
 * a thread a tenth of its work: the part is read with provisional numbers first, and read again
 * with the true ones (and the end it came to) only when it has rejects.
 */
export async function readPart(part: PartToRead, onRecords?: (recordsSoFar: number) => void): Promise<PartOutcome> {
  const provisional = await readFrom(part, PROVISIONAL_LINE, onRecords);
  if (!provisional.ok || provisional.rejects.length === 0) return provisional;
  return readFrom({ ...part, end: provisional.end }, await lineAt(part.cut.path, part.start.offset));
}

async function readFrom(part: PartToRead, line: number, onRecords?: (recordsSoFar: number) => void): Promise<PartOutcome> {
  const rejects: RejectedRecord[] = [];
  let held = 0;
  const collector = new OrderCollector(
    part.definitions,
    part.asOf,
    (rejected) => {
      held += rejected.raw.length + rejected.reason.length;
      if (held > MAX_HELD_REJECT_CHARS) throw new Error('too many rejected rows to hold');
      rejects.push(rejected);
    },
    part.shards,
  );
  const range = typeof part.end === 'object' ? { end: undefined, movable: part.end } : { end: part.end };
  const read = await readLaterPart(part.cut, { start: { offset: part.start.offset, line }, ...range }, part.settings, collector, onRecords);
  if (!read.standsAlone) return { ok: false, reason: 'the part needs what the parts before it settle, or does not end at its cut' };
  return {
    ok: true,
    line: line === PROVISIONAL_LINE ? undefined : line,
    lineBreaks: read.lineBreaks,
    records: read.records,
    end: read.end,
    openOrderId: read.openOrderId,
    part: collector.handOver(),
    rejects,
  };
}

/** The rest of another thread's part, taken over: from `start` to `end` (FILE_END: the end of the file). */
export interface TakenOver {
  readonly start: Cut;
  readonly end: number;
}

/**
 * Ends the range with the most left to claim, if that is `minLeft` or more, halfway through what is
 * left, at a cut found there, and returns the rest, now the caller's to read; undefined once no range
 * has that much left. A range that cannot be ended there (no cut, or its reader has claimed past it
 * meanwhile) is dropped from `ranges`: what is left of it is its reader's.
 */
export async function takeOver(cut: FileCut, ranges: (MovableRange | undefined)[], minLeft: number): Promise<TakenOver | undefined> {
  for (;;) {
    let slowest = -1;
    let mostLeft = 0;
    ranges.forEach((range, index) => {
      const left = range === undefined ? 0 : Math.min(range.end, cut.size) - range.claimed;
      if (left > mostLeft) [slowest, mostLeft] = [index, left];
    });
    if (slowest < 0 || mostLeft < minLeft) return undefined;
    const range = ranges[slowest]!;
    const start = await cutAt(cut, range.claimed + Math.floor(mostLeft / 2)).catch(() => undefined);
    const end = start === undefined ? -1 : range.endAt(start.offset);
    if (start !== undefined && end >= 0) return { start, end };
    ranges[slowest] = undefined;
  }
}

/**
 * Takes over (`takeOver`) and reads one part after another while a range has `minLeft` left, each
 * read with the progress callback `progress()` gives; a failure to read one is its outcome.
 */
export async function* takenOverParts(
  cut: FileCut,
  ranges: (MovableRange | undefined)[],
  minLeft: number,
  part: Omit<PartToRead, 'cut' | 'start' | 'end'>,
  progress: () => ((recordsSoFar: number) => void) | undefined,
): AsyncGenerator<{ readonly start: Cut; readonly outcome: PartOutcome }> {
  for (let taken = await takeOver(cut, ranges, minLeft); taken !== undefined; taken = await takeOver(cut, ranges, minLeft)) {
    const outcome = await readPart({ ...part, cut, start: taken.start, end: taken.end === FILE_END ? undefined : taken.end }, progress()).catch(failedOutcome);
    yield { start: taken.start, outcome };
  }
}

/** The outcome of a part whose reading threw. */
export function failedOutcome(error: unknown): PartOutcome {
  return { ok: false, reason: error instanceof Error ? error.message : String(error) };
}
