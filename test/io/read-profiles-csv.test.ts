import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readProfilesCsv } from '../../src/io/read-profiles-csv.js';
import { BackfillError } from '../../src/errors.js';
import { tempDir } from '../support/cli.js';
import { generateRows, writeProfiles } from '../support/profiles.js';

test('a profiles CSV written by the writer reads back to the same rows (numbers as numbers, blanks absent)', async () => {
  const rows = generateRows(50);
  const path = await writeProfiles(await tempDir(), rows);
  const read = await readProfilesCsv(path);
  assert.deepEqual(read.rows, rows);
  assert.equal(typeof read.rows[0]!.properties.highest_order_value, 'number');
  assert.equal('large_order_date' in read.rows[0]!.properties, false);
});

test('edited CSV: emails lower-cased, leading-zero numbers stay text, all-blank rows skipped', async () => {
  const path = join(await tempDir(), 'edited.csv');
  await writeFile(path, 'Email,highest_order_value,zip\nAnn@Example.com,12.50,01234\nbob@example.com,,\n');
  const read = await readProfilesCsv(path);
  assert.deepEqual(read.rows, [{ email: 'ann@example.com', properties: { highest_order_value: 12.5, zip: '01234' } }]);
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
