import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readCsvRecords, type CsvItem } from '../../src/io/csv-records.js';

async function items(text: string): Promise<CsvItem[]> {
  const result: CsvItem[] = [];
  for await (const item of readCsvRecords(Readable.from([Buffer.from(text)]))) result.push(item);
  return result;
}

test('each record carries the line it starts on, across quoted newlines, CRLF and a BOM', async () => {
  const result = await items('\ufeffa,b\r\n1,"two\r\nlines"\r\n\r\n3,4\r\n');
  assert.deepEqual(
    result.map((item) => (item.kind === 'record' ? [item.line, item.fields] : [item.line, item.code])),
    [
      [1, ['a', 'b']],
      [2, ['1', 'two\r\nlines']],
      [5, ['3', '4']],
    ],
  );
});

test('a malformed quote becomes one syntax issue at its first line, in order, holding the text it swallowed', async () => {
  const result = await items('a,b\n1,2\n3,"x"y\n4,5\n');
  assert.equal(result[0]?.kind, 'record');
  assert.equal(result[1]?.kind, 'record');
  const issue = result[2];
  assert.ok(issue?.kind === 'syntax');
  assert.equal(issue.line, 3);
  assert.equal(issue.code, 'CSV_INVALID_CLOSING_QUOTE');
  assert.equal(result.filter((i) => i.kind === 'syntax').length, 1);
});

test('records keep their raw text for the rejects file', async () => {
  const [, record] = await items('a,b\n"q ""x""",2\n');
  assert.ok(record?.kind === 'record');
  assert.equal(record.raw, '"q ""x""",2\n');
  assert.deepEqual(record.fields, ['q "x"', '2']);
});

test('an unclosed quote rejects the line it opens on; reading goes on at the next line', async () => {
  const result = await items('a,b\n1,"never closed\n2,3\n');
  assert.deepEqual(
    result.map((item) => (item.kind === 'record' ? ['record', item.line, item.fields] : ['syntax', item.line, item.code, item.raw])),
    [
      ['record', 1, ['a', 'b']],
      ['syntax', 2, 'CSV_QUOTE_NOT_CLOSED', '1,"never closed\n'],
      ['record', 3, ['2', '3']],
    ],
  );
});

test('records split across chunks at every possible point read the same as one chunk', async () => {
  const text = 'id,note\r\n1,"a ""quoted""\r\nnote"\r\n\r\n2,plain\r\n3,"x"y\r\n4,last';
  const whole = await items(text);
  for (let cut = 1; cut < text.length; cut++) {
    const result: CsvItem[] = [];
    for await (const item of readCsvRecords(Readable.from([Buffer.from(text.slice(0, cut)), Buffer.from(text.slice(cut))]))) result.push(item);
    assert.deepEqual(result, whole, `cut at ${cut}`);
  }
  assert.deepEqual(
    whole.map((item) => [item.kind, item.line]),
    [
      ['record', 1],
      ['record', 2],
      ['record', 5],
      ['syntax', 6],
      ['record', 7],
    ],
  );
});
