/**
 * The equality cases of `backfill sql`, shared by the in-process engines (sql-equality.test.ts: DuckDB
 * and PGlite) and the real PostgreSQL server (postgres-server.ts, `npm run test:postgres`): for
 * property-generated batches of order histories, the rows the emitted SQL returns equal, value by
 * value, the rows the real `backfill compute` writes from the same orders as a CSV.
 *
 * Each case is run with few processes: one `backfill sql` per dialect, and one `backfill compute` per
 * generated batch of many profiles, whose rows every engine is compared with.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { formatValue } from '../../src/domain/money.js';
import { csvRows, runCli, tempDir } from '../support/cli.js';
import type { QueryResult, SqlEngine } from '../support/sql-engines.js';
import { batchArbitrary, historyCsv, localText, type HistoryColumns, type HistoryOrder } from '../support/sql-histories.js';

/** After the US (2 November) and EU (26 October) DST changes of 2025: every window but the shortest spans one. */
export const AS_OF = '2025-11-03T12:00:00.000Z';
const AS_OF_MS = Date.parse(AS_OF);

const DEFAULT_COLUMNS: HistoryColumns = { orderId: 'order_id', emails: ['email'], placedAt: 'placed_at', value: 'value', status: 'status', size: 'size' };
const RENAMED_COLUMNS: HistoryColumns = { orderId: 'Order No', emails: ['Customer E-mail', 'Billing E-mail'], placedAt: 'Placed', value: 'Grand Total', status: 'State', size: 'Variant Size' };

export interface EqualityCase {
  readonly name: string;
  readonly windows: readonly number[];
  /** backfill.config.json without "columns" (added from `columns`) and "format". */
  readonly config: Readonly<Record<string, unknown>>;
  /** Given to both commands. */
  readonly flags: readonly string[];
  readonly columns: HistoryColumns;
  /** The relations, as given to --orders and --order-lines, and what makes them (a schema). */
  readonly relations: { readonly orders: string; readonly lines: string; readonly setup: readonly string[] };
}

export const EQUALITY_CASES: readonly EqualityCase[] = [
  {
    name: 'flow mode, one window, the default names of columns and properties',
    windows: [30],
    config: {},
    flags: [],
    columns: DEFAULT_COLUMNS,
    relations: { orders: 'orders', lines: 'order_lines', setup: [] },
  },
  {
    name: 'flow mode, three windows, renamed columns (two email columns) and properties, cancelled orders left out, an added alias',
    windows: [7, 30, 90],
    config: {
      mode: 'flow',
      windows: [90, 7, 30],
      sizes: ['small', 'xlarge', 'large'],
      sizeAliases: { XS: 'small' },
      properties: { windows: { '7': { value: 'week_max', date: 'week_max_at' }, '90': { value: 'quarter_max_value' } }, sizes: { xlarge: 'last_xl_order' } },
      excludeCancelled: true,
    },
    flags: [],
    columns: RENAMED_COLUMNS,
    relations: { orders: 'shop.orders', lines: 'shop."Order Lines"', setup: ['CREATE SCHEMA IF NOT EXISTS shop'] },
  },
  {
    name: 'window mode by flag, one window, a renamed property pair, cancelled orders left out by flag, only the given aliases',
    windows: [30],
    config: { properties: { windows: { '30': { value: 'vip_max_order_value', date: 'vip_max_order_date' } } } },
    flags: ['--mode', 'window', '--exclude-cancelled', '--size-alias', 'none', '--size-alias', 'XL=xlarge,Extra Large=xlarge'],
    columns: DEFAULT_COLUMNS,
    relations: { orders: 'orders', lines: 'order_lines', setup: [] },
  },
  {
    name: 'window mode, three windows by flag (1 day among them), renamed columns, two sizes',
    windows: [1, 30, 60],
    config: { mode: 'window' },
    flags: ['--windows', '60,1,30', '--sizes', 'small,medium'],
    columns: RENAMED_COLUMNS,
    relations: { orders: 'shop.orders', lines: 'shop."Order Lines"', setup: ['CREATE SCHEMA IF NOT EXISTS shop'] },
  },
];

export interface EqualityOptions {
  /** Generated batches per case (one compute run each). */
  readonly runs: number;
  readonly profilesPerBatch: number;
}

/** Runs one case on `engines` (one dialect or both); throws (with fast-check's counterexample) when a row differs. */
export async function checkEqualityCase(testCase: EqualityCase, engines: readonly SqlEngine[], { runs, profilesPerBatch }: EqualityOptions): Promise<void> {
  const dir = tempDir('backfill-sql-');
  const computeConfig = join(dir, 'compute.config.json');
  const sqlConfig = join(dir, 'sql.config.json');
  const mapping = { orderId: testCase.columns.orderId, email: testCase.columns.emails, placedAt: testCase.columns.placedAt, value: testCase.columns.value, status: testCase.columns.status, size: testCase.columns.size };
  await writeFile(computeConfig, JSON.stringify({ format: 'generic', columns: mapping, ...testCase.config }));
  // backfill sql reads the same config; with the default columns, none is named, to prove the defaults.
  await writeFile(sqlConfig, JSON.stringify({ ...(testCase.columns === DEFAULT_COLUMNS ? {} : { columns: mapping }), ...testCase.config }));
  const statements = new Map<string, string>();
  for (const dialect of new Set(engines.map((engine) => engine.dialect))) {
    const run = await runCli(['sql', '--dialect', dialect, '--config', sqlConfig, '--as-of', AS_OF, '--orders', testCase.relations.orders, '--order-lines', testCase.relations.lines, ...testCase.flags]);
    assert.equal(run.code, 0, run.stderr);
    statements.set(dialect, run.stdout);
  }
  const shape = { asOf: AS_OF_MS, windowDays: testCase.windows, secondEmail: testCase.columns.emails.length > 1 };
  const outcome = await fc.check(
    fc.asyncProperty(batchArbitrary(shape, profilesPerBatch), async (orders) => {
      const csv = join(dir, 'orders.csv');
      await writeFile(csv, historyCsv(orders, testCase.columns));
      const computed = await runCli([csv, '--config', computeConfig, '--as-of', AS_OF, ...testCase.flags, '-o', '-', '-q', '--rejects', join(dir, 'rejects.csv')]);
      assert.equal(computed.code, 0, computed.stderr);
      const expected = csvRows(computed.stdout);
      assert.ok(expected.length > 0, 'compute wrote no profile: the batch proves nothing');
      for (const engine of engines) {
        await loadOrders(engine, testCase, orders);
        const result = await engine.query(statements.get(engine.dialect)!);
        assertSameProfiles(result, expected, { header: Object.keys(expected[0]!), windows: testCase.windows.length, engine: engine.title, orders });
      }
    }),
    // No shrinking: each step would be a compute run; the error names the profiles that differ and their orders.
    { numRuns: runs, endOnFailure: true },
  );
  if (outcome.failed) {
    const error = outcome.errorInstance instanceof Error ? outcome.errorInstance : new Error(String(outcome.errorInstance));
    error.message = `${error.message}\n(fast-check seed ${outcome.seed}, path ${outcome.counterexamplePath ?? ''})`;
    throw error;
  }
}

/** The orders as typed tables: `relations.orders` (one row per order) and `relations.lines` (one per line). */
export async function loadOrders(engine: SqlEngine, testCase: EqualityCase, orders: readonly HistoryOrder[]): Promise<void> {
  const { columns, relations } = testCase;
  const { text, instant, decimal } = engine.types;
  const id = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const string = (value: string | null) => (value === null ? 'NULL' : `'${value.replaceAll("'", "''")}'`);
  for (const statement of relations.setup) await engine.exec(statement);
  await engine.exec(`DROP TABLE IF EXISTS ${relations.orders}`);
  await engine.exec(`DROP TABLE IF EXISTS ${relations.lines}`);
  const emailColumns = columns.emails.map((name) => `${id(name)} ${text}`).join(', ');
  await engine.exec(`CREATE TABLE ${relations.orders} (${id(columns.orderId)} ${text}, ${emailColumns}, ${id(columns.placedAt)} ${instant}, ${id(columns.value)} ${decimal}, ${id(columns.status)} ${text})`);
  await engine.exec(`CREATE TABLE ${relations.lines} (${id(columns.orderId)} ${text}, ${id(columns.size)} ${text})`);
  const orderRows = orders.map((order) => {
    const time = order.placedAt === null ? 'NULL' : `CAST('${localText(order.placedAt, order.zone, '', ':')}' AS ${instant})`;
    const value = order.value === null ? 'NULL' : `CAST('${order.value}' AS ${decimal})`;
    return `(${[string(order.orderId), ...order.emails.map(string), time, value, string(order.status)].join(', ')})`;
  });
  const lineRows = orders.flatMap((order) => order.sizes.map((size) => `(${string(order.orderId)}, ${string(size)})`));
  for (const [relation, rows] of [[relations.orders, orderRows], [relations.lines, lineRows]] as const) {
    for (let i = 0; i < rows.length; i += 500) await engine.exec(`INSERT INTO ${relation} VALUES ${rows.slice(i, i + 500).join(', ')}`);
  }
}

/**
 * The SQL's rows against compute's CSV rows, by email: the same columns in the same order (and
 * modified_at, the as-of), cell by cell the text compute writes (values as compute writes the same
 * number, dates as the engine writes a timestamp, `yyyy-MM-dd HH:mm:ss`; NULL as a blank); value
 * columns of a number type, date columns of a timestamp type.
 */
export function assertSameProfiles(
  result: QueryResult,
  expected: readonly Record<string, string>[],
  {
    header,
    windows,
    engine,
    asOf = AS_OF,
    orders = [],
  }: { readonly header: readonly string[]; readonly windows: number; readonly engine: string; readonly asOf?: string; readonly orders?: readonly HistoryOrder[] },
): void {
  assert.deepEqual(
    result.columns.map((c) => c.name),
    [...header, 'modified_at'],
    `${engine}: the output columns`,
  );
  // Email, then a value and a date per window, then a date per size: compute's order.
  const kinds = header.map((_, i) => (i === 0 ? 'text' : i <= 2 * windows && i % 2 === 1 ? 'value' : 'date'));
  result.columns.forEach(({ name, type }, i) => {
    const kind = kinds[i] ?? 'date';
    const pattern = kind === 'text' ? /^(text|VARCHAR)$/ : kind === 'value' ? /^(numeric|DECIMAL)/ : /^(timestamp|TIMESTAMP)$/;
    assert.match(type, pattern, `${engine}: column ${name} is of type ${type}`);
  });
  // The SQL's numbers as compute writes numbers (`formatValue`: 1359.6000000000 is 1359.6; below 1e-6,
  // where String() would write an exponent, compute writes toFixed(2)); NULL as a blank cell.
  const asCompute = (cells: readonly (string | null)[]) => cells.map((cell, i) => (cell === null ? '' : kinds[i] === 'value' ? formatValue(Number(cell)) : cell));
  const byEmail = (a: readonly string[], b: readonly string[]) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0);
  const actual = result.rows.map((row) => asCompute(row.slice(0, header.length))).sort(byEmail);
  const wanted = expected.map((row) => header.map((name) => row[name] ?? '')).sort(byEmail);
  const differing = [...new Set([...actual, ...wanted].map((row) => row[0]!))].filter((email) => {
    const [a, b] = [actual.find((row) => row[0] === email), wanted.find((row) => row[0] === email)];
    return JSON.stringify(a) !== JSON.stringify(b);
  });
  const shown = differing.slice(0, 3).map((email) => {
    const profile = /^(customer|billing)(\d+)@/.exec(email)?.[2];
    const own = orders.filter((order) => order.orderId.split('-')[0] === profile);
    return `${email}:\n  sql:     ${JSON.stringify(actual.find((row) => row[0] === email))}\n  compute: ${JSON.stringify(wanted.find((row) => row[0] === email))}\n  orders:  ${JSON.stringify(own)}`;
  });
  assert.deepEqual(differing, [], `${engine}: ${differing.length} profiles differ from compute's (${header.join(', ')}):\n${shown.join('\n')}`);
  assert.equal(actual.length, wanted.length);
  const modifiedAt = new Set(result.rows.map((row) => row[header.length]));
  assert.deepEqual([...modifiedAt], [asOf.replace('T', ' ').replace('.000Z', '')], `${engine}: modified_at is the as-of`);
}
