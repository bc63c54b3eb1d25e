/**
 * `backfill sql`'s statements, run on DuckDB and on PostgreSQL (PGlite: PostgreSQL compiled to
 * WebAssembly), both in this process, return the rows `backfill compute` writes from the same orders,
 * value by value, over property-generated histories (see equality-cases.ts). The same cases run against
 * a real PostgreSQL server in `npm run test:postgres` (postgres-server.ts).
 */
import { after, before, test } from 'node:test';
import { tempDir } from '../support/cli.js';
import { duckdbEngine, pgliteEngine, type SqlEngine } from '../support/sql-engines.js';
import { checkEqualityCase, EQUALITY_CASES } from './equality-cases.js';

let engines: SqlEngine[] = [];
before(async () => {
  engines = [await duckdbEngine(tempDir('backfill-duckdb-')), await pgliteEngine()];
});
after(async () => {
  for (const engine of engines) await engine.close();
});

for (const testCase of EQUALITY_CASES) {
  test(`sql = compute on DuckDB and PGlite: ${testCase.name}`, async () => {
    await checkEqualityCase(testCase, engines, { runs: 2, profilesPerBatch: 100 });
  });
}
