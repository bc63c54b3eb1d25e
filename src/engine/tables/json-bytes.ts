/**
 * JSON text written as UTF-8 bytes into one reused buffer: what the fingerprint hashes and the batch
 * planner measures, a million profiles' worth. A string per profile (and per date in it), joined and
 * then encoded again for the hash or Buffer.byteLength, cost several times the writing itself.
 */
import { POWERS_OF_TEN } from '../../domain/money.js';
import { formatUtc } from '../../domain/timestamp.js';
import { UTC_DATE_BYTES, UtcDateBytes } from './utc-date-bytes.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DASH = 0x2d;
const DIGIT_0 = 0x30;
const POINT = 0x2e;

export class JsonBytes {
  #buffer = Buffer.allocUnsafe(1 << 17);
  #length = 0;
  /** Dates as the profiles CSV writes them: the same bytes, a day's worked out once. */
  readonly #dates = new UtcDateBytes();

  /** Bytes written since the last `clear`. */
  get length(): number {
    return this.#length;
  }

  /** The bytes written since the last `clear` (a view, valid until the next write). */
  bytes(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }

  clear(): void {
    this.#length = 0;
  }

  byte(value: number): void {
    this.#reserve(1);
    this.#buffer[this.#length++] = value;
  }

  /** Bytes as they are (a property name's JSON, encoded once). */
  raw(bytes: Uint8Array): void {
    const length = bytes.length;
    this.#reserve(length);
    const buffer = this.#buffer;
    const at = this.#length;
    // A loop, not `set`: for a name's dozen bytes the call costs more than the copy.
    for (let i = 0; i < length; i++) buffer[at + i] = bytes[i]!;
    this.#length = at + length;
  }

  /** Text as UTF-8: JSON text already (`JSON.stringify` of a string, a number's text). */
  text(text: string): void {
    const length = text.length;
    this.#reserve(3 * length); // UTF-8 takes at most 3 bytes per UTF-16 unit
    const buffer = this.#buffer;
    const at = this.#length;
    for (let i = 0; i < length; i++) {
      const unit = text.charCodeAt(i);
      if (unit >= 0x80) {
        // Beyond ASCII: Node's encoder, from where the plain bytes stopped.
        this.#length = at + i + buffer.write(text.slice(i), at + i, 'utf8');
        return;
      }
      buffer[at + i] = unit;
    }
    this.#length = at + length;
  }

  /**
   * A finite number as `JSON.stringify` (and `String`) writes it: the shortest decimal that reads back
   * as the same double. Written here, for money-like values, without Number's general shortest-digits
   * conversion, which cost more than everything else in a row's JSON. For |v| below 1e9 a grid of
   * 10^-k with k <= 6 is coarser than the doubles there, so at most one decimal with k fraction digits
   * reads back as v, and `Math.round(v * 10^k)` finds it; the first k that has one is the shortest.
   * Everything else (large, tiny, more digits) goes to String.
   */
  number(value: number): void {
    const magnitude = Math.abs(value);
    if (Number.isInteger(value) && magnitude < 1e15) {
      if (value < 0) this.byte(DASH);
      this.#integer(magnitude);
      return;
    }
    if (magnitude < 1e9 && magnitude >= 1e-6) {
      for (let k = 1; k <= 6; k++) {
        const scale = POWERS_OF_TEN[k]!;
        const scaled = Math.round(magnitude * scale);
        if (scaled / scale !== magnitude) continue;
        if (value < 0) this.byte(DASH);
        const fraction = scaled % scale;
        this.#integer((scaled - fraction) / scale);
        this.#reserve(k + 1);
        this.#buffer[this.#length++] = POINT;
        this.#length = digits(this.#buffer, this.#length, fraction, k);
        return;
      }
    }
    this.text(String(value));
  }

  /** A whole number below 1e15, in decimal digits. */
  #integer(value: number): void {
    let width = 1;
    while (width < 15 && value >= POWERS_OF_TEN[width]!) width++;
    this.#reserve(width);
    this.#length = digits(this.#buffer, this.#length, value, width);
  }

  /**
   * `JSON.stringify` of the Latin-1 text in `bytes[start, end)` when every byte is printable ASCII
   * that JSON leaves as it is (not `"` or `\`): then it is the bytes between quotes, copied without
   * a string. False, having written nothing, otherwise.
   */
  quotedAscii(bytes: Uint8Array, start: number, end: number): boolean {
    for (let i = start; i < end; i++) {
      const byte = bytes[i]!;
      if (byte < 0x20 || byte > 0x7e || byte === QUOTE || byte === BACKSLASH) return false;
    }
    this.#reserve(end - start + 2);
    const buffer = this.#buffer;
    let at = this.#length;
    buffer[at++] = QUOTE;
    for (let i = start; i < end; i++) buffer[at++] = bytes[i]!;
    buffer[at++] = QUOTE;
    this.#length = at;
    return true;
  }

  /** `"yyyy-MM-dd HH:mm:ss"` in UTC, quotes included, as `JSON.stringify(formatUtc(epochMs))` gives it. */
  quotedDate(epochMs: number): void {
    this.#reserve(UTC_DATE_BYTES + 2);
    const buffer = this.#buffer;
    buffer[this.#length] = QUOTE;
    if (this.#dates.write(epochMs, buffer, this.#length + 1) < 0) {
      // Outside years 1 to 9999: formatUtc's own way.
      this.text(JSON.stringify(formatUtc(epochMs)));
      return;
    }
    buffer[this.#length + 1 + UTC_DATE_BYTES] = QUOTE;
    this.#length += UTC_DATE_BYTES + 2;
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.#buffer.length, this.#length + bytes));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }
}

/** `value` (a whole number below 1e15) as `width` decimal digits (zero-padded) at `at`; returns the end. */
function digits(buffer: Buffer, at: number, value: number, width: number): number {
  let i = width - 1;
  // Above 2^31 by whole-number division on doubles, then on int32, which V8 makes a multiplication.
  for (; value > 0x7fffffff && i >= 0; i--) {
    const rest = Math.floor(value / 10);
    buffer[at + i] = DIGIT_0 + (value - rest * 10);
    value = rest;
  }
  let small = value | 0;
  for (; i >= 0; i--) {
    const rest = (small / 10) | 0;
    buffer[at + i] = DIGIT_0 + (small - rest * 10);
    small = rest;
  }
  return at + width;
}
