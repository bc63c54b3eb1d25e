/**
 * The rejects file: every row that could not be used, with its file, line, column and reason, and the
 * row's own text, so it can be fixed and re-run. Created only when there is something to put in it,
 * and moved into place only at the end of the run, like the output.
 *
 * Rows come from inside the reading loop, millions of them when every row of an export is bad. They
 * are gathered into blocks of about a quarter megabyte and each block written at once, with a
 * blocking write (see AtomicFileOptions.synchronous): memory stays at one block however many rows are
 * rejected. Held in memory until the end, or queued behind the loop for a stream, they took 1.6 GB for
 * 1M rows, and 3.5M ran out of heap.
 */
import type { RejectedRecord } from './formats/format.js';
import { unlink } from 'node:fs/promises';
import { firstLine } from './first-line.js';
import { outputTarget } from './output-target.js';
import { AtomicFile, CUSTOMER_FILE, writeError } from './atomic-file.js';
import { csvField } from './profiles-csv.js';

export const REJECTS_HEADER = ['file', 'line', 'column', 'code', 'reason', 'raw'] as const;

/** Text gathered before it is written: big enough that a write is rare, small enough not to matter. */
const BLOCK_CHARS = 256 * 1024;

export class RejectsFile {
  /** Undefined: rows are counted, and no file is written. */
  readonly path: string | undefined;
  #file: AtomicFile | undefined;
  #count = 0;
  /** Rows not written yet. */
  #block = '';
  /** The first write that failed (a full disk): reported by commit, which then leaves no file. */
  #failure: unknown;

  constructor(path: string | undefined) {
    this.path = path;
  }

  get count(): number {
    return this.#count;
  }

  add(rejected: RejectedRecord): void {
    this.#count++;
    if (this.path === undefined) return;
    if (this.#file === undefined) {
      this.#file = new AtomicFile(this.path, { ...CUSTOMER_FILE, synchronous: true });
      this.#block = csvLine(REJECTS_HEADER);
    }
    if (this.#failure !== undefined) return;
    this.#block += csvLine([rejected.file, String(rejected.line), rejected.column ?? '', rejected.code, rejected.reason, stripLineBreak(rejected.raw)]);
    if (this.#block.length >= BLOCK_CHARS) this.#writeBlock();
  }

  /**
   * Moves the file into place; returns its path, or undefined when nothing was rejected. A rejects
   * file an earlier run left at the path is then removed: the rejects beside an output are its own.
   */
  async commit(): Promise<string | undefined> {
    const file = this.#file;
    if (file === undefined) {
      if (this.path !== undefined) await removeEarlierRejects(this.path);
      return undefined;
    }
    try {
      this.#writeBlock();
      if (this.#failure !== undefined) throw this.#failure;
      await file.commit();
    } catch (error) {
      await file.discard();
      throw writeError('the rejects file', file.path, error);
    }
    return file.path;
  }

  async discard(): Promise<void> {
    this.#block = '';
    await this.#file?.discard();
  }

  #writeBlock(): void {
    if (this.#block === '' || this.#failure !== undefined) return;
    try {
      this.#file!.writeSync(this.#block);
    } catch (error) {
      // Not thrown into the reading loop (it would read as an input error): commit reports it.
      this.#failure = error;
    }
    this.#block = '';
  }
}

/** One CSV line, each field quoted only when it must be (as csv-stringify writes it). */
function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\n`;
}

async function removeEarlierRejects(path: string): Promise<void> {
  // Only a file this tool wrote: anything else at that name is the user's. Through a symlink, the
  // file it points to (the link stays, as when rejects are written); a device or pipe holds nothing.
  const target = outputTarget(path);
  if (target.kind === 'file' && (await firstLine(target.path)) === REJECTS_HEADER.join(',')) await unlink(target.path);
}

function stripLineBreak(raw: string): string {
  return raw.replace(/\r?\n$/, '');
}
