/**
 * `trim()` and `toLowerCase()` of a text held as ASCII bytes, done on the bytes: for the CSV reader,
 * which has a plain ASCII cell's bytes at hand and would otherwise make a string of it only to trim
 * it. Exact for ASCII only: on ASCII, `trim` removes exactly the bytes 0x09 to 0x0d and 0x20, and
 * `toLowerCase` changes exactly A to Z (beyond ASCII both know far more, and the reader uses them).
 */

const TAB = 0x09;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const CAPITAL_A = 0x41;
const CAPITAL_Z = 0x5a;
const TO_LOWER = 0x20;

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

/** Whether `bytes[start, end)` has a capital letter A to Z, which `toLowerCase` would change. */
export function hasAsciiCapital(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte >= CAPITAL_A && byte <= CAPITAL_Z) return true;
  }
  return false;
}

/**
 * `hasAsciiCapital` of ASCII bytes (every one below 0x80) read through `view`, four at a time: a
 * byte is a capital when adding 0x3f sets its top bit (it is 0x41 or more) and adding 0x25 does not
 * (it is below 0x5b). Below 0x80 neither sum carries into the next byte.
 */
export function hasCapitalInAscii(view: DataView, start: number, end: number): boolean {
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const word = view.getUint32(i);
    if ((word + 0x3f3f3f3f) & ~(word + 0x25252525) & 0x80808080) return true;
  }
  for (; i < end; i++) {
    const byte = view.getUint8(i);
    if (byte >= CAPITAL_A && byte <= CAPITAL_Z) return true;
  }
  return false;
}

/** Writes `bytes[start, end)` lower-cased (A to Z only) into `into` from 0; `into` must have room. */
export function lowerCaseAsciiInto(bytes: Uint8Array, start: number, end: number, into: Uint8Array): void {
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    into[i - start] = byte >= CAPITAL_A && byte <= CAPITAL_Z ? byte + TO_LOWER : byte;
  }
}
