/**
 * The command line: flags, help, progress and the summary. The single place that maps errors to
 * exit codes (0 done, 2 usage or input error, 1 unexpected).
 */
import { basename, dirname, extname, join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import ora from 'ora';
import { runCompute, type ComputeResult } from './commands/compute.js';
import { loadConfig } from './config/config-file.js';
import { resolveRunSettings, type ExplicitSettings, type SizeAliasFlag } from './config/run-settings.js';
import type { ReducerMode } from './core/definitions.js';
import { DEFAULT_SIZE_ALIASES } from './core/sizes.js';
import type { TimeZone } from './core/time-zone.js';
import { BackfillError, EXIT, formatLocation } from './errors.js';
import {
  DEFAULT_SIZES,
  DEFAULT_WINDOWS,
  parseAsOf,
  parseBytes,
  parseDateFormat,
  parseDelimiter,
  parseMode,
  parseSizeAliasFlag,
  parseSizes,
  parseTimeZone,
  parseWindows,
} from './cli-options.js';
import { FORMAT_NAMES } from './io/formats/registry.js';
import { expandInputPaths, STDIN_PATH } from './io/input-files.js';
import type { Delimiter } from './io/input-stream.js';

const COMPUTE_HELP = `
Examples:
  $ backfill orders_export.csv
      Shopify export in, profiles.csv out: one row per customer email with
      highest_order_value, highest_order_date, small_order_date, ... as the flow sets them.
  $ backfill orders_export_1.csv orders_export_2.csv -o profiles.csv --as-of 2026-11-01
      Several parts of one export; orders after 2026-11-01 00:00 UTC are ignored, so reruns match.
  $ backfill orders.csv --mode window --windows 30,60,90 --sizes small,medium,large
      Nightly recompute: the largest order of the last 30, 60 and 90 days, and blank when none.
  $ backfill orders.csv -o - --quiet | head
      Profiles CSV to stdout.
  $ backfill woo_orders.csv.gz --timezone Europe/Berlin --date-format DD/MM/YYYY
      WooCommerce export (gzip found by its bytes), store times in Berlin, dates day first.
  $ backfill 'exports/orders_*.csv' --config shop.config.json
      Every matching export; overlapping orders are counted once.

Input:
  The layout (shopify, woocommerce, bigcommerce, json-items) is found from each file's header row, or
  set with --format; any other CSV is read by the "columns" mapping in backfill.config.json (read from
  the working directory, or --config). Settings come from flags, then BACKFILL_* environment variables,
  then the config file, then defaults. Files may be gzip-compressed, ;-delimited, with BOM and CRLF.

Modes:
  flow    replays the live flow over each customer's orders in time order: at each order, if it is
          the only one in the last N days it is stored; otherwise it is stored only if its value is
          strictly greater than the stored one (so a stored maximum can be older than N days, exactly
          as in Klaviyo).
  window  the largest order placed in [as-of - N days, as-of]; for recomputing every night.

Output:
  Email, then highest_order_value, highest_order_date (30 days), N_day_highest_order_value/_date for
  other windows, then <size>_order_date for each size. Dates are "yyyy-MM-dd HH:mm:ss" in UTC.
  Rows are sorted by email; the file is written atomically and split into name-1.csv, name-2.csv, ...
  when over Klaviyo's 50 MB upload limit. Rows that cannot be read go to the rejects file
  (default: next to the output, <name>.rejects.csv) with their line and the reason.

Exit codes: 0 done, 2 usage or input error, 1 unexpected error.
`;

interface ComputeFlags {
  out: string;
  asOf?: number;
  config?: string;
  format?: string;
  timezone?: TimeZone;
  dateFormat?: string;
  delimiter?: Delimiter;
  mode: ReducerMode;
  windows: number[];
  sizes: string[];
  sizeAlias?: SizeAliasFlag;
  excludeCancelled?: boolean;
  rejects?: string;
  strict?: boolean;
  json?: boolean;
  quiet?: boolean;
  maxFileBytes?: number;
}

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly now: () => number;
}

const defaultIo: CliIo = { stdout: process.stdout, stderr: process.stderr, now: Date.now };

/** Runs the command line; returns the exit code (the launcher sets it, tests read it). */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('backfill')
    .description('Backfill Klaviyo profile properties from historical order exports, exactly as the flow would have set them.')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride()
    .showHelpAfterError('(run backfill --help for examples)')
    .addHelpText(
      'after',
      `
Examples:
  $ backfill orders_export.csv                     profiles.csv from a Shopify export
  $ backfill orders.csv --as-of 2026-11-01 -o -    reproducible run, CSV to stdout
  $ backfill compute --help                        every option of the main command`,
    );

  program
    .command('compute', { isDefault: true })
    .description('read order exports and write the profile-properties CSV for Klaviyo (the default command)')
    .argument('<orders...>', 'order export CSV files; - reads stdin')
    .option('-o, --out <file>', 'where to write the profiles CSV; - for stdout', 'profiles.csv')
    .option('--as-of <datetime>', 'ignore orders placed after this ISO 8601 instant (default: now); makes runs reproducible', parseAsOf)
    .addOption(new Option('--config <file>', 'settings file (default: ./backfill.config.json if present)').env('BACKFILL_CONFIG'))
    .addOption(new Option('--format <name>', 'export layout (default: found from each header)').choices(['auto', ...FORMAT_NAMES]).env('BACKFILL_FORMAT'))
    .addOption(new Option('--timezone <zone>', 'IANA zone for times written without an offset, e.g. America/New_York').argParser(parseTimeZone).env('BACKFILL_TIMEZONE'))
    .addOption(new Option('--date-format <format>', 'DD/MM/YYYY or MM/DD/YYYY, for dates such as 05/06/2024').argParser(parseDateFormat).env('BACKFILL_DATE_FORMAT'))
    .addOption(new Option('--delimiter <char>', ', ; | or tab (default: found from each header row)').argParser(parseDelimiter).env('BACKFILL_DELIMITER'))
    .addOption(new Option('--mode <mode>', 'flow: replay the flow; window: recompute trailing windows').choices(['flow', 'window']).default('flow').argParser(parseMode).env('BACKFILL_MODE'))
    .addOption(new Option('--windows <days>', 'trailing windows in days, comma-separated').argParser(parseWindows).default(DEFAULT_WINDOWS, DEFAULT_WINDOWS.join(',')).env('BACKFILL_WINDOWS'))
    .addOption(new Option('--sizes <list>', 'item sizes; each writes <size>_order_date').argParser(parseSizes).default(DEFAULT_SIZES, DEFAULT_SIZES.join(',')).env('BACKFILL_SIZES'))
    .addOption(
      new Option('--size-alias <pairs>', 'variant values that mean a size, added to the defaults; "none" drops the defaults')
        .argParser(parseSizeAliasFlag)
        .default(undefined, Object.entries(DEFAULT_SIZE_ALIASES).map(([a, s]) => `${a.toUpperCase()}=${s}`).join(',')),
    )
    .option('--exclude-cancelled', 'leave out cancelled, voided and refunded orders (the live flow counts them)')
    .option('--rejects <file>', 'where to write rejected rows (default: <out>.rejects.csv)')
    .option('--strict', 'stop at the first bad row instead of rejecting it')
    .option('--json', 'print the run summary as JSON')
    .option('-q, --quiet', 'no progress and no summary line')
    .addOption(new Option('--max-file-bytes <n>', 'split the output above this size').argParser(parseBytes).hideHelp())
    .addHelpText('after', COMPUTE_HELP)
    .action(async (files: string[], flags: ComputeFlags, command: Command) => {
      exitCode = await compute(files, flags, explicitSettings(flags, command), io);
    });

  try {
    await program.parseAsync(argv as string[]);
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

/** The settings a flag or environment variable gave; commander's defaults yield to the config file. */
function explicitSettings(flags: ComputeFlags, command: Command): ExplicitSettings {
  const given = (key: keyof ComputeFlags): boolean => {
    const source = command.getOptionValueSource(key);
    return source === 'cli' || source === 'env';
  };
  return {
    ...(flags.format !== undefined ? { format: flags.format } : {}),
    ...(flags.timezone !== undefined ? { timeZone: flags.timezone } : {}),
    ...(flags.dateFormat !== undefined ? { dateFormat: flags.dateFormat } : {}),
    ...(flags.delimiter !== undefined ? { delimiter: flags.delimiter } : {}),
    ...(given('mode') ? { mode: flags.mode } : {}),
    ...(given('windows') ? { windows: flags.windows } : {}),
    ...(given('sizes') ? { sizes: flags.sizes } : {}),
    ...(flags.sizeAlias !== undefined ? { sizeAlias: flags.sizeAlias } : {}),
    ...(flags.excludeCancelled === true ? { excludeCancelled: true } : {}),
  };
}

async function compute(patterns: string[], flags: ComputeFlags, explicit: ExplicitSettings, io: CliIo): Promise<number> {
  const config = await loadConfig(flags.config, process.cwd());
  const settings = resolveRunSettings(explicit, config);
  const files = await expandInputPaths(patterns);
  const started = io.now();
  // A spinner only for a person at a terminal; cron and CI logs get the summary line alone.
  const interactive = io.stderr.isTTY === true && flags.quiet !== true && flags.json !== true;
  const spinner = ora({ stream: io.stderr, isEnabled: interactive, isSilent: !interactive, discardStdin: false });
  spinner.start(`Reading ${files.join(', ')}`);
  let lastCount = 0;
  const result: ComputeResult = await runCompute({
    files,
    out: flags.out,
    definitions: settings.definitions,
    input: settings.input,
    asOf: flags.asOf ?? io.now(),
    strict: flags.strict === true,
    rejectsPath: flags.rejects ?? defaultRejectsPath(flags.out),
    ...(flags.maxFileBytes !== undefined ? { maxFileBytes: flags.maxFileBytes } : {}),
    onProgress: (rows) => {
      lastCount = rows;
      const seconds = Math.max(0.001, (io.now() - started) / 1000);
      spinner.text = `Reading: ${rows.toLocaleString('en-US')} rows (${Math.round(rows / seconds).toLocaleString('en-US')} rows/s)`;
    },
  }).finally(() => spinner.stop());
  const seconds = (io.now() - started) / 1000;
  const summary = { ...result.counts, outputs: result.outputs, rejectsFile: result.rejectsFile ?? null, seconds, rowsPerSecond: Math.round(lastCount / Math.max(seconds, 0.001)) };
  if (flags.json === true) {
    (flags.out === STDIN_PATH ? io.stderr : io.stdout).write(`${JSON.stringify(summary)}\n`);
  } else if (flags.quiet !== true) {
    io.stderr.write(`${summaryLine(result)}\n`);
  }
  return EXIT.ok;
}

function summaryLine({ counts, outputs, rejectsFile }: ComputeResult): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const read = counts.fileFormats.map(({ file, format, delimiter }) => `${file} (${format}${delimiter === ',' ? '' : `, ${delimiter === '\t' ? 'tab' : delimiter}-delimited`})`);
  const parts = [
    `${n(counts.ordersRead)} orders (${n(counts.rowsRead)} rows) read from ${read.join(', ')}`,
    `${n(counts.profiles)} profiles written to ${outputs.map((o) => (o === STDIN_PATH ? 'stdout' : o)).join(', ')}`,
    `${n(counts.ordersWithoutEmail)} orders without email skipped`,
  ];
  if (counts.ordersAfterAsOf > 0) parts.push(`${n(counts.ordersAfterAsOf)} orders after --as-of ignored`);
  if (counts.ordersExcluded > 0) parts.push(`${n(counts.ordersExcluded)} cancelled orders excluded`);
  if (counts.ordersDuplicate > 0) parts.push(`${n(counts.ordersDuplicate)} duplicate orders (same id, email and total) counted once`);
  if (counts.ordersConflicting > 0) parts.push(`${n(counts.ordersConflicting)} orders rejected for reusing an order id with a different email or total`);
  if (counts.profilesWithoutProperties > 0) parts.push(`${n(counts.profilesWithoutProperties)} profiles with nothing to set left out`);
  parts.push(counts.rowsRejected > 0 ? `${n(counts.rowsRejected)} rows rejected (see ${rejectsFile})` : '0 rows rejected');
  return `backfill: ${parts.join('; ')}`;
}

/** `profiles.csv` -> `profiles.rejects.csv`, beside the output; `rejects.csv` when writing to stdout. */
export function defaultRejectsPath(out: string): string {
  if (out === STDIN_PATH) return 'rejects.csv';
  const extension = extname(out);
  return join(dirname(out), `${basename(out, extension)}.rejects${extension || '.csv'}`);
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander has printed its message (or the help) already.
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof BackfillError) {
    const where = error.location !== undefined && !error.message.startsWith(error.location.file) ? `${formatLocation(error.location)}: ` : '';
    io.stderr.write(`backfill: ${where}${error.message}\n`);
    if (error.hint !== undefined) io.stderr.write(`  ${error.hint}\n`);
    return error.exitCode;
  }
  if ((error as NodeJS.ErrnoException).code === 'EPIPE') return EXIT.ok; // `| head` closed the pipe
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`backfill: unexpected error; please report it with the command you ran.\n${detail}\n`);
  return EXIT.unexpected;
}
