/**
 * Files that appear whole or not at all: written under a temporary name in the same directory, then
 * renamed over the target (rename is atomic within a file system). A failed run leaves no half file.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';

export class AtomicFile {
  #path: string;
  readonly tempPath: string;
  #stream: WriteStream;
  #bytes = 0;
  #failure: Error | undefined;

  constructor(path: string) {
    this.#path = path;
    this.tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
    this.#stream = createWriteStream(this.tempPath);
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

  async write(text: string | Uint8Array): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
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

  /** Finishes the file and moves it into place. */
  async commit(): Promise<void> {
    await this.#close();
    await rename(this.tempPath, this.#path);
  }

  /** Drops the file; the target is left as it was. */
  async discard(): Promise<void> {
    this.#stream.destroy();
    await unlink(this.tempPath).catch(() => {});
  }

  async #close(): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    this.#stream.end();
    await once(this.#stream, 'close');
    if (this.#failure !== undefined) throw this.#failure;
  }
}
