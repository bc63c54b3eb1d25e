/**
 * The Shopify reader reads a plain Name, Total, Created at and Lineitem name straight from the
 * file's bytes where a row is ASCII, and from decoded text otherwise. Which one it takes must never
 * show: the same orders, with some rows quoted (same text, other bytes) and some made non-ASCII in a
 * column not read (text path), give the profiles of the plain export.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { computeProfileTable } from '../../../src/commands/compute.js';
import { resolveRunSettings } from '../../../src/config/run-settings.js';
import { formatNamed } from '../../../src/io/formats/registry.js';
import { referenceProfilesCsv } from '../../support/profiles-csv-reference.js';
import { shopifyCsv, type SampleOrder } from '../../support/layouts.js';
import { tempDir } from '../../support/cli.js';
import { computationOf } from '../../../src/domain/computation.js';

const AS_OF = Date.parse('2025-12-31T00:00:00Z');

const orderArbitrary = (id: number) =>
  fc
    .record({
      email: fc.constantFrom('ann@example.com', 'Bob@Example.com', 'cara@example.com', ' dan@example.com'),
      placedAt: fc.integer({ min: Date.parse('2025-01-01T00:00:00Z') / 1000, max: Date.parse('2025-12-30T00:00:00Z') / 1000 }).map((s) => s * 1000),
      cents: fc.integer({ min: 0, max: 500_000 }),
      items: fc.array(fc.record({ product: fc.constantFrom('Tee', 'Hoodie', 'Cap'), size: fc.constantFrom('S', 'M', 'l', 'XL', 'Extra Large', 'small', undefined) }), { minLength: 1, maxLength: 3 }),
    })
    .map((order): SampleOrder => ({ id, ...order }));

/** Ids each a prefix of the one before (`#70000`, `#7000`, ...): a Name compared by its bytes must not take one for the next. */
const ordersArbitrary = fc.integer({ min: 1, max: 12 }).chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => orderArbitrary(Number('7'.padEnd(12 - i, '0'))))));

async function profilesCsv(csv: string, mode: 'flow' | 'window'): Promise<string> {
  const { definitions, input } = resolveRunSettings({ mode, windows: [30, 90], format: 'shopify' }, undefined);
  const table = await computeProfileTable({
    files: ['-'],
    stdin: Readable.from([Buffer.from(csv)]),
    computation: computationOf({ definitions, asOf: AS_OF }),
    input: { ...input, format: formatNamed('shopify')! },
    strict: true,
    rejectsPath: join(tempDir(), 'rejects.csv'),
  });
  return referenceProfilesCsv(table.columns, table.rows);
}

/**
 * The export with long Notes on every row, so that the scanner's structural pass, which gives fields
 * as bytes, reads its rows (it skips inputs of a few kilobytes, such as the plain export), and each
 * row, by its kind, written with every field quoted, or with a Currency beyond ASCII.
 */
function varied(csv: string, rowKinds: readonly number[]): string {
  const [header, ...rows] = parse(csv) as string[][];
  const currency = header!.indexOf('Currency');
  const lines = [stringify([[...header!, 'Notes']])];
  rows.forEach((row, i) => {
    const kind = rowKinds[i % rowKinds.length]!;
    if (kind === 2) row[currency] = 'US€';
    lines.push(stringify([[...row, 'n'.repeat(5000)]], { quoted: kind === 1 }));
  });
  return lines.join('');
}

test('rows read from their bytes and rows read from their text give the same profiles, an order split across both kinds included', async () => {
  await fc.assert(
    fc.asyncProperty(ordersArbitrary, fc.array(fc.constantFrom(0, 1, 2), { minLength: 1, maxLength: 7 }), fc.constantFrom('flow' as const, 'window' as const), async (orders, rowKinds, mode) => {
      const plain = shopifyCsv(orders, -5);
      const expected = await profilesCsv(plain, mode);
      assert.equal(await profilesCsv(varied(plain, rowKinds), mode), expected);
      // Not vacuous: every customer has a row in flow mode.
      if (mode === 'flow') assert.equal(expected.trim().split('\n').length - 1, new Set(orders.map((o) => o.email.trim().toLowerCase())).size);
    }),
    { numRuns: 80 },
  );
});
