/**
 * The CSV scanner's structural pass in WebAssembly SIMD (csv-structure.wat): where records and
 * their first fields start and end, found 16 bytes at a time. JavaScript reads a byte per step; a
 * Shopify row is ~290 bytes and 79 fields, most of them empty, so finding its commas was the largest
 * single cost of a run. The pass takes only plain records and leaves everything else (blank lines,
 * stray quotes, `"\r\n`, a record cut by the chunk's end) to the scanner's own code, so what the
 * scanner reports is the same either way (test/io/csv-scanner.test.ts holds the two together).
 */
import { readFileSync } from 'node:fs';

/** Why a pass stopped: the bytes ran out inside the record at `stopAt` (or there are none left). */
export const BYTES_ENDED = 0;
/** Why a pass stopped: the record at `stopAt` is one for the scanner's own code. */
export const NOT_PLAIN = 1;
/** Why a pass stopped: the output holds `RECORDS_PER_PASS` records; call again from `stopAt`. */
export const OUTPUT_FULL = 2;
export type StructureStop = typeof BYTES_ENDED | typeof NOT_PLAIN | typeof OUTPUT_FULL;

/** Records per call: enough that a call's cost is nothing beside its records' (~0.3 ms of work). */
export const RECORDS_PER_PASS = 2048;
/** The pass is used for records whose last decoded field is at most this column. */
export const MAX_STRUCTURED_COLUMN = 255;
/** Slots per record before its fields: start, next record's start, field count, line breaks, not-ASCII. */
export const RECORD_HEADER_SLOTS = 5;
const PAGE_BYTES = 65536;

interface StructureExports {
  readonly memory: WebAssembly.Memory;
  readonly stopAt: WebAssembly.Global;
  readonly stopKind: WebAssembly.Global;
  scan(start: number, end: number, delimiter: number, lastWanted: number, out: number, max: number): number;
}

const compiled = compile();

function compile(): WebAssembly.Module | undefined {
  // Built next to this file by `npm run build`; without it (or without SIMD) the scanner reads bytes itself.
  try {
    return new WebAssembly.Module(readFileSync(new URL('./csv-structure.wasm', import.meta.url)));
  } catch {
    return undefined;
  }
}

/** Whether the pass can run here: the module was built and this runtime has WebAssembly SIMD. */
export function structurePassAvailable(): boolean {
  return compiled !== undefined;
}

/** One scanner's instance of the pass, with its own memory: the bytes of a chunk and the records found. */
export class StructurePass {
  readonly #exports: StructureExports;
  /** The buffer whose bytes the memory holds now. */
  #loaded: Uint8Array | undefined;
  #out = 0;
  #records = new Int32Array(0);
  /** Slots per record in `records`, for the `lastWanted` of the last `scan`. */
  stride = 0;

  private constructor(exports: StructureExports) {
    this.#exports = exports;
  }

  /** A new pass, or undefined where it cannot run. */
  static create(): StructurePass | undefined {
    if (compiled === undefined) return undefined;
    return new StructurePass(new WebAssembly.Instance(compiled, {}).exports as unknown as StructureExports);
  }

  /**
   * Scans plain records of `bytes` from `start`, decoding offsets for columns 0 to `lastWanted`;
   * returns how many were found. Record r's slots start at `r * stride` of `records`.
   */
  scan(bytes: Uint8Array, start: number, delimiter: number, lastWanted: number): number {
    const stride = RECORD_HEADER_SLOTS + 2 * (lastWanted + 1);
    if (this.#loaded !== bytes) this.#load(bytes, stride);
    else if (stride !== this.stride) this.#reserveOutput(bytes.length, stride);
    this.stride = stride;
    return this.#exports.scan(start, bytes.length, delimiter, lastWanted, this.#out, RECORDS_PER_PASS);
  }

  /** The slots of the records the last `scan` found. */
  get records(): Int32Array {
    return this.#records;
  }

  get stopAt(): number {
    return this.#exports.stopAt.value as number;
  }

  get stopKind(): StructureStop {
    return this.#exports.stopKind.value as StructureStop;
  }

  /** Forgets the bytes held, so that a buffer reused for other bytes is copied in again. */
  release(): void {
    this.#loaded = undefined;
  }

  #load(bytes: Uint8Array, stride: number): void {
    this.#reserveOutput(bytes.length, stride);
    new Uint8Array(this.#exports.memory.buffer, 0, bytes.length).set(bytes);
    this.#loaded = bytes;
  }

  /** Room for `length` bytes, the 16 the pass may read past them, and a pass's records after them. */
  #reserveOutput(length: number, stride: number): void {
    const memory = this.#exports.memory;
    this.#out = Math.ceil((length + 16) / 16) * 16;
    const needed = this.#out + 4 * stride * RECORDS_PER_PASS;
    if (needed > memory.buffer.byteLength) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE_BYTES));
    // A grown memory has a new buffer: the view is made after growing.
    this.#records = new Int32Array(memory.buffer, this.#out, stride * RECORDS_PER_PASS);
  }
}
