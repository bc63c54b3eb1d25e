/**
 * What a file is before it is parsed: gzip or not (by its magic bytes, since downloads lose the `.gz`
 * or gain it without being compressed), and which delimiter its header row uses (EU spreadsheets save
 * CSV with `;`, because `,` is their decimal separator).
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const GZIP_MAGIC = [0x1f, 0x8b] as const;
/** How far to look for the end of the header row. */
const HEADER_PEEK_BYTES = 1 << 16;

export type Delimiter = ',' | ';' | '\t' | '|';
export const DELIMITERS: readonly Delimiter[] = [',', ';', '\t', '|'];

interface Peeked {
  readonly head: Buffer;
  /** The whole input again, `head` included. */
  readonly stream: Readable;
}

/** Reads until `enough(head)` or the end, then gives back a stream that replays what was read. */
async function peek(input: Readable, enough: (head: Buffer) => boolean): Promise<Peeked> {
  const iterator: AsyncIterator<Buffer | string> = input[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  while (length === 0 || !enough(Buffer.concat(chunks, length))) {
    const next = await iterator.next();
    if (next.done === true) break;
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    chunks.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(chunks, length);
  const rest: AsyncIterable<Buffer | string> = { [Symbol.asyncIterator]: () => iterator };
  async function* replay(): AsyncGenerator<Buffer | string> {
    if (head.length > 0) yield head;
    yield* rest;
  }
  return { head, stream: Readable.from(replay(), { objectMode: false }) };
}

/** Whether `head`, the first bytes of a file, are gzip's magic bytes. */
export function startsLikeGzip(head: Uint8Array): boolean {
  return head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/** The input, decompressed if it starts with gzip's magic bytes; `gzip` says whether it did. */
export async function decompressed(input: Readable): Promise<{ readonly stream: Readable; readonly gzip: boolean }> {
  const { head, stream } = await peek(input, (bytes) => bytes.length >= GZIP_MAGIC.length);
  if (!startsLikeGzip(head)) return { stream, gzip: false };
  const gunzip = createGunzip();
  stream.on('error', (error) => gunzip.destroy(error));
  return { stream: stream.pipe(gunzip), gzip: true };
}

/** The input and the delimiter its header row uses: the candidate seen most often outside quotes. */
export async function sniffDelimiter(input: Readable): Promise<{ delimiter: Delimiter; stream: Readable; head: Buffer }> {
  const { head, stream } = await peek(input, (bytes) => bytes.includes(0x0a) || bytes.length >= HEADER_PEEK_BYTES);
  return { delimiter: headerDelimiter(head.toString('utf8')), stream, head };
}

export function headerDelimiter(text: string): Delimiter {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best: Delimiter = ',';
  for (const candidate of DELIMITERS) if ((counts.get(candidate) ?? 0) > (counts.get(best) ?? 0)) best = candidate;
  return best;
}
