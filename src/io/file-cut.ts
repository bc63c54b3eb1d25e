/**
 * Cutting one large export in two, so that a second thread reads the second part while this one reads
 * the first (a nightly run over millions of orders has two cores; parsing is most of its time).
 *
 * A cut must be where reading the whole file in turn would be too: at the start of a record, between
 * two orders, with nothing held back. The cut is found by reading a window in the middle of the file
 * from the first line break on. That line break may lie inside a quoted field, so the cut is only a
 * guess until the first part has been read to it: reading in turn ended a record exactly there, and
 * the order open at that point is another order than the one the second part starts with. Only then
 * is the second part's result taken (see read-orders.ts); otherwise the first part reads on.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { countLineBreaks, CsvScanner, lineBreakStyle, type ScannedRecord } from './csv-scanner.js';
import { isYearFirst } from './formats/date-order-gate.js';
import type { OrderFormat } from './formats/format.js';
import { headerDelimiter, startsLikeGzip, type Delimiter } from './input-stream.js';

/** Below this size a second thread costs more to start and feed than it saves. */
export const CUT_MIN_BYTES = 64 * 1024 * 1024;
/** How much of the middle of the file is read to find a cut. */
const WINDOW_BYTES = 1 << 20;
const HEAD_BYTES = 1 << 16;
/** The first part is the larger: the second thread starts a little later (measured: ~0.15 s). */
const FIRST_PART_SHARE = 0.52;
const LF = 0x0a;

export interface FileCut {
  readonly path: string;
  readonly delimiter: Delimiter;
  /** Bytes `[0, headerEnd)` are the header record. */
  readonly headerEnd: number;
  /** Where the second part starts: a record whose order id differs from the record's before it. */
  readonly offset: number;
  /** That record's order id. */
  readonly firstOrderId: string;
}

/**
 * A cut for `path`, or undefined when the file is small, compressed, of a format that cannot be
 * cut, or no cut shows up in the middle of it (then it is read in one part, as always).
 */
export async function findCut(
  path: string,
  givenDelimiter: Delimiter | undefined,
  formatOf: (header: readonly string[]) => OrderFormat | undefined,
  minBytes = CUT_MIN_BYTES,
): Promise<FileCut | undefined> {
  const { size } = await stat(path);
  if (size < minBytes) return undefined;
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    await file.read(head, 0, HEAD_BYTES, 0);
    if (startsLikeGzip(head)) return undefined; // no byte offsets to cut at
    if (lineBreakStyle(head, true) === 'cr') return undefined; // the window below is found by \n
    const delimiter = givenDelimiter ?? headerDelimiter(head.toString('utf8'));
    const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    const [header] = wholeRecords(head, delimiter);
    if (header === undefined) return undefined;
    const columns = formatOf(header.fields)?.cutColumns?.(header.fields);
    if (columns === undefined) return undefined;

    const window = Buffer.alloc(WINDOW_BYTES);
    const middle = Math.floor(size * FIRST_PART_SHARE);
    const { bytesRead } = await file.read(window, 0, WINDOW_BYTES, middle);
    const lineEnd = window.subarray(0, bytesRead).indexOf(LF);
    if (lineEnd < 0) return undefined;
    let offset = middle + lineEnd + 1;
    let previous: string | undefined;
    for (const record of wholeRecords(window.subarray(lineEnd + 1, bytesRead), delimiter)) {
      const orderId = record.fields[columns.orderId];
      if (orderId === undefined) return undefined; // a malformed or short record: no cut near it
      if (previous !== undefined && orderId !== previous && isYearFirst(record.fields[columns.placedAt] ?? '')) {
        return { path, delimiter, headerEnd: bom + header.byteLength, offset, firstOrderId: orderId };
      }
      previous = orderId;
      offset += record.byteLength;
    }
    return undefined;
  } finally {
    await file.close();
  }
}

/** The complete records at the start of `bytes`, up to the first malformed one. */
function wholeRecords(bytes: Buffer, delimiter: Delimiter): ScannedRecord[] {
  const records: ScannedRecord[] = [];
  let malformed = false;
  const scanner = new CsvScanner(delimiter, {
    record: (record) => {
      if (!malformed) records.push(record);
    },
    issue: () => (malformed = true),
  });
  scanner.push(bytes);
  return records;
}

/** The bytes `[start, end)` of a file (`end` undefined: to its end). */
export function fileRange(path: string, start: number, end?: number): Readable {
  return createReadStream(path, { start, ...(end === undefined ? {} : { end: end - 1 }), highWaterMark: 1 << 20 });
}

/** The line that byte `offset` of a file is on: one more than the line breaks before it. */
export async function lineAt(path: string, offset: number): Promise<number> {
  let line = 1;
  if (offset === 0) return line;
  for await (const chunk of fileRange(path, 0, offset) as AsyncIterable<Buffer>) line += countLineBreaks(chunk);
  return line;
}
