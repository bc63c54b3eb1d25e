/**
 * The rejects file: every row that could not be used, with its file, line, column and reason, and the
 * row's own text, so it can be fixed and re-run. Created only when there is something to put in it,
 * and moved into place only at the end of the run, like the output.
 */
import { stringify } from 'csv-stringify/sync';
import type { RejectedRecord } from './formats/format.js';
import { unlink } from 'node:fs/promises';
import { firstLine } from './first-line.js';
import { outputTarget } from './output-target.js';
import { AtomicFile, CUSTOMER_FILE, writeError } from './atomic-file.js';

export const REJECTS_HEADER = ['file', 'line', 'column', 'code', 'reason', 'raw'] as const;

export class RejectsFile {
  /** Undefined: rows are counted, and no file is written. */
  readonly path: string | undefined;
  #file: AtomicFile | undefined;
  #count = 0;
  #pending: Promise<void> = Promise.resolve();

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
      this.#file = new AtomicFile(this.path, CUSTOMER_FILE);
      this.#enqueue(stringify([[...REJECTS_HEADER]]));
    }
    const row = [rejected.file, rejected.line, rejected.column ?? '', rejected.code, rejected.reason, stripLineBreak(rejected.raw)];
    this.#enqueue(stringify([row]));
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
      await this.#pending;
      await file.commit();
    } catch (error) {
      await file.discard();
      throw writeError('the rejects file', file.path, error);
    }
    return file.path;
  }

  async discard(): Promise<void> {
    await this.#pending.catch(() => {});
    await this.#file?.discard();
  }

  #enqueue(text: string): void {
    const file = this.#file!;
    this.#pending = this.#pending.then(() => file.write(text));
    // A failed write (a full disk) is reported by commit; until then it must not count as unhandled.
    this.#pending.catch(() => {});
  }
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
