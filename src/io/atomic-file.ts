/**
 * Files that appear whole or not at all: written under a temporary name in the same directory, then
 * renamed over the target (rename is atomic within a file system). A failed run leaves no half file.
 * A symlink is followed: the file it points to is replaced, beside it, and the link stays. A device,
 * FIFO or open descriptor is written through, never replaced (see output-target.ts).
 * A file that replaces another keeps the mode the operator gave the old one; a new file holding
 * customer emails is created 0600 (the temporary file too, so it is never readable by others).
 */
import { closeSync, createWriteStream, openSync, writeSync, type WriteStream } from 'node:fs';
import { chmod, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import { BackfillError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import { outputTarget } from './output-target.js';

export interface AtomicFileOptions {
  /** Mode of a new file (an existing one keeps its own). Default: 0666 less the umask. */
  readonly mode?: number;
  /**
   * Written with blocking writes (`writeSync`) rather than through a stream: for a file filled from
   * inside a synchronous loop, such as the rejected rows of a read. A stream's writes wait for the
   * loop to yield, so text queued behind it grew with every row the loop rejected (1M rejected rows
   * held 1.6 GB); a blocking write keeps the writer up with the loop, and memory flat.
   */
  readonly synchronous?: boolean;
}

/** Files with customer emails in them: profiles, rejects, state, run logs. */
export const CUSTOMER_FILE: AtomicFileOptions = { mode: 0o600 };

export class AtomicFile {
  #path: string;
  /** The file renamed over on commit: `path`, or the file a symlink there points to. */
  #target: string;
  /**
   * Where the file is written until commit; undefined when `path` is a device, a FIFO or an open
   * descriptor, which is written through (see output-target.ts): there is no temporary file then.
   */
  readonly tempPath: string | undefined;
  /** The stream written through; undefined for a synchronous file, written through `#fd`. */
  #stream: WriteStream | undefined;
  #fd: number | undefined;
  #bytes = 0;
  #failure: Error | undefined;
  #closed = false;

  constructor(path: string, options: AtomicFileOptions = {}) {
    this.#path = path;
    const target = outputTarget(path);
    this.#target = target.path;
    this.tempPath = target.kind === 'stream' ? undefined : join(dirname(target.path), `.${basename(target.path)}.${process.pid}.${Date.now()}.tmp`);
    const [file, flags] = this.tempPath === undefined ? [path, 'a'] : [this.tempPath, 'w'];
    if (options.synchronous === true) {
      try {
        this.#fd = openSync(file, flags, options.mode);
      } catch (error) {
        this.#failure = error as Error; // reported by writeSync and commit, as a stream's would be
      }
      return;
    }
    this.#stream = createWriteStream(file, { flags, ...(options.mode !== undefined ? { mode: options.mode } : {}) });
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
    this.#target = outputTarget(path).path;
  }

  get bytesWritten(): number {
    return this.#bytes;
  }

  /** Text goes through redactSecrets: no file this tool writes holds the API key in clear. */
  async write(data: string | Uint8Array): Promise<void> {
    const stream = this.#stream;
    if (stream === undefined) return this.writeSync(data);
    if (this.#failure !== undefined) throw this.#failure;
    const text = typeof data === 'string' ? redactSecrets(data) : data;
    this.#bytes += Buffer.byteLength(text);
    if (!stream.write(text)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          stream.off('drain', done).off('error', done);
          resolve();
        };
        stream.on('drain', done).on('error', done);
      });
      if (this.#failure !== undefined) throw this.#failure;
    }
  }

  /** A synchronous file's write: all of `data` is written when it returns (it throws what failed). */
  writeSync(data: string | Uint8Array): void {
    if (this.#failure !== undefined) throw this.#failure;
    const bytes = typeof data === 'string' ? Buffer.from(redactSecrets(data)) : data;
    try {
      for (let written = 0; written < bytes.length; ) written += writeSync(this.#fd!, bytes, written);
    } catch (error) {
      this.#failure = error as Error;
      throw error;
    }
    this.#bytes += bytes.length;
  }

  /** Writes out and closes the temporary file, so a failure shows before anything is moved into place. */
  async finish(): Promise<void> {
    if (this.#closed) return;
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#stream === undefined) {
      this.#closeSync();
      return;
    }
    this.#stream.end();
    await once(this.#stream, 'close');
    this.#closed = true;
    if (this.#failure !== undefined) throw this.#failure;
  }

  #closeSync(): void {
    this.#closed = true;
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  /** Finishes the file and moves it into place, with the mode of the file it replaces. */
  async commit(): Promise<void> {
    await this.finish();
    if (this.tempPath === undefined) return; // written through: it is where it goes already
    const replaced = await stat(this.#target).catch(() => undefined);
    if (replaced !== undefined) await chmod(this.tempPath, replaced.mode & 0o7777);
    await rename(this.tempPath, this.#target);
  }

  /** Drops the file; the target is left as it was (what went through to a device or pipe cannot be taken back). */
  async discard(): Promise<void> {
    this.#stream?.destroy();
    if (this.#stream === undefined && !this.#closed) this.#closeSync();
    if (this.tempPath !== undefined) await unlink(this.tempPath).catch(() => {});
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
