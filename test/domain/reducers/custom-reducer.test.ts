/**
 * Adding a reducer is one declaration and one registry line: a reducer declared here, in the test,
 * and given to the computation beside the registry's, shows its column in the profiles CSV that
 * `compute` writes, after the others, with nothing in src/ changed for it. The README's "Adding a
 * reducer" shows the same reducer as a diff.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { runCompute } from '../../../src/commands/compute.js';
import { resolveRunSettings } from '../../../src/config/run-settings.js';
import { computationOf } from '../../../src/domain/computation.js';
import type { Definitions } from '../../../src/domain/definitions.js';
import type { ProfileOrders, ReducerKind } from '../../../src/domain/reducers/reducer.js';
import { REDUCER_KINDS } from '../../../src/domain/reducers/registry.js';
import { tempDir } from '../../support/cli.js';

/** How many orders a profile placed up to the as-of: one value column. */
const orderCount: ReducerKind = {
  name: 'order-count',
  reducers: (_definitions: Definitions) => [
    {
      columns: [{ name: 'order_count', kind: 'value' }],
      reduce: (orders: ProfileOrders, _asOf: number, cells: Float64Array, at: number) => {
        cells[at] = orders.end - orders.start;
      },
      ordersNeededFrom: () => undefined,
    },
  ],
};

const ORDERS = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'shopify-orders.csv');
const AS_OF = Date.parse('2025-06-30T00:00:00Z');

async function computeCsv(kinds: readonly ReducerKind[]): Promise<Record<string, string>[]> {
  const { definitions, input } = resolveRunSettings({}, undefined);
  const out = join(tempDir(), 'profiles.csv');
  await runCompute({
    files: [ORDERS],
    computation: computationOf({ definitions, asOf: AS_OF }, kinds),
    input,
    strict: false,
    rejectsPath: join(tempDir(), 'rejects.csv'),
    out,
    stdout: new PassThrough(),
  });
  return parse(readFileSync(out), { columns: true }) as Record<string, string>[];
}

/** Orders per email in the fixture up to the as-of, read with csv-parse: an order is a run of rows sharing `Name`. */
function ordersPerEmail(): Map<string, number> {
  const rows = parse(readFileSync(ORDERS), { columns: true }) as Record<string, string>[];
  const names = new Map<string, Set<string>>();
  for (const row of rows) {
    const email = row['Email']!.trim().toLowerCase();
    const placedAt = Date.parse(row['Created at']!.replace(' ', 'T').replace(/ ([+-]\d\d)(\d\d)$/, '$1:$2'));
    if (email === '' || placedAt > AS_OF) continue;
    names.set(email, (names.get(email) ?? new Set()).add(row['Name']!));
  }
  return new Map([...names].map(([email, orders]) => [email, orders.size]));
}

test('a reducer declared outside src/ and listed beside the registry writes its column in the profiles CSV', async () => {
  const plain = await computeCsv(REDUCER_KINDS);
  const withCount = await computeCsv([...REDUCER_KINDS, orderCount]);
  assert.deepEqual(Object.keys(withCount[0]!), [...Object.keys(plain[0]!), 'order_count']);
  // The registry's columns are untouched by the new one.
  assert.deepEqual(
    withCount.map(({ order_count: _count, ...rest }) => rest),
    plain,
  );
  const expected = ordersPerEmail();
  assert.ok(withCount.length > 3);
  for (const row of withCount) assert.equal(Number(row['order_count']), expected.get(row['Email']!), row['Email']);
});
