/**
 * The `segments` subcommand's flags, help and output. Errors are thrown to `main`, which maps them
 * (and the outcome: a Create Segment refusal is 2) to exit codes.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { MAX_WINDOW_DAYS } from '../config/setting-rules.js';
import { wholeNumberFlag } from './flag-values.js';
import type { CliCommand } from './command.js';
import { klaviyoConnection, parseRevision, type ConnectionFlags } from './klaviyo-connection.js';
import { addOrderReadingOptions, explicitSettings, HELP_GROUPS, type OrderReadingFlags } from './order-reading-flags.js';
import { orderFilesArgument } from './order-source-flags.js';
import { computeProfileTable } from '../commands/compute.js';
import { runSegments, type SegmentReport } from '../commands/segments.js';
import { loadConfig } from '../config/config-file.js';
import { resolveRunSettings, type RunSettings } from '../config/run-settings.js';
import type { ProfileRow } from '../core/profiles.js';
import { dateMillis } from '../core/profile-cells.js';
import { formatUtc } from '../core/timestamp.js';
import { BackfillError } from '../errors.js';
import { readProfilesCsv } from '../io/read-profiles-csv.js';
import { systemClock } from '../klaviyo/clock.js';
import { DEFAULT_REVISION } from '../klaviyo/http.js';
import { tuningFromEnv } from '../klaviyo/tuning.js';
import { redactSecrets } from '../redact.js';
import { counted } from '../text.js';

const SEGMENTS_EXAMPLES = `Examples:
  $ backfill segments --threshold 1000
      The recipe's segments for the configured windows, sizes and property names.
  $ backfill segments --threshold 1000 --profiles profiles.csv --as-of 2026-12-01
      With how many profiles each would hold on that day (from a profiles CSV written by compute).
  $ backfill segments --threshold 1000 orders_export.csv
      The same, computing the profiles from the orders first (as compute does, as of now).
  $ KLAVIYO_API_KEY=pk_... backfill segments --threshold 1000 --create
      Create them (looked up by name first: a second run creates nothing).
`;

const SEGMENTS_DETAILS = `
Segments:
  For each window: <date property> in the last N days AND <value property> at least --threshold
  (the recipe's step 2). For each size: <size>_order_date in the last --size-days days (step 4).
  Property names come from backfill.config.json as for compute. Counts read "in the last N days" as
  N x 24 hours back from --as-of; Klaviyo evaluates its segments itself, at its own time.

Creating (--create):
  Create Segment allows 100 a day, 1/s and 15/min: each name is looked up with Get Segments first, a
  failure that may have created the segment is looked up again before any resend, and a refusal stops
  the run. Key: KLAVIYO_API_KEY or --api-key-file (segments:write, segments:read).

Exit codes: 0 done; 2 usage or input error, or Klaviyo refused; 4 gave up on the network; 1 unexpected;
  130, 143, 129 stopped by Ctrl-C, SIGTERM, SIGHUP.
`;

interface SegmentsFlags extends OrderReadingFlags, ConnectionFlags {
  threshold: number;
  sizeDays: number;
  profiles?: string;
  json?: boolean;
  create?: boolean;
  revision?: string;
}

export const segmentsCommand: CliCommand = {
  name: 'segments',
  declare(program) {
    const command = program
      .command('segments')
      .description("print (or create) the recipe's segments on the computed properties, with how many profiles each would hold")
      .addArgument(orderFilesArgument('order exports or quoted patterns to count profiles from (computed as compute does)'))
      .optionsGroup(HELP_GROUPS.definitions)
      .requiredOption('--threshold <amount>', '(required) the value segment: an order of at least this much', parseAmount)
      .option('--size-days <n>', 'the size segments: a size ordered in the last n days', parseDays, 30)
      .optionsGroup(HELP_GROUPS.input)
      .option('--profiles <file>', 'count profiles from a profiles CSV written by compute, instead of orders')
      .optionsGroup(HELP_GROUPS.output)
      .option('--json', 'print the Create Segment bodies (and counts) as JSON')
      .optionsGroup(HELP_GROUPS.klaviyo)
      .option('--create', 'create the segments in Klaviyo (looked up by name first)')
      .option('--api-key-file <path>', 'read the private API key from this file (default: $KLAVIYO_API_KEY)')
      .option('--revision <date>', `Klaviyo API revision (default: $KLAVIYO_REVISION or ${DEFAULT_REVISION})`, parseRevision)
      .addHelpText('before', SEGMENTS_EXAMPLES)
      .addHelpText('after', SEGMENTS_DETAILS);
    return addOrderReadingOptions(command);
  },
  async run(self, io) {
    const flags = self.opts<SegmentsFlags>();
    const patterns = self.processedArgs[0] as string[];
    if (patterns.length > 0 && flags.profiles !== undefined) throw new BackfillError('USAGE', 'count from order exports or from --profiles, not both');
    const env = io.env;
    const config = await loadConfig(flags.config, io.cwd);
    const settings = resolveRunSettings(explicitSettings(flags, self), config);
    const asOf = flags.asOf ?? io.now();
    const rows = await profileRows(patterns, flags, settings, asOf, io.cwd);
    const reports = await runSegments({
      definitions: settings.definitions,
      threshold: flags.threshold,
      sizeDays: flags.sizeDays,
      ...(rows !== undefined ? { profiles: { rows, asOf } } : {}),
      ...(flags.create === true ? { create: { connection: await klaviyoConnection(flags, env), tuning: tuningFromEnv(env), clock: systemClock } } : {}),
    });
    if (flags.json === true) io.stdout.write(`${JSON.stringify(reports.map(jsonReport), null, 2)}\n`);
    else io.stdout.write(redactSecrets(textReport(reports, rows === undefined ? undefined : asOf)));
    const stale = rows === undefined ? undefined : dataEndsBeforeWarning(reports, rows, asOf, Math.min(...settings.definitions.windows.map((w) => w.days), flags.sizeDays));
    if (stale !== undefined) io.stderr.write(`${stale}\n`);
    const refusal = reports.find((r) => r.outcome?.kind === 'refused');
    if (refusal !== undefined && refusal.outcome?.kind === 'refused') io.stderr.write(redactSecrets(`backfill: Klaviyo refused to create "${refusal.name}": ${refusal.outcome.message}\n`));
    return { kind: 'create', refused: refusal !== undefined };
  },
};

async function profileRows(patterns: string[], flags: SegmentsFlags, settings: RunSettings, asOf: number, cwd: string): Promise<readonly ProfileRow[] | undefined> {
  if (flags.profiles !== undefined) return (await readProfilesCsv(resolve(cwd, flags.profiles))).profiles.toRows();
  if (patterns.length === 0) return undefined;
  const table = await computeProfileTable({ files: patterns, definitions: settings.definitions, input: settings.input, asOf, strict: false, rejectsPath: undefined });
  return table.rows;
}

/**
 * Every count 0 because the data ends before every segment's window (--as-of defaults to now) is
 * never what was meant without a word: say so, as compute does, with the --as-of that counts them.
 */
function dataEndsBeforeWarning(reports: readonly SegmentReport[], rows: readonly ProfileRow[], asOf: number, shortestDays: number): string | undefined {
  if (rows.length === 0 || reports.some((report) => (report.profiles ?? 0) > 0)) return undefined;
  let newest = -Infinity;
  for (const row of rows) for (const value of Object.values(row.properties)) if (typeof value === 'string') newest = Math.max(newest, dateMillis(value));
  if (!Number.isFinite(newest) || newest >= asOf - shortestDays * DAY_MS) return undefined;
  const countingAsOf = formatUtc(newest + DAY_MS).slice(0, 10);
  return `backfill: warning: every segment holds 0 profiles as of ${formatUtc(asOf)} UTC: the newest order date in the profiles is ${formatUtc(newest)} UTC, before every segment's window (the shortest is ${shortestDays} days); --as-of ${countingAsOf} would count them`;
}

const DAY_MS = 86_400_000;

function jsonReport(report: SegmentReport): unknown {
  return { name: report.name, body: report.body, ...(report.profiles !== undefined ? { profiles: report.profiles } : {}), ...(report.outcome !== undefined ? { outcome: report.outcome } : {}) };
}

function textReport(reports: readonly SegmentReport[], asOf: number | undefined): string {
  const lines = [`The recipe's segments${asOf !== undefined ? `, with the profiles each would hold as of ${formatUtc(asOf)} UTC` : ''} (--json: the Create Segment bodies):`];
  for (const report of reports) {
    const conditions = report.body.data.attributes.definition.condition_groups.map(({ conditions: [condition] }) =>
      condition.filter.type === 'date' ? `${condition.property} in the last ${condition.filter.quantity} days` : `${condition.property} at least ${condition.filter.value}`,
    );
    const count = report.profiles !== undefined ? `: ${counted(report.profiles, 'profile')}` : '';
    lines.push(`  "${report.name}"${count}`, `      ${conditions.join(' AND ')}`);
    const outcome = report.outcome;
    if (outcome?.kind === 'created') lines.push(`      created: segment id ${outcome.id}`);
    else if (outcome?.kind === 'exists') lines.push(`      exists already (segment id ${outcome.id}): nothing sent`);
    else if (outcome?.kind === 'refused') lines.push(`      refused by Klaviyo: ${outcome.message}`);
    else if (outcome?.kind === 'skipped') lines.push('      not created (after the refusal above)');
  }
  return `${lines.join('\n')}\n`;
}

function parseAmount(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new InvalidArgumentError(`expected an amount such as 1000 or 249.50, got "${text}"`);
  return value;
}

const parseDays = wholeNumberFlag(1, MAX_WINDOW_DAYS, `whole days from 1 to ${MAX_WINDOW_DAYS}`);
