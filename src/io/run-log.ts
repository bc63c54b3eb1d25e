/**
 * The push run log on disk: one JSON object per line, appended with a synchronous write as each step
 * happens, so an entry written before `kill -9` is in the file afterwards. Reading tolerates a torn
 * last line (a crash in the middle of a write) and nothing else.
 */
import { closeSync, openSync, truncateSync, writeSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RunLogEntry } from '../domain/push-run-state.js';
import { BackfillError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import { writeError } from './atomic-file.js';

export class RunLogWriter {
  readonly path: string;
  readonly #fd: number;
  #failure: BackfillError | undefined;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
  }

  /** Opens for appending; `exclusive` refuses an existing file (a new run never writes into an old log). */
  static async open(path: string, exclusive: boolean): Promise<RunLogWriter> {
    await mkdir(dirname(path), { recursive: true });
    try {
      if (!exclusive) {
        // A crash can leave a half-written last line: it is dropped, so the next entry starts a line.
        const bytes = await readFile(path);
        if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) truncateSync(path, bytes.lastIndexOf(0x0a) + 1);
      }
      return new RunLogWriter(path, openSync(path, exclusive ? 'wx' : 'a', 0o600));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new BackfillError('OUTPUT_FAILED', code === 'EEXIST' ? `${path} already exists` : `cannot write the run log ${path}: ${(error as Error).message}`, {
        location: { file: path },
        hint: code === 'EEXIST' ? `To continue that push, run: backfill push --resume ${path}` : undefined,
        cause: error,
      });
    }
  }

  append(entry: RunLogEntry): void {
    // After a failed write nothing more goes in: a later entry after a missing one would mislead a resume.
    if (this.#failure !== undefined) throw this.#failure;
    try {
      writeSync(this.#fd, `${redactSecrets(JSON.stringify(entry))}\n`);
    } catch (error) {
      this.#failure = writeError('the run log', this.path, error, `The push stopped; the log holds every step up to this one. Free space, then run backfill push --resume ${this.path}`);
      throw this.#failure;
    }
  }

  close(): void {
    closeSync(this.#fd);
  }
}

export async function readRunLog(path: string): Promise<RunLogEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new BackfillError('INPUT_NOT_FOUND', `cannot read the run log ${path}: ${(error as Error).message}`, { location: { file: path }, cause: error });
  }
  const lines = text.split('\n');
  const entries: RunLogEntry[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      entries.push(JSON.parse(line) as RunLogEntry);
    } catch (error) {
      // Only the last line can be half-written by a crash; a bad line elsewhere means the file was edited.
      const isLast = lines.slice(index + 1).every((rest) => rest.trim() === '');
      if (!isLast) {
        throw new BackfillError('INPUT_UNREADABLE', `line ${index + 1} is not a run log entry`, { location: { file: path, line: index + 1 }, cause: error });
      }
    }
  });
  if (entries[0]?.type !== 'start') {
    throw new BackfillError('INPUT_UNREADABLE', `${path} is not a backfill push run log`, { location: { file: path } });
  }
  return entries;
}
