/**
 * `backfill compute` (the default command): its flags, help, progress and summary line. The work is
 * done by runCompute in src/commands/compute.ts.
 */
import { basename, dirname, extname, join } from 'node:path';
import { Option } from 'commander';
import { runCompute, type ComputeResult } from '../commands/compute.js';
import { loadConfig } from '../config/config-file.js';
import { resolveRunSettings } from '../config/run-settings.js';
import { computationOf } from '../domain/computation.js';
import { checkDefaultNamedOutput } from '../io/default-outputs.js';
import { STDIN_PATH } from '../io/input-files.js';
import { outputTarget } from '../io/output-target.js';
import { runFiles } from '../io/run-files.js';
import type { FetchReport } from '../commands/fetch-events.js';
import { BackfillError } from '../errors.js';
import { formatUtc } from '../domain/timestamp.js';
import { counted, formatCount, someNames } from '../wording.js';
import { parseBytes, parseCount, parseThreads } from './flag-values.js';
import type { CliCommand } from './command.js';
import { addOrderReadingOptions, explicitSettings, HELP_GROUPS, type OrderReadingFlags } from './order-reading-flags.js';
import { addOrderSourceOptions, fetchSummary, orderFilesArgument, orderInput, type OrderSourceFlags } from './order-source-flags.js';
import { checkOutputPath } from './output-path.js';
import { Progress, readingText } from './progress.js';

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
  $ KLAVIYO_API_KEY=pk_... backfill --from klaviyo --as-of 2026-11-01
      No export: the orders are the Placed Order events in Klaviyo (key scopes metrics:read,
      events:read), kept in .backfill/events-<metric id>/ so a next run fetches only new ones.
`;

const COMPUTE_DETAILS = `
Reading the exports:
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

The profiles CSV:
  Email, then highest_order_value, highest_order_date (30 days), N_day_highest_order_value/_date for
  other windows, then <size>_order_date for each size. Dates are "yyyy-MM-dd HH:mm:ss" in UTC.
  Rows are sorted by email; the file is written atomically and split into name-1.csv, name-2.csv, ...
  when over Klaviyo's 50 MB upload limit. Rows that cannot be read go to the rejects file
  (default: next to the output, <name>.rejects.csv) with their line and the reason.

Speed:
  An uncompressed Shopify export of 64 MB or more is read in parts on one thread per core, cut between
  orders; the result is the one reading it in turn gives (from a part that cannot stand on its own,
  it is read in turn). --threads N sets the number of threads; --threads 1 reads in one part.

Exit codes: 0 done, 2 usage or input error, 1 unexpected error; 130, 143, 129 stopped by Ctrl-C,
  SIGTERM, SIGHUP (temporary files and the lock removed, earlier outputs as they were).
`;

interface ComputeFlags extends OrderReadingFlags, OrderSourceFlags {
  out: string;
  rejects?: string;
  strict?: boolean;
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
  maxFileBytes?: number;
  threads?: number;
  splitMinBytes?: number;
  shardMinProfiles?: number;
  takeOverMinBytes?: number;
  maxRecordBytes?: number;
}

export const computeCommand: CliCommand = {
  name: 'compute',
  declare(program) {
    const command = program
      .command('compute', { isDefault: true })
      .description('read order exports (or --from klaviyo) and write the profile-properties CSV for Klaviyo (the default command)')
      .addArgument(orderFilesArgument('order export CSV files (or quoted patterns such as \'exports/orders_*.csv\'); - reads stdin (or --from klaviyo)'))
      .addHelpText('before', COMPUTE_EXAMPLES)
      .addHelpText('after', COMPUTE_DETAILS);
    addOrderSourceOptions(addOrderReadingOptions(command));
    return command
      .optionsGroup(HELP_GROUPS.output)
      .option('-o, --out <file>', 'where to write the profiles CSV; - for stdout', 'profiles.csv')
      .option('--rejects <file>', 'where to write rejected rows (default: <out>.rejects.csv)')
      .option('--json', 'print the run summary as JSON')
      .optionsGroup(HELP_GROUPS.run)
      .option('--strict', 'stop at the first bad row instead of rejecting it')
      .option('-q, --quiet', 'no progress and no summary line')
      .option('--no-color', 'no colour in progress (also NO_COLOR=1)')
      .addOption(new Option('--threads <n>', 'threads for reading a large export (one part each) and computing its profiles: 1 does all on one (default: the cores)').argParser(parseThreads))
      .addOption(new Option('--max-file-bytes <n>', 'split the output above this size').argParser(parseBytes).hideHelp())
      .addOption(new Option('--split-min-bytes <n>', 'read exports of this size or more in parts').argParser(parseBytes).hideHelp())
      .addOption(new Option('--shard-min-profiles <n>', 'compute this many profiles or more on several threads').argParser(parseCount).hideHelp())
      .addOption(new Option('--take-over-min-bytes <n>', 'take over the rest of a part read on another thread when this much of it is left').argParser(parseCount).hideHelp())
      .addOption(new Option('--max-record-bytes <n>', 'the size limit of a record (8 MB)').argParser(parseBytes).hideHelp());
  },
  async run(command, io) {
    const flags = command.opts<ComputeFlags>();
    const patterns = command.processedArgs[0] as string[];
    const config = await loadConfig(flags.config, io.cwd);
    const settings = resolveRunSettings(explicitSettings(flags, command), config);
    if (patterns.length === 0 && flags.from !== 'klaviyo') {
      throw new BackfillError('USAGE', 'no order files given', { hint: 'Give order export files (or - for stdin), or --from klaviyo. Run backfill --help for examples.' });
    }
    const rejectsPath = flags.rejects ?? defaultRejectsPath(flags.out);
    if (flags.out !== STDIN_PATH) await checkOutputPath(flags.out, '-o');
    await checkOutputPath(rejectsPath, '--rejects');
    // Names the user did not give: a file there that backfill did not write is not replaced.
    if (command.getOptionValueSource('out') === 'default') await checkDefaultNamedOutput(flags.out, 'profiles', '-o');
    if (flags.rejects === undefined) await checkDefaultNamedOutput(rejectsPath, 'rejects', '--rejects');
    // Named from here on if the run is stopped, a fetch from Klaviyo included.
    runFiles.expectOutput(flags.out === STDIN_PATH ? 'stdout' : flags.out);
    runFiles.expectOutput(rejectsPath);
    const asOf = flags.asOf ?? io.now();
    const input = await orderInput(patterns, flags, settings, config?.path, io, asOf);
    const files = input.files;
    const started = io.now();
    const progress = await Progress.open(io, { silent: flags.quiet === true || flags.json === true, color: flags.color });
    progress.start(`Reading ${input.source?.label ?? someNames(files)}`);
    let lastCount = 0;
    const result: ComputeResult = await runCompute({
      files,
      ...(input.source !== undefined ? { source: input.source } : {}),
      out: flags.out,
      stdout: io.stdout,
      stdin: io.stdin,
      computation: computationOf({ definitions: settings.definitions, asOf }),
      input: flags.maxRecordBytes === undefined ? settings.input : { ...settings.input, maxRecordBytes: flags.maxRecordBytes },
      strict: flags.strict === true,
      rejectsPath,
      onNotice: (message) => io.stderr.write(message),
      ...(flags.maxFileBytes !== undefined ? { maxFileBytes: flags.maxFileBytes } : {}),
      ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
      ...(flags.splitMinBytes !== undefined ? { splitMinBytes: flags.splitMinBytes } : {}),
      ...(flags.shardMinProfiles !== undefined ? { shardMinProfiles: flags.shardMinProfiles } : {}),
      ...(flags.takeOverMinBytes !== undefined ? { takeOverMinBytes: flags.takeOverMinBytes } : {}),
      onProgress: (read) => {
        lastCount = read.records;
        if (progress.shown) progress.text = readingText(read, io.now() - started);
      },
    }).finally(() => {
      progress.stop();
      input.close();
    });
    const seconds = (io.now() - started) / 1000;
    const summary = { ...result.counts, outputs: result.outputs, outputCutOff: result.outputCutOff, rejectsFile: result.rejectsFile ?? null, seconds, rowsPerSecond: Math.round(lastCount / Math.max(seconds, 0.001)), ...(input.fetch !== undefined ? { fetch: input.fetch } : {}) };
    if (flags.json === true) {
      (flags.out === STDIN_PATH ? io.stderr : io.stdout).write(`${JSON.stringify(summary)}\n`);
    } else if (flags.quiet !== true) {
      io.stderr.write(`${summaryLine(result, input.fetch)}\n`);
    }
    const nothing = result.outputCutOff ? undefined : nothingProducedWarning(result, settings.definitions.mode);
    if (nothing !== undefined && flags.json !== true) io.stderr.write(`${nothing}\n`);
    return { kind: 'done' };
  },
};

function summaryLine({ counts, outputs, rejectsFile, outputCutOff }: ComputeResult, fetch: FetchReport | undefined): string {
  const read = counts.fileFormats.map(({ file, format, delimiter }) => `${file} (${format}${delimiter === ',' ? '' : `, ${delimiter === '\t' ? 'tab' : delimiter}-delimited`})`);
  const parts = [
    ...(fetch !== undefined ? [fetchSummary(fetch)] : []),
    `${counted(counts.ordersRead, 'order')} (${fetch !== undefined ? counted(counts.rowsRead, 'event') : counted(counts.rowsRead, 'row')}) read from ${read.length > 1 ? `${counted(read.length, 'file')}: ` : ''}${someNames(read)}`,
    outputCutOff
      ? `the output was cut off after ${counted(counts.profiles, 'profile')}: the reader of stdout stopped reading, so the rest was not written`
      : `${counted(counts.profiles, 'profile')} written to ${outputs.map((o) => (o === STDIN_PATH ? 'stdout' : o)).join(', ')}`,
    `${counted(counts.ordersWithoutEmail, 'order')} without email skipped`,
  ];
  if (counts.ordersAfterAsOf > 0) parts.push(`${counted(counts.ordersAfterAsOf, 'order')} after --as-of ignored`);
  if (counts.ordersExcluded > 0) parts.push(`${counted(counts.ordersExcluded, 'cancelled order')} excluded`);
  if (counts.ordersDuplicate > 0) parts.push(`${counted(counts.ordersDuplicate, 'duplicate order')} (same id, email and total) counted once`);
  if (counts.ordersConflicting > 0) parts.push(`${counted(counts.ordersConflicting, 'order')} rejected for reusing an order id with a different email or total`);
  if (counts.profilesWithoutProperties > 0) parts.push(`${counted(counts.profilesWithoutProperties, 'profile')} with nothing to set left out`);
  parts.push(counts.rowsRejected > 0 ? `${counted(counts.rowsRejected, 'row')} rejected (see ${rejectsFile})` : '0 rows rejected');
  return `backfill: ${parts.join('; ')}`;
}

/**
 * `profiles.csv` -> `profiles.rejects.csv`, beside the output (beside the file it points to, for a
 * symlink); `rejects.csv` when writing to stdout, a device or a FIFO (never `/dev/null.rejects.csv`).
 */
export function defaultRejectsPath(out: string): string {
  const target = out === STDIN_PATH ? undefined : outputTarget(out);
  if (target === undefined || target.kind === 'stream') return 'rejects.csv';
  const extension = extname(target.path);
  return join(dirname(target.path), `${basename(target.path, extension)}.rejects${extension || '.csv'}`);
}

/**
 * A run that writes no profile is not an error (a quiet export, an --as-of before the first order),
 * but it is never what was meant without a word: say why, with the newest order date found.
 */
export function nothingProducedWarning({ counts, rejectsFile }: ComputeResult, mode: string): string | undefined {
  if (counts.profiles > 0) return undefined;
  const newest = counts.newestOrderAt === null ? '' : `; the newest order found was placed ${formatUtc(counts.newestOrderAt)} UTC`;
  if (counts.ordersRead === 0 && counts.rowsRejected > 0) {
    return `backfill: warning: no order could be read: ${counted(counts.rowsRejected, 'row')} rejected (see ${rejectsFile}), so no profile was written`;
  }
  if (counts.ordersRead === 0) return `backfill: warning: no orders were read, so no profile was written (is the export empty?)`;
  // Orders skipped before their date was looked at: none of them says anything about --as-of.
  const keyed = counts.ordersRead - counts.ordersWithoutEmail - counts.ordersExcluded;
  if (keyed === 0) {
    const skipped = [
      ...(counts.ordersWithoutEmail > 0 ? [`${formatCount(counts.ordersWithoutEmail)} without an email or phone`] : []),
      ...(counts.ordersExcluded > 0 ? [`${formatCount(counts.ordersExcluded)} cancelled (--exclude-cancelled)`] : []),
    ];
    const every = counts.ordersExcluded === 0 ? 'no order had an email (or a phone)' : counts.ordersWithoutEmail === 0 ? 'every order was cancelled and left out (--exclude-cancelled)' : 'every order was skipped';
    return `backfill: warning: ${every}, so no profile was written: ${skipped.join(' and ')}${counts.ordersWithoutEmail > 0 ? '; is the email column the right one?' : ''}`;
  }
  if (counts.ordersAfterAsOf === keyed) {
    return `backfill: warning: every order was placed after --as-of, so no profile was written${newest}`;
  }
  if (mode === 'window') return `backfill: warning: no order falls in any window before --as-of, so no profile was written${newest}`;
  return `backfill: warning: no order had a profile key (email or phone), so no profile was written${newest}`;
}
