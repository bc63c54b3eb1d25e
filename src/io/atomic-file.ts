/**
 * Files that appear whole or not at all: written under a temporary name in the same directory, then
 * renamed over the target (rename is atomic within a file system). A failed run leaves no half file.
 * A file that replaces another keeps the mode the operator gave the old one; a new file holding
 * customer emails is created 0600 (the temporary file too, so it is never readable by others).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod, rename, stat, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import { BackfillError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import { runFiles, temporaryPathBeside } from './run-files.js';

export interface AtomicFileOptions {
  /** Mode of a new file (an existing one keeps its own). Default: 0666 less the umask. */
  readonly mode?: number;
}

/** Files with customer emails in them: profiles, rejects, state, run logs. */
export const CUSTOMER_FILE: AtomicFileOptions = { mode: 0o600 };

export class AtomicFile {
  #path: string;
  readonly tempPath: string;
  #stream: WriteStream;
  #bytes = 0;
  #failure: Error | undefined;
  #closed = false;

  constructor(path: string, options: AtomicFileOptions = {}) {
    this.#path = path;
    this.tempPath = temporaryPathBeside(path);
    this.#stream = createWriteStream(this.tempPath, options.mode !== undefined ? { mode: options.mode } : {});
    // Errors surface from write/commit; recording them keeps an early one from crashing the process.
    this.#stream.on('error', (error) => (this.#failure ??= error));
  }

  /** Where the file goes on commit. */
  get path(): string {
    return this.#path;
  }

  /** Changes where the file goes on commit (the temporary file stays where it is). */
  retarget(path: string): void {
    this.#path = path;
  }

  get bytesWritten(): number {
    return this.#bytes;
  }

  /** Text goes through redactSecrets: no file this tool writes holds the API key in clear. */
  async write(data: string | Uint8Array): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    const text = typeof data === 'string' ? redactSecrets(data) : data;
    this.#bytes += Buffer.byteLength(text);
    if (!this.#stream.write(text)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.#stream.off('drain', done).off('error', done);
          resolve();
        };
        this.#stream.on('drain', done).on('error', done);
      });
      if (this.#failure !== undefined) throw this.#failure;
    }
  }

  /** Writes out and closes the temporary file, so a failure shows before anything is moved into place. */
  async finish(): Promise<void> {
    if (this.#closed) return;
    if (this.#failure !== undefined) throw this.#failure;
    this.#stream.end();
    await once(this.#stream, 'close');
    this.#closed = true;
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Finishes the file and moves it into place, with the mode of the file it replaces. */
  async commit(): Promise<void> {
    await this.finish();
    const replaced = await stat(this.#path).catch(() => undefined);
    if (replaced !== undefined) await chmod(this.tempPath, replaced.mode & 0o7777);
    await rename(this.tempPath, this.#path);
    runFiles.temporaryGone(this.tempPath);
    runFiles.outputWritten(this.#path);
  }

  /** Drops the file; the target is left as it was. */
  async discard(): Promise<void> {
    this.#stream.destroy();
    await unlink(this.tempPath).catch(() => {});
    runFiles.temporaryGone(this.tempPath);
  }
}

/** Why a write failed, in words: the error codes a full disk, a read-only mount or a size limit give. */
const CAUSES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large (a file-size limit was reached)',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'the directory does not exist',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
};

/** The error for a file that could not be written (exit 2), naming the file and the cause. */
export function writeError(what: string, path: string, error: unknown, hint?: string): BackfillError {
  if (error instanceof BackfillError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const cause = (code !== undefined ? CAUSES[code] : undefined) ?? (error as Error).message;
  return new BackfillError('OUTPUT_FAILED', `cannot write ${what} ${path}: ${cause}${code !== undefined ? ` (${code})` : ''}`, {
    location: { file: path },
    hint: hint ?? 'Nothing was left half-written; an earlier file of that name is as it was. Free space or fix the permissions and run again.',
    cause: error,
  });
}
