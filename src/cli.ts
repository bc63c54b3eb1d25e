/**
 * The command line: flags, help, progress and the summary. The single place that maps errors to
 * exit codes (0 done, 2 usage or input error, 1 unexpected; push adds 3, 4 and 130, see cli-push.ts;
 * diff keeps 1 for "changes", as git diff --exit-code does, so every error of a diff is 2).
 * Error messages pass through redactSecrets (as push output does), so the API key is never printed.
 */
import { basename, dirname, extname, join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import ora from 'ora';
import { runCompute, type ComputeResult } from './commands/compute.js';
import { loadConfig } from './config/config-file.js';
import { resolveRunSettings, type ExplicitSettings } from './config/run-settings.js';
import { BackfillError, EXIT, formatLocation } from './errors.js';
import { parseBytes, parseThreads } from './cli-options.js';
import { addOrderReadingOptions, explicitSettings, type OrderReadingFlags } from './cli-order-options.js';
import { expandInputPaths, STDIN_PATH } from './io/input-files.js';
import { addPushCommand } from './cli-push.js';
import { addDiffCommand } from './cli-diff.js';
import { redactSecrets } from './redact.js';
import { formatCount } from './text.js';

const COMPUTE_EXAMPLES = `Examples:
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
`;

const COMPUTE_DETAILS = `
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

Speed:
  An uncompressed Shopify export of 64 MB or more is read in parts on one thread per core, cut between
  orders; the result is the one reading it in turn gives (from a part that cannot stand on its own,
  it is read in turn). --threads N sets the number of threads; --threads 1 reads in one part.

Exit codes: 0 done, 2 usage or input error, 1 unexpected error.
`;

interface ComputeFlags extends OrderReadingFlags {
  out: string;
  rejects?: string;
  strict?: boolean;
  json?: boolean;
  quiet?: boolean;
  maxFileBytes?: number;
  threads?: number;
  splitMinBytes?: number;
}

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly now: () => number;
  /** For push's confirmation; default process.stdin. */
  readonly stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** For push's key, base URL and revision; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

const defaultIo: CliIo = { stdout: process.stdout, stderr: process.stderr, now: Date.now };

/** Runs the command line; returns the exit code (the launcher sets it, tests read it). */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  // A reader that stops early (`backfill --help | head`, `-o - | head`) is not an error: output just ends.
  io.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const program = new Command('backfill')
    .description('Backfill Klaviyo profile properties from historical order exports, exactly as the flow would have set them.')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride()
    .showHelpAfterError('(run backfill --help for examples)')
    .addHelpText(
      'before',
      `Examples:
  $ backfill orders_export.csv                     profiles.csv from a Shopify export
  $ backfill orders.csv --as-of 2026-11-01 -o -    reproducible run, CSV to stdout
  $ backfill push orders.csv --dry-run              plan the Klaviyo import jobs, send nothing
  $ backfill diff orders.csv --against state        what the nightly push --incremental would send
  $ backfill compute --help                        every option of the main command
  $ backfill push --help                           sending to Klaviyo, resuming, nightly, exit codes
  $ backfill diff --help                           baselines, output for CI, exit codes
`,
    );

  const computeCommand = program
    .command('compute', { isDefault: true })
    .description('read order exports and write the profile-properties CSV for Klaviyo (the default command)')
    .argument('<orders...>', 'order export CSV files; - reads stdin')
    .option('-o, --out <file>', 'where to write the profiles CSV; - for stdout', 'profiles.csv');
  addOrderReadingOptions(computeCommand)
    .option('--rejects <file>', 'where to write rejected rows (default: <out>.rejects.csv)')
    .option('--strict', 'stop at the first bad row instead of rejecting it')
    .option('--json', 'print the run summary as JSON')
    .option('-q, --quiet', 'no progress and no summary line')
    .addOption(new Option('--threads <n>', 'threads for reading a large export, one part each: 1 reads it in one part (default: the cores)').argParser(parseThreads))
    .addOption(new Option('--max-file-bytes <n>', 'split the output above this size').argParser(parseBytes).hideHelp())
    .addOption(new Option('--split-min-bytes <n>', 'read exports of this size or more in parts').argParser(parseBytes).hideHelp())
    .addHelpText('before', COMPUTE_EXAMPLES)
    .addHelpText('after', COMPUTE_DETAILS)
    .action(async (files: string[], flags: ComputeFlags, command: Command) => {
      exitCode = await compute(files, flags, explicitSettings(flags, command), io);
    });

  addPushCommand(program, io, (code) => {
    exitCode = code;
  });
  let diffRunning = false;
  addDiffCommand(
    program,
    io,
    (code) => {
      exitCode = code;
    },
    () => {
      diffRunning = true;
    },
  );

  try {
    await program.parseAsync(argv as string[]);
    return exitCode;
  } catch (error) {
    const code = reportError(error, io);
    // 1 would read as "changes" to a CI job: a diff that failed says 2, whatever the failure.
    return diffRunning && code !== EXIT.ok ? EXIT.usage : code;
  }
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
    ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
    ...(flags.splitMinBytes !== undefined ? { splitMinBytes: flags.splitMinBytes } : {}),
    onProgress: (rows) => {
      lastCount = rows;
      const seconds = Math.max(0.001, (io.now() - started) / 1000);
      spinner.text = `Reading: ${formatCount(rows)} rows (${formatCount(Math.round(rows / seconds))} rows/s)`;
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
  const read = counts.fileFormats.map(({ file, format, delimiter }) => `${file} (${format}${delimiter === ',' ? '' : `, ${delimiter === '\t' ? 'tab' : delimiter}-delimited`})`);
  const parts = [
    `${formatCount(counts.ordersRead)} orders (${formatCount(counts.rowsRead)} rows) read from ${read.join(', ')}`,
    `${formatCount(counts.profiles)} profiles written to ${outputs.map((o) => (o === STDIN_PATH ? 'stdout' : o)).join(', ')}`,
    `${formatCount(counts.ordersWithoutEmail)} orders without email skipped`,
  ];
  if (counts.ordersAfterAsOf > 0) parts.push(`${formatCount(counts.ordersAfterAsOf)} orders after --as-of ignored`);
  if (counts.ordersExcluded > 0) parts.push(`${formatCount(counts.ordersExcluded)} cancelled orders excluded`);
  if (counts.ordersDuplicate > 0) parts.push(`${formatCount(counts.ordersDuplicate)} duplicate orders (same id, email and total) counted once`);
  if (counts.ordersConflicting > 0) parts.push(`${formatCount(counts.ordersConflicting)} orders rejected for reusing an order id with a different email or total`);
  if (counts.profilesWithoutProperties > 0) parts.push(`${formatCount(counts.profilesWithoutProperties)} profiles with nothing to set left out`);
  parts.push(counts.rowsRejected > 0 ? `${formatCount(counts.rowsRejected)} rows rejected (see ${rejectsFile})` : '0 rows rejected');
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
    io.stderr.write(redactSecrets(`backfill: ${where}${error.message}\n`));
    if (error.hint !== undefined) io.stderr.write(redactSecrets(`  ${error.hint}\n`));
    return error.exitCode;
  }
  if ((error as NodeJS.ErrnoException).code === 'EPIPE') return EXIT.ok; // `| head` closed the pipe
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(redactSecrets(`backfill: unexpected error; please report it with the command you ran.\n${detail}\n`));
  return EXIT.unexpected;
}
