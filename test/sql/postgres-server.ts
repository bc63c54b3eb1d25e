/**
 * `npm run test:postgres`: the equality cases of sql-equality.test.ts against a real PostgreSQL server,
 * the one the PG* environment variables name (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD):
 * what users run is what is proven. `.ci/run` starts a private server for it with
 * scripts/with-postgres.sh. Not part of `npm test`, which needs no server (PGlite runs the same cases).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresServerEngine, type SqlEngine } from '../support/sql-engines.js';
import { checkEqualityCase, EQUALITY_CASES } from './equality-cases.js';

let server: SqlEngine | undefined;
before(async () => {
  assert.ok(
    process.env['PGHOST'] !== undefined || process.env['PGPORT'] !== undefined,
    'No PostgreSQL server named: set PGHOST (and PGUSER, PGDATABASE, ...), or run: bash scripts/with-postgres.sh npm run test:postgres',
  );
  server = await postgresServerEngine();
});
after(async () => {
  await server?.close();
});

test('the server is a real PostgreSQL server, not PGlite', async () => {
  const { rows } = await server!.query('SELECT version()');
  assert.match(rows[0]![0]!, /^PostgreSQL \d+/);
  assert.doesNotMatch(rows[0]![0]!, /PGlite|wasm/i);
});

for (const testCase of EQUALITY_CASES) {
  test(`sql = compute on a PostgreSQL server: ${testCase.name}`, async () => {
    await checkEqualityCase(testCase, [server!], { runs: 3, profilesPerBatch: 100 });
  });
}
