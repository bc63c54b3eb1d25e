/**
 * The rejects file: every row that could not be used, with its file, line, column and reason, and the
 * row's own text, so it can be fixed and re-run. Created only when there is something to put in it,
 * and moved into place only at the end of the run, like the output.
 */
import { stringify } from 'csv-stringify/sync';
import type { RejectedRecord } from './formats/format.js';
import { AtomicFile } from './atomic-file.js';

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
      this.#file = new AtomicFile(this.path);
      this.#enqueue(stringify([[...REJECTS_HEADER]]));
    }
    const row = [rejected.file, rejected.line, rejected.column ?? '', rejected.code, rejected.reason, stripLineBreak(rejected.raw)];
    this.#enqueue(stringify([row]));
  }

  /** Moves the file into place; returns its path, or undefined when nothing was rejected. */
  async commit(): Promise<string | undefined> {
    await this.#pending;
    if (this.#file === undefined) return undefined;
    await this.#file.commit();
    return this.#file.path;
  }

  async discard(): Promise<void> {
    await this.#pending.catch(() => {});
    await this.#file?.discard();
  }

  #enqueue(text: string): void {
    const file = this.#file!;
    this.#pending = this.#pending.then(() => file.write(text));
  }
}

function stripLineBreak(raw: string): string {
  return raw.replace(/\r?\n$/, '');
}
