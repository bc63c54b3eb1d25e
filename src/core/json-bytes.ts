/**
 * JSON text written as UTF-8 bytes into one reused buffer: what the fingerprint hashes and the batch
 * planner measures, a million profiles' worth. A string per profile (and per date in it), joined and
 * then encoded again for the hash or Buffer.byteLength, cost several times the writing itself.
 */
import { formatUtc, utcFields } from './timestamp.js';

const QUOTE = 0x22;
const DASH = 0x2d;
const COLON = 0x3a;
const SPACE = 0x20;
const DIGIT_0 = 0x30;
const POINT = 0x2e;
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, power) => 10 ** power);

export class JsonBytes {
  #buffer = Buffer.allocUnsafe(1 << 17);
  #length = 0;
  readonly #fields = new Int32Array(6);

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

  /** `"yyyy-MM-dd HH:mm:ss"` in UTC, quotes included, as `JSON.stringify(formatUtc(epochMs))` gives it. */
  quotedDate(epochMs: number): void {
    const fields = this.#fields;
    if (!utcFields(epochMs, fields)) {
      this.text(JSON.stringify(formatUtc(epochMs)));
      return;
    }
    this.#reserve(21);
    const buffer = this.#buffer;
    let at = this.#length;
    buffer[at++] = QUOTE;
    at = digits(buffer, at, fields[0]!, 4);
    buffer[at++] = DASH;
    at = digits(buffer, at, fields[1]!, 2);
    buffer[at++] = DASH;
    at = digits(buffer, at, fields[2]!, 2);
    buffer[at++] = SPACE;
    at = digits(buffer, at, fields[3]!, 2);
    buffer[at++] = COLON;
    at = digits(buffer, at, fields[4]!, 2);
    buffer[at++] = COLON;
    at = digits(buffer, at, fields[5]!, 2);
    buffer[at++] = QUOTE;
    this.#length = at;
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.#buffer.length, this.#length + bytes));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }
}

/** `value` as `width` decimal digits (zero-padded) at `at`; returns the end. */
function digits(buffer: Buffer, at: number, value: number, width: number): number {
  for (let i = width - 1; i >= 0; i--) {
    buffer[at + i] = DIGIT_0 + (value % 10);
    value = Math.floor(value / 10);
  }
  return at + width;
}
