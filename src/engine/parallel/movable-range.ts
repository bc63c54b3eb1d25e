/**
 * A part of a file whose end another thread may move back while the part is read: a thread done
 * with its own part takes over the rest of a slower one's (reading/part-threads.ts), so that a core
 * slowed by other work, or a slower core, does not hold the whole run up.
 *
 * The reader claims each block before it reads it, and the end only moves back to a point past what
 * is claimed. Both happen under a lock of one shared word, held for a few loads and stores (never
 * across I/O), so no byte is read by both threads and none by neither.
 */
import { open } from 'node:fs/promises';

/** What a reader claims at a time: as much as a read stream reads at a time. */
const BLOCK_BYTES = 1 << 20;

const UNLOCKED = 0;
const LOCKED = 1;
/** BigInt64 slots, after the Int32 lock word (padded to 8 bytes). */
const CLAIMED = 1;
const END = 2;

export class MovableRange {
  /** Shared with the other thread: post it, and make a MovableRange of it there (`of`). */
  readonly buffer: SharedArrayBuffer;
  readonly #lock: Int32Array;
  readonly #offsets: BigInt64Array;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#lock = new Int32Array(buffer, 0, 1);
    this.#offsets = new BigInt64Array(buffer);
  }

  /** The bytes `[start, end)` of a file, none of them claimed yet. */
  static create(start: number, end: number): MovableRange {
    const range = new MovableRange(new SharedArrayBuffer(3 * 8));
    range.#offsets[CLAIMED] = BigInt(start);
    range.#offsets[END] = BigInt(end);
    return range;
  }

  /** The range another thread made (`create`), from its buffer. */
  static of(buffer: SharedArrayBuffer): MovableRange {
    return new MovableRange(buffer);
  }

  /** How far the reader has claimed: bytes before this are read or being read. */
  get claimed(): number {
    return this.#locked(() => Number(this.#offsets[CLAIMED]));
  }

  /** Where the range ends now; once the reader has claimed up to it, where it ended. */
  get end(): number {
    return this.#locked(() => Number(this.#offsets[END]));
  }

  /** For the reader: claims up to `bytes` more, and returns where the claim ends (where it began when nothing is left). */
  claim(bytes: number): number {
    return this.#locked(() => {
      const claimed = this.#offsets[CLAIMED]!;
      const end = this.#offsets[END]!;
      const to = claimed + BigInt(bytes) < end ? claimed + BigInt(bytes) : end;
      this.#offsets[CLAIMED] = to;
      return Number(to);
    });
  }

  /**
   * For another thread: ends the range at `offset` instead, if no byte from there on is claimed and
   * it is before the end; returns the end it had, which the caller now reads up to, or -1 (unchanged).
   */
  endAt(offset: number): number {
    return this.#locked(() => {
      const end = Number(this.#offsets[END]);
      if (!(offset >= Number(this.#offsets[CLAIMED]) && offset < end)) return -1;
      this.#offsets[END] = BigInt(offset);
      return end;
    });
  }

  #locked<T>(step: () => T): T {
    // Held for a few loads and stores only: spinning costs less than any wait.
    while (Atomics.compareExchange(this.#lock, 0, UNLOCKED, LOCKED) !== UNLOCKED);
    try {
      return step();
    } finally {
      Atomics.store(this.#lock, 0, UNLOCKED);
    }
  }
}

/** The bytes of `path` in `range`, a block at a time, each claimed before it is read. */
export async function* movableRangeChunks(path: string, range: MovableRange): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    let from = range.claimed;
    for (;;) {
      const to = range.claim(BLOCK_BYTES);
      if (to <= from) return;
      const chunk = Buffer.allocUnsafe(to - from);
      let read = 0;
      while (read < chunk.length) {
        const { bytesRead } = await file.read(chunk, read, chunk.length - read, from + read);
        if (bytesRead === 0) break; // the file is shorter than it was
        read += bytesRead;
      }
      if (read > 0) yield read === chunk.length ? chunk : chunk.subarray(0, read);
      if (read < chunk.length) return;
      from = to;
    }
  } finally {
    await file.close();
  }
}
