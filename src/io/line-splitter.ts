/**
 * Lines out of text that arrives in chunks, in time linear in the text: each chunk is searched once,
 * and a line longer than a chunk is kept in pieces and joined once, when its end arrives. (Joining
 * what was left to each new chunk and searching it all again is quadratic in a line's length: one
 * event with 100 MB of properties took minutes.)
 */
export class LineSplitter {
  #pieces: string[] = [];

  /** Calls `onLine` with each line `chunk` completes, without its line break. */
  push(chunk: string, onLine: (line: string) => void): void {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end >= 0; end = chunk.indexOf('\n', start)) {
      const tail = chunk.slice(start, end);
      if (this.#pieces.length === 0) onLine(tail);
      else {
        this.#pieces.push(tail);
        const line = this.#pieces.join('');
        this.#pieces = [];
        onLine(line);
      }
      start = end + 1;
    }
    if (start < chunk.length) this.#pieces.push(start === 0 ? chunk : chunk.slice(start));
  }

  /** What followed the last line break ('' when the text ended with one). */
  end(): string {
    const rest = this.#pieces.join('');
    this.#pieces = [];
    return rest;
  }
}
