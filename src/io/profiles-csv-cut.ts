/**
 * Where to cut a large profiles CSV in two, so that another thread reads the second part while this
 * one reads the first (read-profiles-csv.ts). The cut is the start of the line after the middle of
 * the file. A profiles CSV written by compute has one record per line, but an edited one may hold a
 * line break inside a quoted field, so the cut is only a guess until the first part has been read
 * to it: reading must have ended a record exactly there (the scanner holds nothing back). Otherwise
 * the second part's result is dropped and the first reader reads on, as if there were no cut.
 */
import { open, stat } from 'node:fs/promises';
import { lineBreakStyle } from './csv-scanner.js';
import { startsLikeGzip } from './input-stream.js';

/** Below this size a second thread costs about what it saves (starting it is ~50 ms). */
export const PROFILES_CUT_MIN_BYTES = 8 * 1024 * 1024;
/** How far the header and the line at the middle are looked for. */
const WINDOW_BYTES = 1 << 16;
/** The first part is the larger: the other thread starts a little later. */
const FIRST_PART_EXTRA = 0.02;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BOM = [0xef, 0xbb, 0xbf] as const;

export interface ProfilesCut {
  /** The header record's bytes (and line break), for the second part's reader to start with. */
  readonly header: Buffer;
  /** Where the second part starts: just after a line feed. */
  readonly offset: number;
}

/**
 * A cut of `path` in two parts, or undefined when the file is smaller than `minBytes`, compressed,
 * of lone-`\r` lines (its line breaks are not found by `\n`), or no line feed shows up where looked for.
 */
export async function findProfilesCut(path: string, { minBytes = PROFILES_CUT_MIN_BYTES }: { readonly minBytes?: number } = {}): Promise<ProfilesCut | undefined> {
  const { size } = await stat(path);
  if (size < minBytes) return undefined;
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(WINDOW_BYTES, size));
    await file.read(head, 0, head.length, 0);
    if (startsLikeGzip(head) || lineBreakStyle(head, true) !== 'lf') return undefined;
    const header = headerRecord(head);
    if (header === undefined) return undefined;
    const from = Math.max(Math.floor(size * (0.5 + FIRST_PART_EXTRA)), header.end);
    const window = Buffer.alloc(WINDOW_BYTES);
    const { bytesRead } = await file.read(window, 0, WINDOW_BYTES, from);
    const lineEnd = window.subarray(0, bytesRead).indexOf(LF);
    if (lineEnd < 0) return undefined;
    const offset = from + lineEnd + 1;
    if (offset >= size) return undefined;
    return { header: head.subarray(header.start, header.end), offset };
  } finally {
    await file.close();
  }
}

/**
 * Where the header record lies in `head`: after a byte-order mark and blank lines (which the scanner
 * skips), up to its line feed. Undefined for a header with a quote: a quoted field may hold a line
 * break, and then its first line is not the record (such a file is read whole). Without a quote,
 * the line is the record.
 */
function headerRecord(head: Buffer): { readonly start: number; readonly end: number } | undefined {
  let start = head[0] === BOM[0] && head[1] === BOM[1] && head[2] === BOM[2] ? BOM.length : 0;
  for (;;) {
    if (head[start] === LF) start++;
    else if (head[start] === CR && head[start + 1] === LF) start += 2;
    else break;
  }
  const lineEnd = head.indexOf(LF, start);
  if (lineEnd < 0 || head.subarray(start, lineEnd).includes(QUOTE)) return undefined;
  return { start, end: lineEnd + 1 };
}
