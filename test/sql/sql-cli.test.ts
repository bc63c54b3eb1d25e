/**
 * `backfill sql` as users run it: its help, its usage and configuration errors, a view as of the time
 * it is read, and the export a user feeds to `backfill push --profiles` (checked with `backfill diff`
 * against compute's own rows).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { csvRows, runCli, tempDir } from '../support/cli.js';
import { duckdbEngine, pgliteEngine, type SqlEngine } from '../support/sql-engines.js';
import { batchArbitrary, historyCsv, type HistoryColumns } from '../support/sql-histories.js';
import { assertSameProfiles, EQUALITY_CASES, loadOrders } from './equality-cases.js';

const DEFAULT_CASE = EQUALITY_CASES[0]!;
const COLUMNS: HistoryColumns = DEFAULT_CASE.columns;
const MAPPING = { orderId: 'order_id', email: 'email', placedAt: 'placed_at', value: 'value', status: 'status', size: 'size' };

let engines: SqlEngine[] = [];
before(async () => {
  engines = [await duckdbEngine(tempDir('backfill-duckdb-')), await pgliteEngine()];
});
after(async () => {
  for (const engine of engines) await engine.close();
});

test('sql --help: an example per dialect and one for dbt, the relations, columns and as-of', async () => {
  const run = await runCli(['sql', '--help']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /\$ backfill sql --dialect postgres .*--view klaviyo_profiles \| psql/);
  assert.match(run.stdout, /\$ duckdb shop\.duckdb -c "COPY \(\$\(backfill sql --dialect duckdb/);
  assert.match(run.stdout, /--orders '\{\{ ref\("stg_orders"\) \}\}'/);
  assert.match(run.stdout, /order_id, email, placed_at \(timestamp with time zone\), value/);
  assert.match(run.stdout, /--as-of now \(the default\)/);
  const top = await runCli(['--help']);
  assert.match(top.stdout, /backfill sql --dialect postgres/);
});

test('sql: a SELECT without a closing semicolon for dbt, relations taken as given; a view ends with one', async () => {
  const select = await runCli(['sql', '--dialect', 'postgres', '--orders', '{{ ref("stg_orders") }}', '--order-lines', '{{ ref("stg_order_lines") }}']);
  assert.equal(select.code, 0, select.stderr);
  assert.match(select.stdout, /FROM \{\{ ref\("stg_orders"\) \}\}\n/);
  assert.match(select.stdout, /FROM \{\{ ref\("stg_order_lines"\) \}\}\n/);
  assert.match(select.stdout, /ORDER BY "Email"\n$/);
  const view = await runCli(['sql', '--dialect', 'duckdb', '--view', 'analytics.klaviyo_profiles']);
  assert.equal(view.code, 0, view.stderr);
  assert.match(view.stdout, /^CREATE OR REPLACE VIEW analytics\.klaviyo_profiles AS$/m);
  assert.match(view.stdout, /;\n$/);
});

test('sql: usage and configuration errors exit 2 with the flag, key or name and what to do', async () => {
  const noDialect = await runCli(['sql']);
  assert.equal(noDialect.code, 2);
  assert.match(noDialect.stderr, /--dialect <engine>' not specified/);
  const badDialect = await runCli(['sql', '--dialect', 'mysql']);
  assert.equal(badDialect.code, 2);
  assert.match(badDialect.stderr, /Allowed choices are duckdb, postgres/);
  const badAsOf = await runCli(['sql', '--dialect', 'duckdb', '--as-of', 'yesterday']);
  assert.equal(badAsOf.code, 2);
  assert.match(badAsOf.stderr, /--as-of/);

  const dir = tempDir();
  await writeFile(join(dir, 'backfill.config.json'), JSON.stringify({ columns: { value: ['Total', 'Summe'] } }));
  const list = await runCli(['sql', '--dialect', 'duckdb'], { cwd: dir });
  assert.equal(list.code, 2);
  assert.match(list.stderr, /backfill\.config\.json: "columns\.value" lists 2 columns \("Total", "Summe"\)/);
  assert.match(list.stderr, /Name one column there, or give backfill sql a config of its own with --config/);
  assert.equal(list.stdout, '');

  // 64 bytes: PostgreSQL would cut it to 63 with only a NOTICE, so the column would come out renamed.
  const long = 'x'.repeat(64);
  await writeFile(join(dir, 'backfill.config.json'), JSON.stringify({ properties: { windows: { '30': { value: long } } } }));
  const postgres = await runCli(['sql', '--dialect', 'postgres'], { cwd: dir });
  assert.equal(postgres.code, 2);
  assert.match(postgres.stderr, new RegExp(`the column "${long}" is 64 bytes long; PostgreSQL cuts names at 63 bytes`));
  assert.equal((await runCli(['sql', '--dialect', 'duckdb'], { cwd: dir })).code, 0);

  // DuckDB takes "modified_at" and "Modified_At" for one column, even quoted.
  await writeFile(join(dir, 'backfill.config.json'), JSON.stringify({ properties: { sizes: { small: 'Modified_At' } } }));
  const duckdb = await runCli(['sql', '--dialect', 'duckdb'], { cwd: dir });
  assert.equal(duckdb.code, 2);
  assert.match(duckdb.stderr, /the columns "Modified_At" and "modified_at" would be one column in DuckDB/);
  assert.equal((await runCli(['sql', '--dialect', 'postgres'], { cwd: dir })).code, 0);

  await writeFile(join(dir, 'backfill.config.json'), JSON.stringify({ sizePattern: 'Size: (\\w+)' }));
  const pattern = await runCli(['sql', '--dialect', 'postgres'], { cwd: dir });
  assert.equal(pattern.code, 0, pattern.stderr);
  assert.match(pattern.stderr, /note: "sizePattern" is not applied in SQL/);
});

/** One generated batch, fixed by its seed, as orders.csv with a compute config in a new directory. */
async function batchFiles(): Promise<{ dir: string; csv: string; config: string; orders: ReturnType<typeof sampleOrders> }> {
  const dir = tempDir('backfill-sql-');
  const orders = sampleOrders();
  const csv = join(dir, 'orders.csv');
  await writeFile(csv, historyCsv(orders, COLUMNS));
  const config = join(dir, 'compute.config.json');
  await writeFile(config, JSON.stringify({ format: 'generic', columns: MAPPING }));
  return { dir, csv, config, orders };
}

function sampleOrders() {
  return fc.sample(batchArbitrary({ asOf: Date.parse('2025-11-03T12:00:00Z'), windowDays: [30], secondEmail: false }, 60), { numRuns: 1, seed: 23 })[0]!;
}

test('sql --view with --as-of now (the default): the view is computed as of the time it is read, replaced in place', async () => {
  const { csv, config, orders } = await batchFiles();
  const view = await runCli(['sql', '--dialect', 'duckdb', '--view', 'klaviyo_profiles']);
  const pgView = await runCli(['sql', '--dialect', 'postgres', '--view', 'klaviyo_profiles']);
  assert.equal(view.code, 0, view.stderr);
  assert.match(view.stdout, /current_timestamp/);
  const before = Date.now();
  // Every order is from 2025: as of now the flow has seen them all, as compute as of now has.
  const computed = await runCli([csv, '--config', config, '--as-of', new Date(before).toISOString(), '-o', '-', '-q', '--rejects', join(tempDir(), 'r.csv')]);
  assert.equal(computed.code, 0, computed.stderr);
  const expected = csvRows(computed.stdout);
  for (const engine of engines) {
    await loadOrders(engine, DEFAULT_CASE, orders);
    const statement = engine.dialect === 'duckdb' ? view.stdout : pgView.stdout;
    await engine.exec(statement);
    await engine.exec(statement); // CREATE OR REPLACE: a second run replaces it
    const started = Date.now();
    const result = await engine.query('SELECT * FROM klaviyo_profiles');
    const ended = Date.now();
    const modifiedAt = Date.parse(`${result.rows[0]![result.columns.length - 1]!.replace(' ', 'T')}Z`);
    assert.ok(modifiedAt >= started - 1000 && modifiedAt <= ended + 1000, `${engine.title}: modified_at ${modifiedAt} is when the view was read (${started} to ${ended})`);
    const asOfText = result.rows[0]![result.columns.length - 1]!;
    assertSameProfiles(result, expected, { header: Object.keys(expected[0]!), windows: 1, engine: engine.title, asOf: asOfText, orders });
    await engine.exec('DROP VIEW klaviyo_profiles');
  }
});

test('sql --no-modified-at, exported as CSV by DuckDB and PostgreSQL: what backfill push --profiles reads, equal to compute by diff', async () => {
  const { dir, csv, config, orders } = await batchFiles();
  const asOf = '2025-11-03T12:00:00Z';
  for (const engine of engines) {
    const sql = await runCli(['sql', '--dialect', engine.dialect, '--as-of', asOf, '--no-modified-at']);
    assert.equal(sql.code, 0, sql.stderr);
    await loadOrders(engine, DEFAULT_CASE, orders);
    const exported = join(dir, `${engine.dialect}-profiles.csv`);
    await writeFile(exported, await engine.copyCsv!(sql.stdout));
    assert.match(await readFile(exported, 'utf8'), /^Email,highest_order_value,highest_order_date,small_order_date,medium_order_date,large_order_date,xlarge_order_date\r?\n/);
    const same = await runCli(['diff', csv, '--config', config, '--as-of', asOf, '--against', exported, '--exit-code']);
    assert.equal(same.code, 0, `${engine.title}: ${same.stdout}${same.stderr}`);
    // The diff sees a change when there is one: the export with one value changed.
    const text = await readFile(exported, 'utf8');
    const [header, first, ...rest] = text.split('\n');
    const cells = first!.split(',');
    cells[1] = String(Number(cells[1]) + 1);
    await writeFile(exported, [header, cells.join(','), ...rest].join('\n'));
    const changed = await runCli(['diff', csv, '--config', config, '--as-of', asOf, '--against', exported, '--exit-code']);
    assert.equal(changed.code, 1, `${engine.title}: ${changed.stdout}${changed.stderr}`);
  }
});

test('sql without sizes reads neither order lines nor order ids, nor a status unless cancelled orders are left out', async () => {
  for (const engine of engines) {
    await engine.exec('DROP TABLE IF EXISTS bare_orders');
    await engine.exec(`CREATE TABLE bare_orders (email ${engine.types.text}, placed_at ${engine.types.instant}, value ${engine.types.decimal})`);
    await engine.exec(`INSERT INTO bare_orders VALUES ('Ann@Example.com', CAST('2025-06-01 10:00:00+00:00' AS ${engine.types.instant}), 12.5)`);
    const sql = await runCli(['sql', '--dialect', engine.dialect, '--sizes', '', '--orders', 'bare_orders', '--order-lines', 'no_such_relation', '--as-of', '2025-06-02']);
    assert.equal(sql.code, 0, sql.stderr);
    const result = await engine.query(sql.stdout);
    assert.deepEqual(
      result.rows.map((row) => [row[0], Number(row[1]), row[2]]),
      [['ann@example.com', 12.5, '2025-06-01 10:00:00']],
      engine.title,
    );
    const cancelled = await runCli(['sql', '--dialect', engine.dialect, '--sizes', '', '--orders', 'bare_orders', '--exclude-cancelled']);
    await assert.rejects(engine.query(cancelled.stdout), /status/, `${engine.title}: --exclude-cancelled reads the status column`);
  }
});
