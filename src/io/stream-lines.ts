/**
 * The profiles CSV to stdout (or any stream): written with back-pressure, in slices a pipe takes whole
 * or not at all, counting the lines the stream confirmed. A reader that goes away early (`| head`) is
 * not an error: writing stops, and the result says so, with the lines taken before, so no summary
 * claims what never left.
 */
import type { Writable } from 'node:stream';

/** What reached a stream: the lines it took, and whether its reader went away before the end. */
export interface StreamedLines {
  readonly lines: number;
  readonly cutOff: boolean;
}

/** Streams `chunks` to `output`; a closed pipe ends it early, as `cutOff` says. */
export async function writeProfilesTo(output: Writable, chunks: Iterable<string | Buffer> | AsyncIterable<string | Buffer>): Promise<StreamedLines> {
  let failure: NodeJS.ErrnoException | undefined;
  let lines = 0;
  const onError = (error: NodeJS.ErrnoException) => (failure ??= error);
  output.on('error', onError);
  // Every write's callback says whether the stream took it; the count waits for all of them.
  let pending = 0;
  let allSettled: (() => void) | undefined;
  const write = async (slice: string | Buffer): Promise<void> => {
    const sliceLines = lineCount(slice);
    pending++;
    const accepted = output.write(slice, (error) => {
      if (error === undefined || error === null) lines += sliceLines;
      else failure ??= error;
      if (--pending === 0) allSettled?.();
    });
    if (accepted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        output.off('drain', done).off('error', done).off('close', done);
        resolve();
      };
      output.on('drain', done).on('error', done).on('close', done);
    });
  };
  try {
    reading: for await (const chunk of chunks) {
      for (const slice of slices(chunk)) {
        if (failure !== undefined) break reading;
        await write(slice);
      }
    }
    if (pending > 0) await new Promise<void>((resolve) => (allSettled = resolve));
  } finally {
    // Keep swallowing a late EPIPE from writes still buffered when the reader went away.
    if (failure === undefined || failure.code === 'EPIPE') output.on('error', () => {});
    output.off('error', onError);
  }
  if (failure !== undefined && failure.code !== 'EPIPE') throw failure;
  return { lines, cutOff: failure !== undefined };
}

const LINE_FEED = 0x0a;

/**
 * A chunk in writes of at most 64 KB (a pipe's buffer): when the reader goes away, a write fails whole
 * or is taken whole, so the lines counted as written are off by one slice at most.
 */
const SLICE_BYTES = 1 << 16;

function* slices(chunk: string | Buffer): Generator<string | Buffer> {
  if (chunk.length <= SLICE_BYTES) {
    yield chunk;
    return;
  }
  const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  for (let at = 0; at < bytes.length; at += SLICE_BYTES) yield bytes.subarray(at, at + SLICE_BYTES);
}

function lineCount(chunk: string | Buffer): number {
  let count = 0;
  if (typeof chunk === 'string') {
    for (let at = chunk.indexOf('\n'); at >= 0; at = chunk.indexOf('\n', at + 1)) count++;
  } else {
    for (let at = chunk.indexOf(LINE_FEED); at >= 0; at = chunk.indexOf(LINE_FEED, at + 1)) count++;
  }
  return count;
}
