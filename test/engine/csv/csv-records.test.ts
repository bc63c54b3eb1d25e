import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readCsvRecords, type CsvItem } from '../../../src/engine/csv/csv-records.js';

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

test('a file whose lines end with a lone \\r reads line by line, a quoted \\r as a line break', async () => {
  const result = await items('a,b\r1,"two\rlines"\r\r3,4\r');
  assert.deepEqual(
    result.map((item) => (item.kind === 'record' ? [item.line, item.fields] : [item.line, item.code])),
    [
      [1, ['a', 'b']],
      [2, ['1', 'two\nlines']],
      [5, ['3', '4']],
    ],
  );
});

test('a lone \\r split from its record by a chunk boundary still ends the record', async () => {
  const text = 'a,b\r1,2\r3,4';
  for (let cut = 1; cut < text.length; cut++) {
    const result: CsvItem[] = [];
    for await (const item of readCsvRecords(Readable.from([Buffer.from(text.slice(0, cut)), Buffer.from(text.slice(cut))]))) result.push(item);
    assert.deepEqual(
      result.map((item) => (item.kind === 'record' ? item.fields : item.code)),
      [['a', 'b'], ['1', '2'], ['3', '4']],
      `cut at ${cut}`,
    );
  }
});

test('in a file of \\n line breaks, a \\r inside an unquoted field stays text', async () => {
  const result = await items('a,b\n1,x\ry\n');
  assert.deepEqual(
    result.map((item) => (item.kind === 'record' ? item.fields : item.code)),
    [['a', 'b'], ['1', 'x\ry']],
  );
});

test('after an unclosed quote, reading resumes after the row, never inside its multi-line quoted note', async () => {
  // The first row's `"Pat` never closes; its note is a well-formed quoted field over two lines.
  const result = await items('id,name,note,source\n1,"Pat,"first line\nsecond, line",web\n2,Bob,ok,web\n');
  assert.deepEqual(
    result.map((item) => (item.kind === 'record' ? ['record', item.line, item.fields] : ['syntax', item.line, item.code, item.column, item.raw])),
    [
      ['record', 1, ['id', 'name', 'note', 'source']],
      ['syntax', 2, 'CSV_QUOTE_NOT_CLOSED', 3, '1,"Pat,"first line\nsecond, line",web\n'],
      ['record', 4, ['2', 'Bob', 'ok', 'web']],
    ],
  );
});

test('a row whose own quote never closes costs that row only, when the bad-looking quote is in the next row', async () => {
  const result = await items('a,b\n1,"x\n2,"y"z\n3,4\n');
  assert.deepEqual(
    result.map((item) => (item.kind === 'record' ? ['record', item.line] : ['syntax', item.line, item.code, item.raw])),
    [
      ['record', 1],
      ['syntax', 2, 'CSV_QUOTE_NOT_CLOSED', '1,"x\n'],
      ['syntax', 3, 'CSV_INVALID_CLOSING_QUOTE', '2,"y"z\n'],
      ['record', 4],
    ],
  );
});
