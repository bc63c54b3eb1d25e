/**
 * Rows read straight from the structural pass's slots and rows read record by record must be read
 * alike. On files large enough for the pass to run as it does on real files (not only on every
 * chunk, as the random files of read-profiles-csv-columns.test.ts have it), rows that leave the
 * plain path for every reason there is (capitals, whitespace, quotes, `""`, text beyond ASCII, a bad
 * cell, a short row, a repeat) are read as the row-per-profile reader read them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackfillError } from '../../src/errors.js';
import type { RejectedRecord } from '../../src/io/formats/format.js';
import { readProfilesCsv } from '../../src/io/read-profiles-csv.js';
import { tempDir } from '../support/cli.js';
import { readProfileRowsReference } from '../support/profile-rows-reference.js';

const HEADER = 'Email,highest_order_value,highest_order_date,note';

/** Row `n`: a plain one, or one of the kinds that leave the plain path. */
function row(n: number): string {
  const email = `c${String(n).padStart(6, '0')}@x.io`;
  switch (n % 97) {
    case 3:
      return `${email.toUpperCase()},1.5,2025-01-02 03:04:05,`;
    case 11:
      return ` ${email}\t,\t7 ,  2025-01-02 03:04:05 ,x`;
    case 17:
      return `"${email}","12","2024-02-29 23:59:59","a ""quoted"" note"`;
    case 29:
      return `${email},3,2025-01-02 03:04:05,café`;
    case 31:
      return `${email},01234,2025-01-02 03:04:05,`;
    case 37:
      return `${email},4,2025-02-29 00:00:00,`;
    case 41:
      return `${email},5`;
    case 43:
      return `${email},,,`;
    case 47:
      return `${email},\u00a06,2025-01-02 03:04:05,`;
    case 53:
      return `,6,2025-01-02 03:04:05,`;
    default:
      return `${email},${n % 1000}.${n % 7},2025-0${1 + (n % 9)}-1${n % 10} 1${n % 10}:3${n % 10}:0${n % 10},${n % 5 === 0 ? 'vip' : ''}`;
  }
}

async function bothReaders(text: string): Promise<void> {
  const path = join(await tempDir(), 'profiles.csv');
  await writeFile(path, text);
  const expectedRejects: RejectedRecord[] = [];
  const actualRejects: RejectedRecord[] = [];
  const expected = await readProfileRowsReference(path, (r) => expectedRejects.push(r)).catch((error: BackfillError) => error);
  const actual = await readProfilesCsv(path, (r) => actualRejects.push(r)).catch((error: BackfillError) => error);
  if (expected instanceof BackfillError || actual instanceof BackfillError) {
    assert.ok(expected instanceof BackfillError && actual instanceof BackfillError, 'both stop, or neither');
    assert.equal(actual.message, expected.message);
    assert.equal(actual.location?.line, expected.location?.line);
  } else {
    assert.deepStrictEqual(actual.profiles.toRows(), expected.rows);
    assert.equal(actual.rowsWithoutProperties, expected.rowsWithoutProperties);
  }
  assert.deepEqual(actualRejects, expectedRejects);
}

test('a 30,000-row file with every kind of row that leaves the plain path reads as the row reader read it', async () => {
  const rows = Array.from({ length: 30_000 }, (_, n) => row(n));
  await bothReaders(`${HEADER}\n${rows.join('\n')}\n`);
  await bothReaders(`${HEADER}\r\n${rows.join('\r\n')}\r\n`);
  // Joined runs: the second half's emails sort before the first half's (no repeat).
  await bothReaders(`${HEADER}\n${[...rows.slice(15_000), ...rows.slice(0, 15_000)].join('\n')}\n`);
});

test('a repeat deep in a large file stops the read at its line, naming the first one, on either path', async () => {
  const rows = Array.from({ length: 30_000 }, (_, n) => row(n));
  // A plain repeat of a plain row, after two ascending runs (the emails then are looked for in both).
  const repeated = [...rows.slice(20_000), ...rows.slice(0, 20_000)];
  repeated.splice(25_000, 0, rows[12_345]!);
  await bothReaders(`${HEADER}\n${repeated.join('\n')}\n`);
  // The same email as the row just before it, in capitals and padded: found by the record path.
  const padded = [...rows];
  padded.splice(20_001, 0, ` ${rows[20_000]!.split(',')[0]!.toUpperCase()} ,1,,`);
  await bothReaders(`${HEADER}\n${padded.join('\n')}\n`);
});
