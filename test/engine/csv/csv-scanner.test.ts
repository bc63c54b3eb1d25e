/**
 * Differential test: on well-formed CSV the hand-written scanner must read exactly what csv-parse
 * (the reference implementation) reads, and every line must be accounted for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { CsvScanner, lineBreakStyle, type ScannedRecord } from '../../../src/engine/csv/csv-scanner.js';

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
    lineBreak: fc.constantFrom('\n', '\r\n', '\r'),
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

/** Scans `text` fed in byte chunks of the given sizes (so multi-byte characters get split too). */
function scan(text: string, delimiter: string, chunkSizes: number[]): ScannedRecord[] {
  const records: ScannedRecord[] = [];
  const scanner = new CsvScanner(delimiter, { record: (r) => records.push(r), issue: (i) => assert.fail(`unexpected issue ${i.code} at line ${i.line}`) });
  const bytes = Buffer.from(text);
  let at = 0;
  for (let k = 0; at < bytes.length; k++) {
    const size = chunkSizes[k % chunkSizes.length]!;
    scanner.push(bytes.subarray(at, at + size));
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
      const parsed = parse(text, { bom: true, delimiter: shape.delimiter, record_delimiter: shape.lineBreak, relax_column_count: true, skip_empty_lines: true }) as string[][];
      // A file of lone \r line breaks is read with each lone \r as \n, inside quotes too.
      const crOnly = lineBreakStyle(Buffer.from(text), true) === 'cr';
      const asRead = (t: string) => (crOnly ? t.replace(/\r(?!\n)/g, '\n') : t);
      const reference = parsed.map((row) => row.map(asRead));
      const scanned = scan(text, shape.delimiter, chunkSizes);
      assert.deepEqual(scanned.map((r) => r.fields), reference);
      // Raw texts tile the input (less the BOM, since blank lines are skipped they may leave gaps of line breaks only).
      const body = asRead(shape.bom ? text.slice(1) : text);
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

test('decoding some columns only gives the same texts for those columns and the true width', () => {
  fc.assert(
    fc.property(csvDocument, fc.uniqueArray(fc.integer({ min: 0, max: 5 })), ({ shape, rows, chunkSizes }, wanted) => {
      const text = rows.map((row) => row.map(([value, force]) => writeField(value, shape.delimiter, force)).join(shape.delimiter)).join('\n') + '\n';
      const full = scan(text, shape.delimiter, chunkSizes);
      const partial: ScannedRecord[] = [];
      const scanner = new CsvScanner(shape.delimiter, { record: (r) => partial.push(r), issue: () => assert.fail('unexpected issue') });
      scanner.decodeOnly(wanted);
      scanner.push(Buffer.from(text));
      scanner.end();
      assert.equal(partial.length, full.length);
      partial.forEach((record, i) => {
        assert.equal(record.fieldCount, full[i]!.fields.length);
        for (let column = 0; column < record.fieldCount; column++) {
          assert.equal(record.fields[column], wanted.includes(column) ? full[i]!.fields[column] : undefined);
        }
      });
    }),
  );
});

test('a field given as bytes (asciiStart) is its text one byte a character, and only ASCII fields without "" are', () => {
  let given = 0;
  fc.assert(
    fc.property(csvDocument, fc.uniqueArray(fc.integer({ min: 0, max: 5 })), ({ shape, rows }, wanted) => {
      const text = rows.map((row) => row.map(([value, force]) => writeField(value, shape.delimiter, force)).join(shape.delimiter)).join('\n') + '\n';
      const records: ScannedRecord[] = [];
      const scanner = new CsvScanner(shape.delimiter, { record: (r) => records.push(r), issue: () => assert.fail('unexpected issue') }, { structurePass: 'every-chunk' });
      scanner.decodeOnly(wanted);
      scanner.push(Buffer.from(text));
      scanner.end();
      for (const record of records) {
        for (let column = 0; column < record.fieldCount + 1; column++) {
          const start = record.asciiStart(column);
          if (start < 0) continue;
          given++;
          const field = record.text(column)!;
          assert.ok(/^[\x00-\x7f]*$/.test(field) && wanted.includes(column), JSON.stringify(field));
          assert.equal(record.bytes.toString('latin1', start, record.asciiEnd(column)), field);
        }
      }
    }),
    { numRuns: 1000 },
  );
  assert.ok(given > 100, `only ${given} fields were given as bytes`);
});

test('on any input, malformed or not, every byte ends up in a record or an issue, in order', () => {
  const anyText = fc.stringMatching(/^[a,"\n\r]*$/, { maxLength: 40 });
  fc.assert(
    fc.property(anyText, fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }), (text, chunkSizes) => {
      const pieces: { line: number; raw: string }[] = [];
      const scanner = new CsvScanner(',', { record: (r) => pieces.push({ line: r.line, raw: r.raw }), issue: (i) => pieces.push({ line: i.line, raw: i.raw }) });
      const bytes = Buffer.from(text);
      for (let at = 0, k = 0; at < bytes.length; k++) {
        const size = chunkSizes[k % chunkSizes.length]!;
        scanner.push(bytes.subarray(at, at + size));
        at += size;
      }
      scanner.end();
      // In a file whose first line ends with a lone \r, each lone \r is a line break, read as \n.
      if (lineBreakStyle(bytes, true) === 'cr') text = text.replace(/\r(?!\n)/g, '\n');
      let cursor = 0;
      for (const piece of pieces) {
        // Only blank lines may lie between two pieces.
        const at = cursor + /^(\r?\n)*/.exec(text.slice(cursor))![0].length;
        assert.ok(text.startsWith(piece.raw, at), `${JSON.stringify(piece.raw)} is not next in ${JSON.stringify(text)} at ${at}`);
        assert.equal(piece.line, 1 + (text.slice(0, at).match(/\n/g)?.length ?? 0));
        cursor = at + piece.raw.length;
      }
      assert.match(text.slice(cursor), /^(\r?\n)*$/);
    }),
    { numRuns: 2000 },
  );
});

test('on any text, csv-parse and the scanner agree: an issue where csv-parse refuses, the same records where both accept', () => {
  // Ragged rows, stray and doubled quotes, quoted delimiters and line breaks, CRLF, blank fields.
  const anyText = fc.array(fc.constantFrom('a', 'b', ',', '"', '""', '\n', '\r\n', ' '), { maxLength: 30 }).map((parts) => parts.join(''));
  fc.assert(
    fc.property(anyText, (text) => {
      let reference: string[][] | undefined;
      try {
        reference = parse(text, { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, record_delimiter: ['\r\n', '\n'] }) as string[][];
      } catch {
        reference = undefined;
      }
      const records: string[][] = [];
      let issues = 0;
      const scanner = new CsvScanner(',', { record: (r) => records.push(r.fields), issue: () => issues++ });
      scanner.push(Buffer.from(text));
      scanner.end();
      if (reference === undefined) assert.ok(issues > 0, `csv-parse refused ${JSON.stringify(text)}, the scanner did not`);
      // Where both accept, the records are the same. The scanner is stricter in one place: a quoted
      // field followed by more text (`""a`), which csv-parse's relax_quotes reads as `"a`, is reported.
      else if (issues === 0) assert.deepEqual(records, reference, JSON.stringify(text));
    }),
    { numRuns: 3000 },
  );
});
