import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readProfilesCsv } from '../../src/io/read-profiles-csv.js';
import { BackfillError } from '../../src/errors.js';
import { tempDir } from '../support/cli.js';
import { generateRows, writeProfiles } from '../support/profiles.js';

test('a profiles CSV written by the writer reads back to the same rows (numbers as numbers, blanks absent)', async () => {
  const rows = generateRows(50);
  const path = await writeProfiles(await tempDir(), rows);
  const read = await readProfilesCsv(path);
  assert.deepEqual(read.profiles.toRows(), rows);
  assert.equal(typeof read.profiles.toRows()[0]!.properties.highest_order_value, 'number');
  assert.equal('large_order_date' in read.profiles.toRows()[0]!.properties, false);
});

test('edited CSV: emails lower-cased, leading-zero numbers stay text, all-blank rows skipped', async () => {
  const path = join(await tempDir(), 'edited.csv');
  await writeFile(path, 'Email,highest_order_value,zip\nAnn@Example.com,12.50,01234\nbob@example.com,,\n');
  const read = await readProfilesCsv(path);
  assert.deepEqual(read.profiles.toRows(), [{ email: 'ann@example.com', properties: { highest_order_value: 12.5, zip: '01234' } }]);
  assert.equal(read.rowsWithoutProperties, 1);
});

test('a duplicate email or a missing Email column stops with the file and line', async () => {
  const dir = await tempDir();
  const duplicate = join(dir, 'dup.csv');
  await writeFile(duplicate, 'Email,v\na@x.io,1\nA@x.io,2\n');
  await assert.rejects(readProfilesCsv(duplicate), (error: BackfillError) => error.code === 'BAD_ROW' && error.location?.line === 3);
  const noEmail = join(dir, 'none.csv');
  await writeFile(noEmail, 'Name,v\na,1\n');
  await assert.rejects(readProfilesCsv(noEmail), (error: BackfillError) => error.code === 'MISSING_COLUMNS');
});

test('each row is checked: width, finite plain numbers in _value columns, real dates in _date columns; a bad row is rejected whole with its line', async () => {
  const path = join(await tempDir(), 'hand-edited.csv');
  await writeFile(
    path,
    [
      'Email,highest_order_value,highest_order_date,small_order_date,note',
      'ok@x.io,10,2025-06-10 16:00:00,,vip',
      'shifted@x.io,2026-01-01 00:00:00,,,', // a date moved into the value column
      'ragged@x.io,12,2025-06-10 16:00:00', // one cell short
      'inf@x.io,Infinity,2025-06-10 16:00:00,,',
      'nan@x.io,NaN,2025-06-10 16:00:00,,',
      'value-as-date@x.io,5,2025-06-10 16:00:00,129.5,',
      'feb30@x.io,5,2025-02-30 10:00:00,,',
      'bad-quote@x.io,5,"2025-06-10 16:00:00"x,,',
      `huge@x.io,1${'0'.repeat(400)},2025-06-10 16:00:00,,`,
      'also-ok@x.io,,,2024-02-29 23:59:59,01234',
    ].join('\n') + '\n',
  );
  const rejected: { line: number; code: string; column: string | undefined; raw: string }[] = [];
  const read = await readProfilesCsv(path, (r) => rejected.push({ line: r.line, code: r.code, column: r.column, raw: r.raw }));
  assert.deepEqual(read.profiles.toRows(), [
    { email: 'ok@x.io', properties: { highest_order_value: 10, highest_order_date: '2025-06-10 16:00:00', note: 'vip' } },
    { email: 'also-ok@x.io', properties: { small_order_date: '2024-02-29 23:59:59', note: '01234' } },
  ]);
  assert.deepEqual(
    rejected.map((r) => [r.line, r.code, r.column]),
    [
      [3, 'BAD_VALUE', 'highest_order_value'],
      [4, 'FIELD_COUNT', undefined],
      [5, 'BAD_VALUE', 'highest_order_value'],
      [6, 'BAD_VALUE', 'highest_order_value'],
      [7, 'BAD_DATE', 'small_order_date'],
      [8, 'BAD_DATE', 'highest_order_date'],
      [9, 'CSV_INVALID_CLOSING_QUOTE', undefined],
      [10, 'BAD_VALUE', 'highest_order_value'],
    ],
  );
  assert.ok(rejected[0]!.raw.startsWith('shifted@x.io,'));
  assert.equal(read.rowsRejected, 8);
});

test('without a rejects callback a bad row stops the read with its line', async () => {
  const path = join(await tempDir(), 'bad.csv');
  await writeFile(path, 'Email,highest_order_value\na@x.io,1\nb@x.io,NaN\n');
  await assert.rejects(readProfilesCsv(path), (error: BackfillError) => error.code === 'BAD_ROW' && error.location?.line === 3);
});

test('lone-\\r line endings and a 20,000-row file read the same as the writer wrote them', async () => {
  const rows = generateRows(20_000);
  const dir = await tempDir();
  const path = await writeProfiles(dir, rows);
  assert.deepEqual((await readProfilesCsv(path)).profiles.toRows(), rows);
  const crOnly = join(dir, 'cr.csv');
  await writeFile(crOnly, (await readFile(path, 'utf8')).replaceAll('\n', '\r'));
  assert.deepEqual((await readProfilesCsv(crOnly)).profiles.toRows(), rows);
});

test('columns the computation writes are checked as their kind says, whatever their names; others by their names', async () => {
  const path = join(await tempDir(), 'renamed.csv');
  await writeFile(path, 'Email,vip_spend,vip_when,note_date\na@x.io,12.50,2025-06-10 16:00:00,2025-01-01 00:00:00\nb@x.io,soon,2025-06-10 16:00:00,\nc@x.io,5,,later\n');
  const rejected: { line: number; code: string }[] = [];
  const known = [
    { name: 'vip_spend', kind: 'value' as const },
    { name: 'vip_when', kind: 'date' as const },
  ];
  const read = await readProfilesCsv(path, (r) => rejected.push({ line: r.line, code: r.code }), { known });
  // A value as a number and a date as text, though neither name ends in _value or _date.
  assert.deepEqual(read.profiles.toRows(), [{ email: 'a@x.io', properties: { vip_spend: 12.5, vip_when: '2025-06-10 16:00:00', note_date: '2025-01-01 00:00:00' } }]);
  // `soon` is no value; `later` in a column named ..._date is no date.
  assert.deepEqual(rejected, [
    { line: 3, code: 'BAD_VALUE' },
    { line: 4, code: 'BAD_DATE' },
  ]);
});
