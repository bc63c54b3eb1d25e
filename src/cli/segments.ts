/**
 * The `segments` subcommand's flags, help and output. Errors are thrown to `main`, which maps them
 * (and the outcome: a Create Segment refusal is 2) to exit codes.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { MAX_WINDOW_DAYS } from '../config/setting-rules.js';
import { wholeNumberFlag } from './flag-values.js';
import type { CliCommand } from './command.js';
import { distributionText, formatAmount } from './distribution-report.js';
import { klaviyoConnection, parseRevision, type ConnectionFlags } from './klaviyo-connection.js';
import { addOrderReadingOptions, explicitSettings, HELP_GROUPS, type OrderReadingFlags } from './order-reading-flags.js';
import { orderFilesArgument } from './order-source-flags.js';
import { computeProfileTable } from '../commands/compute.js';
import { runSegments, type SegmentReport, type SegmentsResult } from '../commands/segments.js';
import { loadConfig } from '../config/config-file.js';
import { computationOf, PropertySchema } from '../domain/computation.js';
import { resolveRunSettings, type RunSettings } from '../config/run-settings.js';
import { RECIPE_EVENT_FIELDS } from '../domain/flow/event-fields.js';
import type { SegmentCondition } from '../domain/flow/segment-definitions.js';
import type { ProfileRow } from '../domain/profile-row.js';
import { formatUtc, parseTimestamp } from '../domain/timestamp.js';
import { BackfillError } from '../errors.js';
import { readProfilesCsv } from '../io/read-profiles-csv.js';
import { systemClock } from '../klaviyo/clock.js';
import { DEFAULT_REVISION } from '../klaviyo/http.js';
import { tuningFromEnv } from '../klaviyo/tuning.js';
import { redactSecrets } from '../redact.js';
import { counted } from '../wording.js';

const SEGMENTS_EXAMPLES = `Examples:
  $ backfill segments --profiles profiles.csv --as-of 2026-12-01
      No threshold yet: the spread of the highest order values, its quantiles and candidate
      thresholds with the segment each gives.
  $ backfill segments --threshold 1000 --profiles profiles.csv --as-of 2026-12-01
      The recipe's segments, with how many profiles each would hold on that day.
  $ backfill segments --threshold 1000 orders_export.csv --metric-id XyZ123
      The same from the orders, with each window's native segment counted too.
  $ KLAVIYO_API_KEY=pk_... backfill segments --threshold 1000 --create
      Create them (looked up by name first: a second run creates nothing).
`;

const SEGMENTS_DETAILS = `
Segments:
  For each window: <date property> in the last N days AND <value property> at least --threshold
  (the recipe's step 2), and beside it the native segment: the order metric at least once in the
  last N days where its value (--event-value, default $value) is at least --threshold, one condition
  on the metric's own events. For each size: <size>_order_date in the last --size-days days (step 4).
  Property names come from backfill.config.json as for compute. Counts read "in the last N days" as
  N x 24 hours back from --as-of; Klaviyo evaluates its segments itself, at its own time.

Property or native:
  The properties carry the order's value and date into message content and date-triggered flows;
  they need the backfill and the live flow. The native condition is the exact audience, needs no
  backfill and is never stale. Its count is the window-mode answer (it needs the orders, not
  --profiles); in flow mode the property segment can hold fewer profiles: the flow keeps an older,
  higher maximum whose date has left the window, and a smaller later order never replaces it.

Choosing the threshold:
  With orders or --profiles, the first window's values over the profiles it can hold (a date in the
  window): a histogram (log scale when they span orders of magnitude), p50 to p99 (nearest rank) and
  candidate thresholds with the segment each gives. Without --threshold only that is shown.

Creating (--create):
  Create Segment allows 100 a day, 1/s and 15/min: each name is looked up with Get Segments first, a
  failure that may have created the segment is looked up again before any resend, and a refusal stops
  the run. Key: KLAVIYO_API_KEY or --api-key-file (segments:write, segments:read; metrics:read to look
  the metric up without --metric-id).

Exit codes: 0 done; 2 usage or input error, or Klaviyo refused; 4 gave up on the network; 1 unexpected;
  130, 143, 129 stopped by Ctrl-C, SIGTERM, SIGHUP.
`;

interface SegmentsFlags extends OrderReadingFlags, ConnectionFlags {
  threshold?: number;
  sizeDays: number;
  profiles?: string;
  json?: boolean;
  create?: boolean;
  revision?: string;
  metricId?: string;
  metric: string;
  eventValue?: string;
}

export const segmentsCommand: CliCommand = {
  name: 'segments',
  declare(program) {
    const command = program
      .command('segments')
      .description("print (or create) the recipe's segments and the native ones, with how many profiles each would hold")
      .addArgument(orderFilesArgument('order exports or quoted patterns to count profiles from (computed as compute does)'))
      .optionsGroup(HELP_GROUPS.definitions)
      .option('--threshold <amount>', 'the value segments: an order of at least this much (without it: the spread, to choose one)', parseAmount)
      .option('--size-days <n>', 'the size segments: a size ordered in the last n days', parseDays, 30)
      .optionsGroup(HELP_GROUPS.input)
      .option('--profiles <file>', 'count profiles from a profiles CSV written by compute, instead of orders')
      .optionsGroup(HELP_GROUPS.output)
      .option('--json', 'print the Create Segment bodies, counts and the spread as JSON')
      .optionsGroup(HELP_GROUPS.klaviyo)
      .option('--metric-id <id>', 'the order metric of the native segments (default: looked up by --metric when creating)')
      .option('--metric <name>', 'the order metric to look up by name', 'Placed Order')
      .option('--event-value <property>', `the metric's event property holding the order value (default: "flowEvent" in the config, or ${RECIPE_EVENT_FIELDS.value})`)
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
    const counting = patterns.length > 0 || flags.profiles !== undefined;
    if (flags.threshold === undefined && (flags.create === true || !counting)) {
      throw new BackfillError('USAGE', `--threshold is required${flags.create === true ? ' to create the segments' : ''}: the value segments hold orders of at least that much`, {
        hint: 'Give order exports or --profiles without --threshold to see how the values spread and which thresholds give which segment sizes.',
      });
    }
    const env = io.env;
    const config = await loadConfig(flags.config, io.cwd);
    const settings = resolveRunSettings(explicitSettings(flags, self), config);
    const asOf = flags.asOf ?? io.now();
    const profiles = await profileRows(patterns, flags, settings, asOf, io.cwd);
    const result = await runSegments({
      definitions: settings.definitions,
      threshold: flags.threshold,
      sizeDays: flags.sizeDays,
      metric: { id: flags.metricId, name: flags.metric, valueProperty: flags.eventValue ?? config?.flowEvent?.value ?? RECIPE_EVENT_FIELDS.value },
      ...(profiles !== undefined ? { profiles: { ...profiles, asOf } } : {}),
      ...(flags.create === true ? { create: { connection: await klaviyoConnection(flags, env), tuning: tuningFromEnv(env), clock: systemClock } } : {}),
    });
    const when = profiles === undefined ? undefined : `${formatUtc(asOf)} UTC`;
    if (flags.json === true) io.stdout.write(`${JSON.stringify(jsonReport(result, flags, when), null, 2)}\n`);
    else io.stdout.write(redactSecrets(textReport(result, flags, when, settings)));
    const stale = profiles === undefined ? undefined : dataEndsBeforeWarning(result.reports, profiles.rows, asOf, Math.min(...settings.definitions.windows.map((w) => w.days), flags.sizeDays));
    if (stale !== undefined) io.stderr.write(`${stale}\n`);
    const refusal = result.reports.find((r) => r.outcome?.kind === 'refused');
    if (refusal !== undefined && refusal.outcome?.kind === 'refused') io.stderr.write(redactSecrets(`backfill: Klaviyo refused to create "${refusal.name}": ${refusal.outcome.message}\n`));
    return { kind: 'create', refused: refusal !== undefined };
  },
};

/**
 * The profiles to count: a profiles CSV as it is, or the orders computed as compute does, and again in
 * window mode (windows only) for the native segments unless that is the mode already.
 */
async function profileRows(patterns: string[], flags: SegmentsFlags, settings: RunSettings, asOf: number, cwd: string): Promise<{ rows: readonly ProfileRow[]; windowRows: readonly ProfileRow[] | undefined } | undefined> {
  if (flags.profiles !== undefined) return { rows: (await readProfilesCsv(resolve(cwd, flags.profiles), undefined, { known: new PropertySchema(settings.definitions).columns })).profiles.toRows(), windowRows: undefined };
  if (patterns.length === 0) return undefined;
  const files = patterns;
  const compute = (definitions: RunSettings['definitions']) => computeProfileTable({ files, computation: computationOf({ definitions, asOf }), input: settings.input, strict: false, rejectsPath: undefined });
  const rows = (await compute(settings.definitions)).rows;
  const needsWindowMode = settings.definitions.mode !== 'window' && flags.threshold !== undefined;
  const windowRows = settings.definitions.mode === 'window' ? rows : needsWindowMode ? (await compute({ ...settings.definitions, mode: 'window', sizes: [] })).rows : undefined;
  return { rows, windowRows };
}

/**
 * Every count 0 because the data ends before every segment's window (--as-of defaults to now) is
 * never what was meant without a word: say so, as compute does, with the --as-of that counts them.
 */
function dataEndsBeforeWarning(reports: readonly SegmentReport[], rows: readonly ProfileRow[], asOf: number, shortestDays: number): string | undefined {
  if (rows.length === 0 || reports.some((report) => (report.profiles ?? 0) > 0)) return undefined;
  let newest = -Infinity;
  for (const row of rows) for (const value of Object.values(row.properties)) if (typeof value === 'string') newest = Math.max(newest, dateOf(value));
  if (!Number.isFinite(newest) || newest >= asOf - shortestDays * DAY_MS) return undefined;
  const countingAsOf = formatUtc(newest + DAY_MS).slice(0, 10);
  return `backfill: warning: every segment holds 0 profiles as of ${formatUtc(asOf)} UTC: the newest order date in the profiles is ${formatUtc(newest)} UTC, before every segment's window (the shortest is ${shortestDays} days); --as-of ${countingAsOf} would count them`;
}

const DAY_MS = 86_400_000;

/** A property's `yyyy-MM-dd HH:mm:ss` UTC date as epoch ms; -Infinity for any other value. */
function dateOf(value: string): number {
  const parsed = parseTimestamp(value, true);
  return parsed.ok ? parsed.epochMs : -Infinity;
}

function jsonReport(result: SegmentsResult, flags: SegmentsFlags, asOf: string | undefined): unknown {
  const d = result.distribution;
  return {
    asOf: asOf ?? null,
    threshold: flags.threshold ?? null,
    metric: { id: result.metricId ?? null, name: flags.metric },
    distribution:
      d === undefined
        ? null
        : {
            window: d.window.days,
            property: d.window.valueProperty,
            count: d.values.count,
            quantiles: d.values.quantiles ?? null,
            scale: d.values.scale,
            buckets: d.values.buckets.map((b) => ({ from: b.from, to: b.to, profiles: b.count })),
            candidates: d.values.candidates.map((c) => ({ threshold: c.threshold, profiles: c.count })),
          },
    segments: result.reports.map((report) => ({
      kind: report.kind,
      days: report.days,
      name: report.name,
      body: report.body,
      ...(report.profiles !== undefined ? { profiles: report.profiles } : {}),
      ...(report.comparison !== undefined ? { comparison: report.comparison } : {}),
      ...(report.outcome !== undefined ? { outcome: report.outcome } : {}),
    })),
  };
}

function textReport(result: SegmentsResult, flags: SegmentsFlags, asOf: string | undefined, settings: RunSettings): string {
  const lines: string[] = [];
  if (result.distribution !== undefined) lines.push(...distributionText(result.distribution.window, result.distribution.values, asOf!, flags.threshold), '');
  const { reports } = result;
  if (flags.threshold === undefined) {
    lines.push('No --threshold given: choose one (a candidate above, say) and run again with --threshold <amount>', 'to print the value segments, from the properties and native.');
    if (reports.length > 0) lines.push('', 'The size segments (they need no threshold):');
  } else {
    lines.push(`The recipe's segments and the native ones${asOf !== undefined ? `, with the profiles each would hold as of ${asOf}` : ''} (--json: the Create Segment bodies):`);
  }
  for (const report of reports) {
    if (report.kind === 'property') lines.push(`  Window of ${report.days} days, orders of ${formatAmount(flags.threshold!)} or more:`);
    const count = report.profiles !== undefined ? `: ${counted(report.profiles, 'profile')}` : report.kind === 'native' && asOf !== undefined ? ': (counted from orders only, not from --profiles)' : '';
    const label = report.kind === 'size' ? '  ' : `    ${report.kind === 'property' ? 'property' : 'native  '}  `;
    const indent = ' '.repeat(label.length + 2);
    lines.push(`${label}"${report.name}"${count}`, `${indent}${describe(report.body.data.attributes.definition.condition_groups.map((g) => g.conditions[0]), flags.metric)}`);
    if (report.kind === 'native' && report.comparison !== undefined) lines.push(...comparisonLines(report, settings, flags.threshold!).map((line) => `${indent}${line}`));
    const outcome = report.outcome;
    if (outcome?.kind === 'created') lines.push(`${indent}created: segment id ${outcome.id}`);
    else if (outcome?.kind === 'exists') lines.push(`${indent}exists already (segment id ${outcome.id}): nothing sent`);
    else if (outcome?.kind === 'refused') lines.push(`${indent}refused by Klaviyo: ${outcome.message}`);
    else if (outcome?.kind === 'skipped') lines.push(`${indent}not created (after the refusal above)`);
  }
  if (flags.threshold !== undefined && reports.some((r) => r.kind === 'native')) {
    lines.push(
      '',
      'Which to use: the property segments carry the order value and date into message content and',
      'date-triggered flows (they need the backfill and the live flow); the native segment is the exact',
      'audience, needs no backfill and is never stale.',
    );
    if (result.metricId === undefined) lines.push('The native segments name the metric by a placeholder: pass --metric-id', `(or --create looks "${flags.metric}" up by name).`);
  }
  return `${lines.join('\n')}\n`;
}

function describe(conditions: readonly SegmentCondition[], metricName: string): string {
  return conditions
    .map((condition) => {
      if (condition.type === 'profile-metric') {
        const [filter] = condition.metric_filters;
        return `${metricName} at least once in the last ${condition.timeframe_filter.quantity} days where ${filter!.property} is at least ${formatAmount(filter!.filter.value)}`;
      }
      const name = condition.property.replace(/^properties\['(.*)'\]$/, '$1');
      return condition.filter.type === 'date' ? `${name} in the last ${condition.filter.quantity} days` : `${name} at least ${formatAmount(condition.filter.value)}`;
    })
    .join(' AND ');
}

/** How the native count differs from the property one, and why. */
function comparisonLines(report: SegmentReport, settings: RunSettings, threshold: number): string[] {
  const { nativeOnly, propertyOnly } = report.comparison!;
  if (nativeOnly === 0 && propertyOnly === 0) {
    return [settings.definitions.mode === 'window' ? 'The same profiles as the property segment (window mode computes exactly this).' : 'The same profiles as the property segment.'];
  }
  const lines: string[] = [];
  if (nativeOnly > 0) {
    lines.push(
      `${counted(nativeOnly, 'profile')} more than the property segment: an order of at least ${formatAmount(threshold)} in the`,
      `last ${report.days} days, but the flow keeps an older, higher maximum whose date has left the`,
      'window (a smaller later order never replaces it), so the property date is too old.',
    );
  }
  if (propertyOnly > 0) lines.push(`${counted(propertyOnly, 'profile')} only in the property segment.`);
  return lines;
}

function parseAmount(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new InvalidArgumentError(`expected an amount such as 1000 or 249.50, got "${text}"`);
  return value;
}

const parseDays = wholeNumberFlag(1, MAX_WINDOW_DAYS, `whole days from 1 to ${MAX_WINDOW_DAYS}`);
