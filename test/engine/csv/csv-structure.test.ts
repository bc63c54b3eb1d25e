/**
 * The structural pass (WebAssembly SIMD, src/io/csv-structure.wat) must change nothing the scanner
 * reports: on any text, well-formed or not, cut into any chunks, with any columns decoded, the
 * scanner gives the same records (fields, width, line, raw text) and the same issues with the pass
 * on every chunk as without it. Field texts are long enough to cross the pass's 16-byte blocks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CsvScanner, type ScannerOptions, type ScanSink } from '../../../src/engine/csv/csv-scanner.js';
import { structurePassAvailable } from '../../../src/engine/csv/csv-structure.js';

interface Seen {
  readonly kind: string;
  readonly line: number;
  readonly raw: string;
  readonly fields?: readonly (string | undefined)[];
  readonly texts?: readonly (string | undefined)[];
  readonly ascii?: readonly (string | undefined)[];
  readonly fieldCount?: number;
  readonly code?: string;
  readonly column?: number;
}

/** Batches of the structural pass's records that `scanAll`'s sinks took. */
let batchesSeen = 0;

/**
 * Every record and issue the scanner reports on `bytes` pushed in chunks of `chunkSizes`. `batches`:
 * the sink takes the structural pass's records as batches (ScanSink.records) and makes each record
 * from its batch, with the line counted from the batch's first one.
 */
function scanAll(bytes: Buffer, delimiter: string, wanted: number[] | undefined, chunkSizes: number[], structurePass: ScannerOptions['structurePass'], batches = false): Seen[] {
  const seen: Seen[] = [];
  const sink: ScanSink = {
    record: (r) => {
      seen.push({
        kind: 'record',
        line: r.line,
        raw: r.raw,
        // One field at a time before the whole array (which, once made, answers `text` too).
        texts: Array.from({ length: r.fieldCount + 1 }, (_, i) => r.text(i)),
        // A field given as bytes must read as its text (records of the scanner's own code give none).
        ascii: Array.from({ length: r.fieldCount + 1 }, (_, i) => (r.asciiStart(i) < 0 ? r.text(i) : r.bytes.toString('latin1', r.asciiStart(i), r.asciiEnd(i)))),
        fields: Array.from({ length: r.fieldCount }, (_, i) => r.fields[i]),
        fieldCount: r.fieldCount,
      });
    },
    issue: (i) => seen.push({ kind: 'issue', line: i.line, raw: i.raw, code: i.code, column: i.column }),
  };
  if (batches) {
    sink.records = (batch) => {
      batchesSeen++;
      batch.forEach((record) => sink.record(record));
    };
  }
  const scanner = new CsvScanner(delimiter, sink, { structurePass });
  scanner.decodeOnly(wanted);
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const size = chunkSizes[k % chunkSizes.length]!;
    scanner.push(bytes.subarray(at, at + size));
    at += size;
  }
  scanner.end();
  return seen;
}

test('the structural pass is built and runs here (npm run build assembles it)', () => {
  assert.equal(structurePassAvailable(), true);
});

test('with the structural pass on every chunk, the scanner reports exactly what it reports without it', () => {
  // Tokens that make every case: long and short fields, quotes opening fields and inside them,
  // doubled quotes, quoted line breaks, CRLF and lone CR, blank lines, non-ASCII text.
  const token = fc.constantFrom('a', 'bcdefghijklmnopqrstu', 'é', '😀', ',', ';', '"', '""', '\n', '\r\n', '\r', ' ', 'x'.repeat(40));
  const text = fc.array(token, { maxLength: 60 }).map((parts) => parts.join(''));
  const batchesBefore = batchesSeen;
  fc.assert(
    fc.property(
      text,
      fc.constantFrom(',', ';'),
      fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 4 }), { nil: undefined }),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 4 }),
      (body, delimiter, wanted, chunkSizes) => {
        const bytes = Buffer.from(body);
        const without = scanAll(bytes, delimiter, wanted, chunkSizes, 'off');
        const withPass = scanAll(bytes, delimiter, wanted, chunkSizes, 'every-chunk');
        assert.deepEqual(withPass, without);
        // Taken as batches, the pass's records are the same records on the same lines.
        if (wanted !== undefined) assert.deepEqual(scanAll(bytes, delimiter, wanted, chunkSizes, 'every-chunk', true), without);
        // A field's text, and the bytes the pass gives of it, are what the whole array holds.
        for (const record of withPass) {
          record.fields?.forEach((field, i) => {
            assert.equal(record.texts![i], field);
            assert.equal(record.ascii![i], field);
          });
        }
      },
    ),
    { numRuns: 3000 },
  );
  // Batches were met (each record of them compared above).
  assert.ok(batchesSeen - batchesBefore > 100, `only ${batchesSeen - batchesBefore} batches were taken`);
});

test('on a well-formed export cut into large chunks, the pass gives the same records, row widths and lines', () => {
  const field = fc.oneof(fc.stringMatching(/^[a-z0-9 @.-]{0,30}$/), fc.stringMatching(/^[a-zé,"\n]{0,20}$/).map((t) => `"${t.replaceAll('"', '""')}"`));
  fc.assert(
    fc.property(
      fc.array(fc.array(field, { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 200 }),
      fc.uniqueArray(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 16, max: 5000 }),
      (rows, wanted, chunk) => {
        const bytes = Buffer.from(rows.map((row) => row.join(',')).join('\r\n') + '\n');
        assert.deepEqual(scanAll(bytes, ',', wanted, [chunk], 'auto'), scanAll(bytes, ',', wanted, [chunk], 'off'));
        assert.deepEqual(scanAll(bytes, ',', wanted, [chunk], 'every-chunk'), scanAll(bytes, ',', wanted, [chunk], 'off'));
      },
    ),
    { numRuns: 300 },
  );
});
