/**
 * A record over the scanner's size limit is one issue at its line, whatever the chunking: read on to
 * its end without being kept when it runs on past the bytes at hand, refused as it is when it came
 * whole. The records around it are read as csv-parse reads them.
 * One that is not well-formed (a quote that opens a field and swallows the rows after it) is an
 * unrecoverable issue.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { CsvScanner, type ScanIssue } from '../../src/io/csv-scanner.js';

const fieldText = fc.stringMatching(/^[a-z0-9 ,"\n\r\u00e9]*$/u, { maxLength: 30 });

function writeField(value: string): string {
  return value === '' || /[,"\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

type Piece = { readonly kind: 'record'; readonly line: number; readonly fields: string[] } | { readonly kind: 'issue'; readonly issue: ScanIssue };

function scan(bytes: Buffer, chunkSizes: readonly number[], maxRecordBytes: number): Piece[] {
  const pieces: Piece[] = [];
  const scanner = new CsvScanner(',', { record: (r) => pieces.push({ kind: 'record', line: r.line, fields: r.fields }), issue: (issue) => pieces.push({ kind: 'issue', issue }) }, { maxRecordBytes });
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const size = chunkSizes[k % chunkSizes.length]!;
    scanner.push(bytes.subarray(at, at + size));
    at += size;
  }
  scanner.end();
  return pieces;
}

test('a record over the limit is one CSV_RECORD_TOO_LARGE at its line; the others are read as csv-parse reads them', () => {
  let oversized = 0;
  fc.assert(
    fc.property(
      fc.array(fc.array(fieldText, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
      fc.constantFrom('\n', '\r\n'),
      fc.boolean(),
      fc.integer({ min: 12, max: 60 }),
      // Small chunks (records cut anywhere, read on past the limit) and large ones (records whole at hand).
      fc.oneof(fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }), fc.constant([1 << 16])),
      (rows, lineBreak, finalBreak, limit, chunkSizes) => {
        const lines = rows.map((row) => row.map(writeField).join(','));
        const text = lines.join(lineBreak) + (finalBreak ? lineBreak : '');
        const pieces = scan(Buffer.from(text), chunkSizes, limit);
        let line = 1;
        let next = 0;
        lines.forEach((written, index) => {
          const size = Buffer.byteLength(written) + (index < lines.length - 1 || finalBreak ? lineBreak.length : 0);
          const piece = pieces[next++];
          assert.ok(piece !== undefined, `nothing for record ${index + 1} of ${JSON.stringify(text)}`);
          if (piece.kind === 'issue') {
            assert.ok(size > limit, `a record of ${size} bytes, within ${limit}, was rejected`);
            assert.equal(piece.issue.code, 'CSV_RECORD_TOO_LARGE');
            assert.equal(piece.issue.line, line);
            assert.ok(`${written}${lineBreak}`.startsWith(piece.issue.raw), JSON.stringify([written, piece.issue.raw]));
            oversized++;
          } else {
            assert.ok(size <= limit, `a record of ${size} bytes, over ${limit}, was read`);
            assert.equal(piece.line, line);
            assert.deepEqual(piece.fields, (parse(written, { relax_column_count: true }) as string[][])[0]);
          }
          line += (written.match(/\n/g)?.length ?? 0) + 1;
        });
        assert.equal(next, pieces.length, 'more came out than was put in');
      },
    ),
    { numRuns: 3000 },
  );
  assert.ok(oversized > 300, `only ${oversized} records went over the limit`);
});

test('a quote that opens a field and is never closed, past the limit to the end, is unrecoverable; so is one closed by a later field', () => {
  const rows = Array.from({ length: 50 }, (_, i) => `#${i},ann@example.com,10.00`).join('\n');
  const unclosed = scan(Buffer.from(`a,b,c\n#x,"never closed,1\n${rows}\n`), [64], 200);
  const last = unclosed.at(-1)!;
  assert.equal(last.kind, 'issue');
  if (last.kind === 'issue') {
    assert.equal(last.issue.unrecoverable, true);
    assert.equal(last.issue.code, 'CSV_QUOTE_NOT_CLOSED');
    assert.deepEqual([last.issue.line, last.issue.column], [2, 4]);
    assert.match(last.issue.reason, /^a quoted field opened at line 2, column 4, runs on to the end of the file and never closes: the rows after it were read into one record longer than the limit of a record, 200 bytes, and which of them are orders cannot be told$/);
  }
  const closedLater = scan(Buffer.from(`a,b,c\n#x,"runs on,1\n${rows}\n#y,"a, note",3\n#z,fine,4\n`), [64], 200);
  const issues = closedLater.flatMap((piece) => (piece.kind === 'issue' ? [piece.issue] : []));
  assert.deepEqual(issues.map((issue) => [issue.code, issue.unrecoverable, issue.line]), [['CSV_INVALID_CLOSING_QUOTE', true, 2], ['CSV_RECORD_TOO_LARGE', undefined, 2]]);
  assert.match(issues[0]!.reason, /^a quoted field opened at line 2, column 4, is closed at line 53 by a quote followed by more text: /);
  // Reading goes on at the line after the one that closed it, for a reader that does not stop.
  assert.deepEqual(closedLater.at(-1), { kind: 'record', line: 54, fields: ['#z', 'fine', '4'] });
});
