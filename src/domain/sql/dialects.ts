/**
 * What differs between the SQL engines `backfill sql` writes for: one row per dialect. Everything else
 * in the emitted statement is SQL both engines run alike (window functions with RANGE frames, CASE in
 * aggregates rather than FILTER, CTEs, joins), so a new engine is a new row here and a test engine in
 * test/sql/, nothing more.
 *
 * Each entry says why it is there. Two traps are the same in both engines and so are handled in
 * every row alike rather than being differences:
 *  - `INTERVAL '30 days'` added to a timestamp with time zone is 30 calendar days in the session's
 *    time zone (PostgreSQL, and DuckDB with ICU), 23 or 25 hours longer or shorter across a DST
 *    change; compute's N days are N x 86400 s, so durations are written in hours (`hours`).
 *  - `date_trunc` on a timestamp with time zone truncates in the session's time zone; instants are
 *    turned into UTC wall-clock times first (`utcSeconds`), so the session's zone never matters.
 */

export type DialectName = 'duckdb' | 'postgres';

export const DIALECT_NAMES: readonly DialectName[] = ['duckdb', 'postgres'];

export interface SqlDialect {
  readonly name: DialectName;
  /** The engine's name for messages and comments. */
  readonly title: string;
  /** A quoted identifier (a column or an output column's name), case kept. */
  identifier(name: string): string;
  /**
   * The longest identifier the engine keeps whole, in UTF-8 bytes; undefined: no limit. PostgreSQL cuts
   * longer ones to 63 bytes with only a NOTICE, so a long property name would come out renamed.
   */
  readonly maxIdentifierBytes: number | undefined;
  /** Whether identifiers differing only in case name one column (DuckDB: even when quoted). */
  readonly caseInsensitiveIdentifiers: boolean;
  /** A string literal. */
  string(text: string): string;
  /** An instant (epoch ms) as a timestamp-with-time-zone literal. */
  instant(epochMs: number): string;
  /** The current instant, fixed for the whole statement (the start of its transaction). */
  readonly now: string;
  /** An exact duration of whole hours. */
  hours(count: number): string;
  /** `text` without the ASCII white space (space, tab, line feeds, form feed) at its ends, as compute trims a cell. */
  trimmed(text: string): string;
  /** An instant as UTC wall-clock time cut to the second: compute's `yyyy-MM-dd HH:mm:ss` as a timestamp. */
  utcSeconds(instant: string): string;
  /** An instant as UTC wall-clock time, as it is. */
  utc(instant: string): string;
  /** `select` made a view named `name` (text as given), replacing one of that name. */
  view(name: string, select: string): string;
}

/** Space, tab, line feed, vertical tab, form feed, carriage return: what JavaScript's trim takes off in ASCII. */
const ASCII_SPACE_CODES = [32, 9, 10, 11, 12, 13];
const ASCII_SPACES = ASCII_SPACE_CODES.map((code) => `chr(${code})`).join(' || ');

const doubleQuoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const singleQuoted = (text: string): string => `'${text.replaceAll("'", "''")}'`;
/**
 * `2026-01-01 00:00:00.000+00:00`: the offset right after the time, in the ISO form both read; DuckDB
 * takes an offset after a space (`09:55:16 -0400`, as Shopify writes it) for a time zone name, and refuses it.
 */
const instantText = (epochMs: number): string => `${new Date(epochMs).toISOString().replace('T', ' ').replace('Z', '')}+00:00`;

export const DIALECTS: Readonly<Record<DialectName, SqlDialect>> = {
  duckdb: {
    name: 'duckdb',
    title: 'DuckDB',
    identifier: doubleQuoted,
    maxIdentifierBytes: undefined,
    caseInsensitiveIdentifiers: true,
    string: singleQuoted,
    instant: (epochMs) => `CAST(${singleQuoted(instantText(epochMs))} AS TIMESTAMPTZ)`,
    now: 'current_timestamp',
    hours: (count) => `INTERVAL '${count} hours'`,
    // DuckDB has no btrim (PostgreSQL's name for it); trim with the characters second runs on both.
    trimmed: (text) => `trim(${text}, ${ASCII_SPACES})`,
    utcSeconds: (instant) => `date_trunc('second', timezone('UTC', ${instant}))`,
    utc: (instant) => `timezone('UTC', ${instant})`,
    view: (name, select) => `CREATE OR REPLACE VIEW ${name} AS\n${select}`,
  },
  postgres: {
    name: 'postgres',
    title: 'PostgreSQL',
    identifier: doubleQuoted,
    maxIdentifierBytes: 63,
    caseInsensitiveIdentifiers: false,
    string: singleQuoted,
    instant: (epochMs) => `CAST(${singleQuoted(instantText(epochMs))} AS TIMESTAMPTZ)`,
    now: 'current_timestamp',
    hours: (count) => `INTERVAL '${count} hours'`,
    trimmed: (text) => `trim(${text}, ${ASCII_SPACES})`,
    utcSeconds: (instant) => `date_trunc('second', ${instant} AT TIME ZONE 'UTC')`,
    utc: (instant) => `(${instant} AT TIME ZONE 'UTC')`,
    // PostgreSQL replaces a view only with the same columns first (names and types); after a change of
    // windows, sizes or names, drop the old view first (README, "Run where your orders live").
    view: (name, select) => `CREATE OR REPLACE VIEW ${name} AS\n${select}`,
  },
};
