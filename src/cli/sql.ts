/**
 * The `sql` subcommand's flags and help: prints the SQL statement (src/commands/sql.ts) on stdout,
 * and what the user should know about it on stderr.
 */
import { Option } from 'commander';
import type { CliCommand } from './command.js';
import { parseAsOf } from './flag-values.js';
import { addDefinitionOptions, explicitSettings, HELP_GROUPS, type OrderReadingFlags } from './order-reading-flags.js';
import { DEFAULT_SQL_COLUMNS, runSql } from '../commands/sql.js';
import { loadConfig } from '../config/config-file.js';
import { resolveRunSettings } from '../config/run-settings.js';
import { DIALECT_NAMES, type DialectName } from '../domain/sql/dialects.js';

const SQL_EXAMPLES = `Examples:
  $ backfill sql --dialect postgres --orders shop.orders --order-lines shop.order_lines --view klaviyo_profiles | psql "$DATABASE_URL"
      A PostgreSQL view of the profile properties, current whenever it is read: point a reverse-ETL
      tool (Hightouch, Census, RudderStack) at it, with "Email" as the primary key.
  $ duckdb shop.duckdb -c "COPY ($(backfill sql --dialect duckdb --as-of 2026-11-01 --no-modified-at)) TO 'profiles.csv' (HEADER)"
      DuckDB, from the tables orders and order_lines: a profiles CSV for backfill push --profiles,
      the same rows compute writes from the same orders as of that day.
  $ backfill sql --dialect postgres --mode window --windows 30,60,90 \\
      --orders '{{ ref("stg_orders") }}' --order-lines '{{ ref("stg_order_lines") }}' > models/klaviyo_profiles.sql
      A dbt model (any text is taken as a relation); the SELECT ends without a semicolon, as dbt wants.
`;

const SQL_DETAILS = `
What it computes:
  One row per profile with the properties compute writes with the same definitions (--mode,
  --windows, --sizes, --size-alias, --exclude-cancelled, and the property names and "columns" of
  backfill.config.json): "Email" (trimmed, lower-cased), then the property columns under compute's
  names and in its order (values as numbers, dates as UTC timestamps to the second), then modified_at,
  the as-of. Profiles with nothing to set are left out, as compute leaves them out.

Input relations and their columns (rename them with "columns" in backfill.config.json):
  --orders       ${DEFAULT_SQL_COLUMNS.orderId}, ${DEFAULT_SQL_COLUMNS.email}, ${DEFAULT_SQL_COLUMNS.placedAt} (timestamp with time zone), ${DEFAULT_SQL_COLUMNS.value} (a number), ${DEFAULT_SQL_COLUMNS.status} (only with
                 --exclude-cancelled). Rows with a NULL email, time or value are left out; order ids unique.
  --order-lines  ${DEFAULT_SQL_COLUMNS.orderId}, ${DEFAULT_SQL_COLUMNS.size} (one option value: S, Medium; matched against the sizes and
                 aliases case-insensitively). Read only when sizes are computed.
  The columns must be typed: the cleaning compute does on a CSV (money and date text, Excel prefixes)
  is not repeated in SQL.

As-of:
  --as-of now (the default) uses the engine's current time when the query runs, so a view is always
  current; --as-of 2026-11-01 writes that instant into the SQL: the rows are then those compute
  --as-of 2026-11-01 writes from the same orders, whenever the query runs.

Output:
  A SELECT without a closing semicolon, to run as it is or to put inside COPY (...), a dbt model or a
  reverse-ETL tool's query; with --view NAME, CREATE OR REPLACE VIEW NAME AS ... (PostgreSQL replaces a
  view only with the same columns: after changing windows, sizes or names, DROP VIEW NAME first).

Exit codes: 0 done, 2 usage or configuration error, 1 unexpected error.
`;

interface SqlFlags extends Omit<Partial<OrderReadingFlags>, 'asOf'> {
  dialect: DialectName;
  orders: string;
  orderLines: string;
  view?: string;
  asOf: number | 'now';
  modifiedAt: boolean;
}

export const sqlCommand: CliCommand = {
  name: 'sql',
  declare(program) {
    const command = program
      .command('sql')
      .description('print the SQL that computes the same properties where the orders live (DuckDB, PostgreSQL), as a query or a view')
      .addOption(new Option('--dialect <engine>', 'the SQL engine').choices(DIALECT_NAMES).makeOptionMandatory())
      .optionsGroup(HELP_GROUPS.input)
      .option('--orders <relation>', 'the orders: a table, a view, schema.table, or any text such as a dbt ref', 'orders')
      .option('--order-lines <relation>', 'the order lines, with their sizes (read only when sizes are computed)', 'order_lines')
      .optionsGroup(HELP_GROUPS.definitions)
      .addOption(new Option('--as-of <datetime>', 'ISO 8601 instant written into the SQL, or now: the time the query runs').argParser(parseSqlAsOf).default('now'))
      .optionsGroup(HELP_GROUPS.output)
      .option('--view <name>', 'print CREATE OR REPLACE VIEW <name> AS ... instead of the query')
      .option('--no-modified-at', 'leave out the modified_at column: the rows are then exactly those of a profiles CSV')
      .addHelpText('before', SQL_EXAMPLES)
      .addHelpText('after', SQL_DETAILS);
    return addDefinitionOptions(command, ['--mode', '--exclude-cancelled']);
  },
  async run(self, io) {
    const { asOf, ...flags } = self.opts<SqlFlags>();
    const config = await loadConfig(flags.config, io.cwd);
    const settings = resolveRunSettings(explicitSettings(flags, self), config);
    const { statement, notices } = runSql({
      settings,
      configPath: config?.path,
      dialect: flags.dialect,
      orders: flags.orders,
      orderLines: flags.orderLines,
      asOf,
      modifiedAt: flags.modifiedAt,
      ...(flags.view !== undefined ? { view: flags.view } : {}),
    });
    for (const notice of notices) io.stderr.write(`backfill: note: ${notice}\n`);
    io.stdout.write(statement);
    return { kind: 'done' };
  },
};

/** `--as-of now`, or an instant as compute's --as-of takes it. */
function parseSqlAsOf(text: string): number | 'now' {
  return text.trim().toLowerCase() === 'now' ? 'now' : parseAsOf(text);
}
