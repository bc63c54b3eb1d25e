/**
 * Differential test: the columnar reader must read every file exactly as the row-per-profile reader
 * it replaced (test/support/profile-rows-reference.ts): the same rows, rejects and errors, and from
 * its columns the same fingerprint, plan, text properties, problems and properties JSON as the rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { fingerprint } from '../../src/commands/push.js';
import { JsonBytes } from '../../src/engine/tables/json-bytes.js';
import { profileProblem } from '../../src/domain/profile-problem.js';
import type { ProfileRow } from '../../src/domain/profile-row.js';
import { planBatches } from '../../src/domain/push-plan.js';
import { BackfillError } from '../../src/errors.js';
import type { ScannerOptions } from '../../src/engine/csv/csv-scanner.js';
import type { RejectedRecord } from '../../src/io/formats/format.js';
import { readProfilesCsv } from '../../src/io/read-profiles-csv.js';
import { tempDir } from '../support/cli.js';
import { readProfileRowsReference } from '../support/profile-rows-reference.js';

/** Names a person or another tool might put in a header, the awkward ones included. */
const NAMES = ['highest_order_value', 'highest_order_date', 'small_order_date', 'Large_Order_DATE', 'note', 'zip_value', 'Phone Number', '12', '__proto__', '', 'note', 'é_date', 'x"y', 'a,b', 'email'];

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const validDate = fc
  .record({ year: fc.integer({ min: 0, max: 9999 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }), hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }), second: fc.integer({ min: 0, max: 59 }) })
  .map((d) => `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)} ${pad(d.hour, 2)}:${pad(d.minute, 2)}:${pad(d.second, 2)}`);
const cell = fc.oneof(
  { weight: 4, arbitrary: validDate },
  { weight: 4, arbitrary: fc.stringMatching(/^-?\d{1,18}(\.\d{1,18})?$/) },
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 3,
    arbitrary: fc.constantFrom('0', '-0', '1.50', '01234', '1e5', `1${'0'.repeat(400)}`, '12.', '.5', '-', ' 7 ', '  ', 'vip', 'é', 'quoted, "text"', '2024-02-29 23:59:59', '2025-02-29 10:00:00', '2025-13-01 00:00:00', '2025-06-10T16:00:00', ' 2025-06-10 16:00:00 ', '2025-06-10 24:00:00'),
  },
  {
    // Whitespace trim() removes (ASCII, and beyond it: no-break space, BOM), and what it leaves.
    weight: 2,
    arbitrary: fc.constantFrom('\t12.5 ', '\v2025-01-01 00:00:00\f', '\u00a012', '12\u00a0', '\ufeff3', ' 2024-02-29 23:59:59\u00a0', '\x1c5', '1\x1f', '-0.000', '9007199254740993', '123456789012345.6', '1234567890123456', 'Ü'),
  },
);
const email = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 5000 }).map((n) => `u${n}@x.io`) },
  { weight: 2, arbitrary: fc.constantFrom('A@x.io', 'a@x.io', 'ü@x.io', 'Ü@X.IO', '中@x.io', 'bad email', '', ' c@x.io ', 'd@x.io', '"q"@x.io', 'e\u0001@x.io', 'back\\slash@x.io', '~@x.io', 'MiXeD@Example.COM', 'mixed@example.com', '\tTab@x.io\v', 'a@x.io\u00a0', 'ÀB@x.io', '\u00a0') },
);

const csvFile = fc.record({
  names: fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 6 }),
  emailColumn: fc.option(fc.constantFrom('Email', 'EMAIL', ' email '), { freq: 12 }),
  emailAt: fc.nat(),
  rows: fc.array(fc.record({ email, cells: fc.array(cell, { minLength: 7, maxLength: 7 }), width: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0, -1, 1), quote: fc.boolean() }), { maxLength: 30 }),
  sorted: fc.boolean(),
  lineBreak: fc.constantFrom('\n', '\r\n'),
});

function field(text: string, quote: boolean): string {
  return quote || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

type CsvFile = typeof csvFile extends fc.Arbitrary<infer T> ? T : never;

function csvText(file: CsvFile): string {
  const header = [...file.names];
  if (file.emailColumn !== null) header.splice(file.emailAt % (header.length + 1), 0, file.emailColumn);
  const rows = file.sorted ? [...file.rows].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0)) : file.rows;
  const lines = [header.map((name) => field(name, false)).join(',')];
  for (const row of rows) {
    const cells = header.map((name, index) => (name === file.emailColumn ? row.email : row.cells[index % row.cells.length]!));
    if (row.width < 0) cells.pop();
    if (row.width > 0) cells.push('extra');
    lines.push(cells.map((text) => field(text, row.quote)).join(','));
  }
  return lines.join(file.lineBreak) + file.lineBreak;
}

type Outcome<T> = { ok: true; value: T; rejects: RejectedRecord[] } | { ok: false; error: { code: string; message: string; line: number | undefined } };

async function outcome<T>(read: (onReject: ((r: RejectedRecord) => void) | undefined) => Promise<T>, withRejects: boolean): Promise<Outcome<T>> {
  const rejects: RejectedRecord[] = [];
  try {
    const value = await read(withRejects ? (r) => rejects.push(r) : undefined);
    return { ok: true, value, rejects };
  } catch (error) {
    if (!(error instanceof BackfillError)) throw error;
    return { ok: false, error: { code: error.code, message: error.message, line: error.location?.line } };
  }
}

/** The fingerprint as push computed it before: a JSON text per row object. */
function rowsFingerprint(rows: readonly ProfileRow[]): string {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${JSON.stringify([row.email, row.properties])}\n`);
  return hash.digest('hex');
}

function rowsTextProperties(rows: readonly ProfileRow[]): string[] {
  const names = new Set<string>();
  for (const row of rows) for (const [name, value] of Object.entries(row.properties)) if (typeof value === 'string') names.add(name);
  return [...names].sort();
}

test('on random files the columnar reader reads what the row reader read, and its columns give the rows’ fingerprint, plan and JSON', async () => {
  const dir = await tempDir();
  let compared = 0;
  await fc.assert(
    // The structural pass on every chunk: these files are smaller than what it takes on by default,
    // and the records it finds are the ones read from their bytes.
    fc.asyncProperty(csvFile, fc.boolean(), fc.constantFrom('every-chunk', 'every-chunk', 'auto', 'off') as fc.Arbitrary<ScannerOptions['structurePass']>, async (file, withRejects, structurePass) => {
      const path = join(dir, 'profiles.csv');
      await writeFile(path, csvText(file));
      const expected = await outcome((onReject) => readProfileRowsReference(path, onReject), withRejects);
      const actual = await outcome((onReject) => readProfilesCsv(path, onReject, { scanning: { structurePass } }), withRejects);
      if (!expected.ok || !actual.ok) {
        assert.deepEqual(actual.ok ? 'read' : actual.error, expected.ok ? 'read' : expected.error);
        return;
      }
      compared++;
      const rows = expected.value.rows;
      const profiles = actual.value.profiles;
      assert.deepEqual(actual.rejects, expected.rejects);
      assert.deepEqual(actual.value.columns, expected.value.columns);
      assert.equal(actual.value.rowsWithoutProperties, expected.value.rowsWithoutProperties);
      assert.equal(actual.value.rowsRejected, expected.value.rowsRejected);
      assert.equal(profiles.length, rows.length);
      assert.deepStrictEqual(profiles.toRows(), rows);
      rows.forEach((row, index) => {
        assert.equal(profiles.email(index), row.email);
        assert.equal(profiles.problem(index), profileProblem(row));
        const json = new JsonBytes();
        profiles.writePropertiesJson(index, json);
        assert.equal(json.bytes().toString('utf8'), JSON.stringify(row.properties));
        json.clear();
        profiles.writeEmailJson(index, json);
        assert.equal(json.bytes().toString('utf8'), JSON.stringify(row.email));
      });
      assert.equal(fingerprint(profiles), rowsFingerprint(rows));
      assert.deepEqual(profiles.textProperties(), rowsTextProperties(rows));
      const limits = { profilesPerJob: 3, bytesPerJob: 400, bytesPerProfile: 150 };
      assert.deepEqual(planBatches(profiles, limits, 'Xy12Ab'), planBatches(rows, limits, 'Xy12Ab'));
    }),
    { numRuns: 600 },
  );
  assert.ok(compared > 100, `only ${compared} of the files were read without an error`);
});
