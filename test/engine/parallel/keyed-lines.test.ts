import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mergeKeyedLines } from '../../../src/engine/parallel/keyed-lines.js';
import type { CsvLines } from '../../../src/io/profiles-csv.js';
import { compareCodeUnits } from '../../../src/domain/profile-row.js';

/** Lines `key,n` for the given keys (sorted), as keyed chunks of the sizes `cuts` gives (empty ones too), the last with the rest. */
function chunksOf(keys: readonly string[], cuts: readonly number[]): CsvLines[] {
  const chunks: CsvLines[] = [];
  let at = 0;
  for (const size of [...cuts, keys.length]) {
    const taken = keys.slice(at, at + size);
    at += taken.length;
    chunks.push(linesOf(taken));
    if (at === keys.length) break;
  }
  return chunks;
}

function linesOf(keys: readonly string[]): CsvLines {
  const lines = keys.map((key) => `${key},${key.length}\n`);
  const lineEnds = new Uint32Array(keys.length);
  const keyEnds = new Uint32Array(keys.length);
  let end = 0;
  let units = 0;
  keys.forEach((key, i) => {
    end += Buffer.byteLength(lines[i]!);
    units += key.length;
    lineEnds[i] = end;
    keyEnds[i] = units;
  });
  const text = keys.join('');
  const keyUnits = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) keyUnits[i] = text.charCodeAt(i);
  return { bytes: Buffer.from(lines.join('')), count: keys.length, lineEnds, keyUnits, keyEnds };
}

async function* slowly(chunks: readonly CsvLines[]): AsyncGenerator<CsvLines> {
  for (const chunk of chunks) {
    await Promise.resolve();
    yield chunk;
  }
}

async function merged(streams: (Iterator<CsvLines> | AsyncIterator<CsvLines>)[]): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of mergeKeyedLines(streams)) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}

test('sorted lines of several streams come out in the code-unit order of their keys, whatever the chunks', async () => {
  // Keys with units of every width: a surrogate pair sorts below U+E000 in code units (as strings
  // sort, and so the CSV) but above it in code points, which is how UTF-8 bytes would sort.
  const codePoint = fc.oneof(fc.integer({ min: 0x20, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff }));
  const key = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'b', '@', '.', '\ue000', '\u{1F600}'), codePoint.map((c) => String.fromCodePoint(c))), maxLength: 6 });
  await fc.assert(
    fc.asyncProperty(fc.uniqueArray(key, { maxLength: 80 }), fc.array(fc.nat(), { maxLength: 80 }), fc.integer({ min: 1, max: 5 }), fc.array(fc.nat({ max: 6 }), { maxLength: 10 }), async (keys, owners, count, cuts) => {
        const streams = Array.from({ length: count }, () => [] as string[]);
        keys.forEach((k, i) => streams[(owners[i] ?? i) % count]!.push(k));
        const iterators = streams.map((own, s) => {
          const chunks = chunksOf([...own].sort(compareCodeUnits), cuts);
          return s % 2 === 0 ? chunks[Symbol.iterator]() : slowly(chunks);
        });
        const expected = [...keys].sort(compareCodeUnits).map((k) => `${k},${k.length}\n`).join('');
        assert.equal(await merged(iterators), expected);
      }),
  );
});

test('a long run of one stream before the other is copied whole, and more than a chunk of lines is handed on in chunks', async () => {
  const first = Array.from({ length: 40_000 }, (_, i) => `a${String(i).padStart(6, '0')}@example.com`);
  const second = Array.from({ length: 40_000 }, (_, i) => `b${String(i).padStart(6, '0')}@example.com`);
  const sizes: number[] = [];
  const parts: Buffer[] = [];
  for await (const chunk of mergeKeyedLines([chunksOf(second, [7, 30_000])[Symbol.iterator](), chunksOf(first, [10_000])[Symbol.iterator]()])) {
    sizes.push(chunk.length);
    parts.push(Buffer.from(chunk));
  }
  const expected = [...first, ...second].map((k) => `${k},${k.length}\n`).join('');
  assert.equal(Buffer.concat(parts).toString(), expected);
  assert.ok(sizes.length >= 2 && sizes.every((size) => size <= 1 << 20), `chunks of ${sizes.join(', ')} bytes`);
  assert.ok(parts.every((part) => part.at(-1) === 0x0a), 'every chunk ends with a whole line');
});

test('a stream that fails fails the merge', async () => {
  const failing: AsyncIterator<CsvLines> = {
    next: () => Promise.reject(new Error('the thread stopped')),
  };
  await assert.rejects(merged([chunksOf(['a@x.com'], [])[Symbol.iterator](), failing]), /the thread stopped/);
});
