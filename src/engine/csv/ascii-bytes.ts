/**
 * `trim()` of a text held as ASCII bytes, done on the bytes: for the CSV reader, which has a plain
 * ASCII cell's bytes at hand and would otherwise make a string of it only to trim it. Exact for
 * ASCII only: on ASCII, `trim` removes exactly the bytes 0x09 to 0x0d and 0x20 (beyond ASCII it
 * knows far more, and the reader uses it there).
 */

const TAB = 0x09;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;

/** Whether `byte` is one `trim()` removes, for an ASCII byte. */
function isTrimmed(byte: number): boolean {
  return byte === SPACE || (byte >= TAB && byte <= CARRIAGE_RETURN);
}

/** Where `bytes[start, end)` starts without its leading whitespace (`end` when it is all whitespace). */
export function trimmedStart(bytes: Uint8Array, start: number, end: number): number {
  while (start < end && isTrimmed(bytes[start]!)) start++;
  return start;
}

/** Where `bytes[start, end)` ends without its trailing whitespace (`start` when it is all whitespace). */
export function trimmedEnd(bytes: Uint8Array, start: number, end: number): number {
  while (end > start && isTrimmed(bytes[end - 1]!)) end--;
  return end;
}
