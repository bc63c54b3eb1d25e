/**
 * Reading one later part of a cut file into a collector of its own, and handing it over as plain
 * data (see part-threads.ts): on a worker thread for the parts it was given, and on the main thread
 * for the rest of a part it takes over from a slower thread.
 */
import type { Definitions } from '../core/definitions.js';
import { lineAt, type Cut, type FileCut } from '../io/file-cut.js';
import type { RejectedRecord } from '../io/formats/format.js';
import type { MovableRange } from '../io/movable-range.js';
import { readLaterPart, type InputSettings } from '../io/read-orders.js';
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

/** Past this many rejected rows the part is read again on the main thread, which writes them as it goes. */
const MAX_HELD_REJECTS = 100_000;

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
  const collector = new OrderCollector(
    part.definitions,
    part.asOf,
    (rejected) => {
      if (rejects.length >= MAX_HELD_REJECTS) throw new Error('too many rejected rows to hold');
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
