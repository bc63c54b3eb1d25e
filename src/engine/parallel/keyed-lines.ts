/**
 * Merging the profiles CSV lines of several shards (core/profile-shards.ts), each sorted by key and
 * computed on its own thread perhaps, into the one file a single sorted run gives: lines in code-unit
 * order of their keys. No key is in two shards, so no two lines tie.
 */
import type { CsvLines } from '../../io/profiles-csv.js';

/** A merged chunk is handed on once it holds this much. */
const CHUNK_BYTES = 1 << 20;

type LineStream = Iterator<CsvLines> | AsyncIterator<CsvLines>;

/** One stream's place: its current chunk, the line it is at, and where that line starts. */
interface Head {
  readonly stream: LineStream;
  lines: CsvLines;
  line: number;
  start: number;
}

/**
 * The streams' lines (keyed: `profileCsvLines(..., { keyed: true })`) merged into key order, as
 * chunks of whole lines. A stream that fails fails the merge.
 */
export async function* mergeKeyedLines(streams: readonly LineStream[]): AsyncGenerator<Buffer> {
  const heads: Head[] = [];
  for (const stream of streams) {
    const head = await firstLine(stream);
    if (head !== undefined) heads.push(head);
  }
  let out = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  while (heads.length > 0) {
    // The head with the least key, and the least of the others: lines of the first are copied in
    // one run for as long as they sort before that second one.
    let least = 0;
    for (let h = 1; h < heads.length; h++) if (compareHeads(heads[h]!, heads[h]!.line, heads[least]!) < 0) least = h;
    let second = -1;
    for (let h = 0; h < heads.length; h++) {
      if (h !== least && (second < 0 || compareHeads(heads[h]!, heads[h]!.line, heads[second]!) < 0)) second = h;
    }
    const head = heads[least]!;
    const { lines } = head;
    let last = head.line;
    if (second < 0) last = lines.count - 1;
    else while (last + 1 < lines.count && compareHeads(head, last + 1, heads[second]!) < 0) last++;
    const end = lines.lineEnds[last]!;
    const length = end - head.start;
    if (used + length > out.length) {
      if (used > 0) yield out.subarray(0, used);
      out = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, length));
      used = 0;
    }
    lines.bytes.copy(out, used, head.start, end);
    used += length;
    head.line = last + 1;
    head.start = end;
    if (head.line === lines.count && !(await nextChunk(head))) heads.splice(least, 1);
    if (used >= CHUNK_BYTES) {
      yield out.subarray(0, used);
      out = Buffer.allocUnsafe(CHUNK_BYTES);
      used = 0;
    }
  }
  if (used > 0) yield out.subarray(0, used);
}

async function firstLine(stream: LineStream): Promise<Head | undefined> {
  const head: Head = { stream, lines: EMPTY, line: 0, start: 0 };
  return (await nextChunk(head)) ? head : undefined;
}

/** Moves `head` to the first line of its stream's next chunk that has lines; false at the stream's end. */
async function nextChunk(head: Head): Promise<boolean> {
  for (;;) {
    const next = await head.stream.next();
    if (next.done === true) return false;
    if (next.value.count === 0) continue;
    head.lines = next.value;
    head.line = 0;
    head.start = 0;
    return true;
  }
}

const EMPTY: CsvLines = { bytes: Buffer.alloc(0), count: 0, lineEnds: new Uint32Array(0), keyUnits: new Uint16Array(0), keyEnds: new Uint32Array(0) };

/** Line `line` of `a`'s chunk against `b`'s current line, by their keys' code units. */
function compareHeads(a: Head, line: number, b: Head): number {
  const aUnits = a.lines.keyUnits;
  const bUnits = b.lines.keyUnits;
  let i = line === 0 ? 0 : a.lines.keyEnds[line - 1]!;
  const aEnd = a.lines.keyEnds[line]!;
  let j = b.line === 0 ? 0 : b.lines.keyEnds[b.line - 1]!;
  const bEnd = b.lines.keyEnds[b.line]!;
  for (; i < aEnd && j < bEnd; i++, j++) {
    const difference = aUnits[i]! - bUnits[j]!;
    if (difference !== 0) return difference;
  }
  return aEnd - i - (bEnd - j);
}
