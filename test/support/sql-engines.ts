/**
 * The SQL engines the emitted statements are proven on, behind one small interface: DuckDB and
 * PostgreSQL compiled to WebAssembly (PGlite), both in this process, and a real PostgreSQL server
 * (through `pg`, at the server the PG* environment variables name). Each session runs in a time zone
 * with DST changes, so a statement that let the session's zone in (calendar days, truncation in local
 * time) would be caught.
 *
 * Results come back as text, as the engine writes it (PostgreSQL's numeric and timestamp text, DuckDB's
 * value strings), with each column's type name, so the tests see the engine's own output.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { PGlite } from '@electric-sql/pglite';
import type { DialectName } from '../../src/domain/sql/dialects.js';

export interface QueryResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  /** Cells as the engine's text; null for NULL. */
  readonly rows: readonly (readonly (string | null)[])[];
}

export interface SqlEngine {
  readonly dialect: DialectName;
  /** For messages: DuckDB, PGlite, PostgreSQL server. */
  readonly title: string;
  /** The column types the test tables are made with. */
  readonly types: { readonly text: string; readonly instant: string; readonly decimal: string };
  exec(sql: string): Promise<void>;
  query(sql: string): Promise<QueryResult>;
  /** The result of a COPY (query) TO as CSV with a header, as the engine writes it (the engines in this process). */
  copyCsv?(select: string): Promise<string>;
  close(): Promise<void>;
}

export async function duckdbEngine(directory: string): Promise<SqlEngine> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection: DuckDBConnection = await instance.connect();
  await connection.run("SET TimeZone = 'America/New_York'");
  let copies = 0;
  const query = async (sql: string): Promise<QueryResult> => {
    const reader = await connection.runAndReadAll(sql);
    const types = reader.columnTypes().map(String);
    return {
      columns: reader.columnNames().map((name, i) => ({ name, type: types[i]! })),
      rows: reader.getRowsJson().map((row) => row.map((cell) => (cell === null ? null : String(cell)))),
    };
  };
  return {
    dialect: 'duckdb',
    title: 'DuckDB',
    types: { text: 'VARCHAR', instant: 'TIMESTAMPTZ', decimal: 'DECIMAL(38, 10)' },
    exec: async (sql) => void (await connection.run(sql)),
    query,
    async copyCsv(select) {
      const { readFile } = await import('node:fs/promises');
      const path = `${directory}/duckdb-copy-${++copies}.csv`;
      await connection.run(`COPY (${select}) TO '${path}' (HEADER true)`);
      return readFile(path, 'utf8');
    },
    close: async () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** PostgreSQL type oids of the types the statements output, by name. */
const PG_TYPES: Readonly<Record<number, string>> = { 25: 'text', 1043: 'varchar', 1700: 'numeric', 1114: 'timestamp', 1184: 'timestamptz', 20: 'bigint', 701: 'float8' };

/** Every value as PostgreSQL's own text (node-postgres and PGlite would make Dates and numbers of some). */
const AS_TEXT = Object.fromEntries(Object.keys(PG_TYPES).map((oid) => [Number(oid), (text: string) => text]));

function pgResult(fields: readonly { name: string; dataTypeID: number }[], rows: readonly (readonly unknown[])[]): QueryResult {
  return {
    columns: fields.map((field) => ({ name: field.name, type: PG_TYPES[field.dataTypeID] ?? `oid ${field.dataTypeID}` })),
    rows: rows.map((row) => row.map((cell) => (cell === null ? null : String(cell)))),
  };
}

const PG_TABLE_TYPES = { text: 'text', instant: 'timestamptz', decimal: 'numeric' } as const;

/**
 * A new database of PGlite's initial state: made by its initdb (9 s on a busy 2-core machine) the first
 * time, then loaded from the data directory that run left in the temporary directory (1.5 s), one per
 * PGlite version. The file is written whole (renamed into place); one that cannot be loaded is made anew.
 */
async function newPglite(): Promise<PGlite> {
  const { createRequire } = await import('node:module');
  const { readFile, rename, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { dirname, join } = await import('node:path');
  // Its package.json is not exported: read beside the module that is (dist/index.cjs).
  const packageJson = join(dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), '..', 'package.json');
  const { version } = JSON.parse(await readFile(packageJson, 'utf8')) as { version: string };
  const cached = join(tmpdir(), `backfill-test-pglite-${version}.tgz`);
  try {
    const db = new PGlite({ parsers: AS_TEXT, loadDataDir: new Blob([await readFile(cached)]) });
    await db.waitReady;
    return db;
  } catch {
    const db = new PGlite({ parsers: AS_TEXT });
    await db.waitReady;
    const dump = await db.dumpDataDir('gzip');
    const partial = `${cached}.${process.pid}`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, cached);
    return db;
  }
}

export async function pgliteEngine(): Promise<SqlEngine> {
  const db = await newPglite();
  await db.exec("SET TimeZone = 'Europe/Berlin'");
  return {
    dialect: 'postgres',
    title: 'PGlite',
    types: PG_TABLE_TYPES,
    exec: async (sql) => void (await db.exec(sql)),
    async query(sql) {
      const result = await db.query<unknown[]>(sql, [], { rowMode: 'array' });
      return pgResult(result.fields, result.rows);
    },
    async copyCsv(select) {
      const result = await db.query(`COPY (${select}) TO '/dev/blob' WITH (FORMAT csv, HEADER)`);
      return result.blob === undefined ? '' : result.blob.text();
    },
    close: () => db.close(),
  };
}

/** The server the PG* environment variables name (PGHOST may be a socket directory). */
export async function postgresServerEngine(): Promise<SqlEngine> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ types: { getTypeParser: () => (text: string) => text } });
  await client.connect();
  await client.query("SET TimeZone = 'America/New_York'");
  return {
    dialect: 'postgres',
    title: 'PostgreSQL server',
    types: PG_TABLE_TYPES,
    exec: async (sql) => void (await client.query(sql)),
    async query(sql) {
      const result = await client.query({ text: sql, rowMode: 'array' });
      return pgResult(result.fields, result.rows as unknown[][]);
    },
    close: () => client.end(),
  };
}
