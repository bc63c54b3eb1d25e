/**
 * Cutting one large export in parts, so that other threads read the later parts while this one reads
 * the first (a nightly run over millions of orders has several cores; parsing is most of its time).
 *
 * A cut must be where reading the whole file in turn would be too: at the start of a record, between
 * two orders, with nothing held back. Each cut is found by reading a window of the file from its
 * first line break on. That line break may lie inside a quoted field, so a cut is only a guess until
 * the part before it has been read to it: reading ended a record exactly there, and the order open
 * at that point is another order than the one the next part starts with. Only then is the next
 * part's result taken (see read-orders.ts); otherwise reading in turn goes on from the last good cut.
 */
import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { countLineBreaks, CsvScanner, lineBreakStyle, type ScannedRecord } from '../csv/csv-scanner.js';
import { isYearFirst } from '../csv/cell-readers.js';
import type { CutColumns, OrderFormat } from '../../io/formats/format.js';
import { headerDelimiter, startsLikeGzip, type Delimiter } from '../../io/input-stream.js';

/** Below this size a second thread costs more to start and feed than it saves; each part gets half of it at least. */
export const CUT_MIN_BYTES = 64 * 1024 * 1024;
/**
 * How much of the file is read at each guess to find a cut: a small window first (a cut is a few
 * records in, and every field of the window's records is decoded), then a large one.
 */
const WINDOWS_BYTES = [1 << 16, 1 << 20];
const HEAD_BYTES = 1 << 16;
/**
 * The first part, the main thread's, is this share of an even one: that thread alone takes over the
 * rest of a slower thread's part when it is done (reading/part-threads.ts), so it is better done
 * first. Readers of even parts of the 1M-order bench file finished 0.1 to 0.5 s apart either way
 * round; 10% less has this one done about 0.2 s early.
 */
const FIRST_PART_SHARE = 0.9;
const LF = 0x0a;

/** Where a later part starts: a record whose order id differs from the record's before it. */
export interface Cut {
  readonly offset: number;
  /** That record's order id. */
  readonly firstOrderId: string;
}

export interface FileCut {
  readonly path: string;
  readonly delimiter: Delimiter;
  /** Bytes `[0, headerEnd)` are the header record. */
  readonly headerEnd: number;
  /** In file order; part 0 is `[0, cuts[0])`, part k is `[cuts[k - 1], cuts[k])`, the last runs to the end. */
  readonly cuts: readonly Cut[];
  /** The file's size when it was cut: where the last part ends. */
  readonly size: number;
  /** The columns a cut is told by, for cuts found later (`cutAt`). */
  readonly columns: CutColumns;
}

/**
 * Cuts for `path` into at most `parts` parts, or undefined when the file is small, compressed, of a
 * format that cannot be cut, or no cut shows up where one was looked for (then it is read in one
 * part, as always). Each part is `minBytes / 2` or more.
 */
export async function findCuts(
  path: string,
  givenDelimiter: Delimiter | undefined,
  formatOf: (header: readonly string[]) => OrderFormat | undefined,
  { minBytes = CUT_MIN_BYTES, parts = 2 }: { readonly minBytes?: number; readonly parts?: number } = {},
): Promise<FileCut | undefined> {
  const { size } = await stat(path);
  if (size < minBytes || parts < 2) return undefined;
  const count = Math.max(2, Math.min(parts, Math.floor(size / (minBytes / 2))));
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

    const headerEnd = bom + header.byteLength;
    const cuts: Cut[] = [];
    const first = FIRST_PART_SHARE / count;
    for (let k = 1; k < count; k++) {
      const guess = Math.floor(size * (first + ((k - 1) * (1 - first)) / (count - 1)));
      const cut = await cutNear(file, Math.max(guess, cuts.at(-1)?.offset ?? headerEnd), delimiter, columns);
      if (cut === undefined) return undefined;
      if (cut.offset > (cuts.at(-1)?.offset ?? headerEnd) && cut.offset < size) cuts.push(cut);
    }
    return cuts.length === 0 ? undefined : { path, delimiter, headerEnd, cuts, size, columns };
  } finally {
    await file.close();
  }
}

/** The first cut of `cut`'s file in the window from `from` (see `cutNear`), or undefined when there is none. */
export async function cutAt(cut: FileCut, from: number): Promise<Cut | undefined> {
  const file = await open(cut.path, 'r');
  try {
    return await cutNear(file, from, cut.delimiter, cut.columns);
  } finally {
    await file.close();
  }
}

/** The first cut in a window from `from`: after its first line break, between two orders. */
async function cutNear(file: FileHandle, from: number, delimiter: Delimiter, columns: CutColumns): Promise<Cut | undefined> {
  for (const bytes of WINDOWS_BYTES) {
    const cut = await cutInWindow(file, from, bytes, delimiter, columns);
    if (cut !== undefined) return cut;
  }
  return undefined;
}

async function cutInWindow(file: FileHandle, from: number, bytes: number, delimiter: Delimiter, columns: CutColumns): Promise<Cut | undefined> {
  const window = Buffer.alloc(bytes);
  const { bytesRead } = await file.read(window, 0, bytes, from);
  const lineEnd = window.subarray(0, bytesRead).indexOf(LF);
  if (lineEnd < 0) return undefined;
  let offset = from + lineEnd + 1;
  let previous: string | undefined;
  for (const record of wholeRecords(window.subarray(lineEnd + 1, bytesRead), delimiter)) {
    const orderId = record.fields[columns.orderId];
    if (orderId === undefined) return undefined; // a malformed or short record: no cut near it
    if (previous !== undefined && orderId !== previous && isYearFirst(record.fields[columns.placedAt] ?? '')) return { offset, firstOrderId: orderId };
    previous = orderId;
    offset += record.byteLength;
  }
  return undefined;
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
