/**
 * Differential test: on well-formed CSV the hand-written scanner must read exactly what csv-parse
 * (the reference implementation) reads, and every line must be accounted for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { CsvScanner, type ScannedRecord } from '../../src/io/csv-scanner.js';

const fieldText = fc.stringMatching(/^[a-z0-9 ,;"\n\r\u00e9\u{1F600}]*$/u, { maxLength: 12 });

/** Writes a field the way spreadsheet software does: quoted when it must be, sometimes when it need not. */
function writeField(value: string, delimiter: string, forceQuotes: boolean): string {
  const mustQuote = value.includes(delimiter) || value.includes('"') || value.includes('\n') || value.includes('\r') || value === '';
  return mustQuote || forceQuotes ? `"${value.replaceAll('"', '""')}"` : value;
}

const csvDocument = fc
  .record({
    width: fc.integer({ min: 1, max: 5 }),
    delimiter: fc.constantFrom(',', ';', '\t'),
    lineBreak: fc.constantFrom('\n', '\r\n'),
    finalBreak: fc.boolean(),
    bom: fc.boolean(),
  })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      rows: fc.array(fc.array(fc.tuple(fieldText, fc.boolean()), { minLength: shape.width, maxLength: shape.width }), { minLength: 1, maxLength: 8 }),
      chunkSizes: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
    }),
  );

function scan(text: string, delimiter: string, chunkSizes: number[]): ScannedRecord[] {
  const records: ScannedRecord[] = [];
  const scanner = new CsvScanner(delimiter, { record: (r) => records.push(r), issue: (i) => assert.fail(`unexpected issue ${i.code} at line ${i.line}`) });
  let at = 0;
  for (let k = 0; at < text.length; k++) {
    const size = chunkSizes[k % chunkSizes.length]!;
    scanner.push(text.slice(at, at + size));
    at += size;
  }
  scanner.end();
  return records;
}

test('the scanner reads the same records as csv-parse on well-formed CSV, whatever the chunking', () => {
  fc.assert(
    fc.property(csvDocument, ({ shape, rows, chunkSizes }) => {
      const lines = rows.map((row) => row.map(([value, force]) => writeField(value, shape.delimiter, force)).join(shape.delimiter));
      const text = (shape.bom ? '\ufeff' : '') + lines.join(shape.lineBreak) + (shape.finalBreak ? shape.lineBreak : '');
      const reference = parse(text, { bom: true, delimiter: shape.delimiter, record_delimiter: shape.lineBreak, relax_column_count: true, skip_empty_lines: true }) as string[][];
      const scanned = scan(text, shape.delimiter, chunkSizes);
      assert.deepEqual(scanned.map((r) => r.fields), reference);
      // Raw texts tile the input (less the BOM, since blank lines are skipped they may leave gaps of line breaks only).
      const body = shape.bom ? text.slice(1) : text;
      let cursor = 0;
      for (const record of scanned) {
        const at = body.indexOf(record.raw, cursor);
        assert.ok(at >= 0 && /^[\r\n]*$/.test(body.slice(cursor, at)));
        assert.equal(record.line, 1 + (body.slice(0, at).match(/\n/g)?.length ?? 0));
        cursor = at + record.raw.length;
      }
    }),
    { numRuns: 500 },
  );
});
