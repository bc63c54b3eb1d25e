/**
 * `--from klaviyo` and its flags (`--metric`, `--metric-id`, `--refetch`, `--since`), registered in one
 * place for compute, diff and push: where the orders come from. With `--from klaviyo` the local event
 * store is brought up to date first (with a progress line at a terminal), then the orders are read
 * from it; with files, nothing here happens.
 */
import { dirname } from 'node:path';
import { Argument, Command, Option } from 'commander';
import { fetchEvents, type FetchProgress, type FetchReport, type MetricChoice } from '../commands/fetch-events.js';
import type { RunSettings } from '../config/run-settings.js';
import { storeCovers } from '../domain/event-retention.js';
import { BackfillError } from '../errors.js';
import { eventReading, storedEventOrders } from '../io/event-orders.js';
import type { EventStore } from '../io/event-store.js';
import { expandInputPath } from '../io/input-files.js';
import { runFiles } from '../io/run-files.js';
import type { OrderSource } from '../io/order-source.js';
import { defaultStatePath } from '../io/state-file.js';
import { systemClock } from '../klaviyo/clock.js';
import { DEFAULT_REVISION } from '../klaviyo/http.js';
import { tuningFromEnv } from '../klaviyo/tuning.js';
import { counted, formatCount } from '../wording.js';
import type { CliIo } from './io.js';
import { klaviyoConnection, parseRevision, type ConnectionFlags } from './klaviyo-connection.js';
import { klaviyoIdFlag, parseAsOf, wholeNumberFlag } from './flag-values.js';
import { HELP_GROUPS } from './order-reading-flags.js';
import { humanDuration, Progress, retryNotices } from './progress.js';

export const DEFAULT_METRIC = 'Placed Order';

export interface OrderSourceFlags extends ConnectionFlags {
  from: 'files' | 'klaviyo';
  metric?: string;
  metricId?: string;
  refetch?: boolean;
  since?: number;
  partEvents?: number;
  quiet?: boolean;
  json?: boolean;
  markdown?: boolean;
  color?: boolean;
}

/**
 * The `[orders...]` argument of every command that reads order exports (compute, push, diff, segments):
 * the one place where what was typed becomes the files read, quoted patterns expanded
 * (`'exports/orders_*.csv'` in a crontab line), so no command can read the arguments without it.
 */
export function orderFilesArgument(description: string): Argument {
  return new Argument('[orders...]', description).argParser((typed: string, previous: string[] | undefined) => [...(previous ?? []), ...expandInputPath(typed)]);
}

export function addOrderSourceOptions(command: Command): Command {
  const group = HELP_GROUPS.input;
  command
    .addOption(new Option('--from <source>', 'where the orders come from: the files given, or klaviyo (the Placed Order events)').choices(['files', 'klaviyo']).default('files').helpGroup(group))
    .addOption(new Option('--metric <name>', `with --from klaviyo: the metric whose events are the orders (default: "${DEFAULT_METRIC}")`).helpGroup(group))
    .addOption(new Option('--metric-id <id>', 'with --from klaviyo: the metric by id (when two metrics share the name)').argParser(parseMetricId).helpGroup(group))
    .addOption(new Option('--refetch', 'with --from klaviyo: rebuild the local event store from Klaviyo').helpGroup(group))
    .addOption(new Option('--since <date>', 'with --from klaviyo: a first fetch starts here (default: the whole history)').argParser(parseAsOf).helpGroup(group))
    // Tests make the store write a part every few events, to kill a fetch between two parts.
    .addOption(new Option('--part-events <n>', 'events per stored part').argParser(parsePositive).hideHelp());
  // push and diff have these already, for their own requests.
  if (!command.options.some((option) => option.long === '--api-key-file')) {
    command
      .addOption(new Option('--api-key-file <path>', 'with --from klaviyo: read the private API key from this file (default: $KLAVIYO_API_KEY)').helpGroup(HELP_GROUPS.klaviyo))
      .addOption(new Option('--revision <date>', `Klaviyo API revision (default: $KLAVIYO_REVISION or ${DEFAULT_REVISION})`).argParser(parseRevision).helpGroup(HELP_GROUPS.klaviyo));
  }
  return command;
}

/** The orders of a run: files, or the event store once it is up to date. */
export interface OrderInput {
  readonly files: string[];
  readonly source?: OrderSource;
  readonly fetch?: FetchReport;
  /** Where the store is, for push's run log (a resume reads the same store without fetching). */
  readonly klaviyo?: { readonly store: string; readonly metricId: string; readonly label: string };
  /** Lets go of the event store's lock, once its orders are read (nothing to do for files). */
  readonly close: () => void;
}

export async function orderInput(patterns: readonly string[], flags: OrderSourceFlags, settings: RunSettings, configPath: string | undefined, io: CliIo, asOf: number): Promise<OrderInput> {
  const usage = (message: string) => new BackfillError('USAGE', message, { hint: 'Give order export files, or --from klaviyo (see --help).' });
  if (flags.from !== 'klaviyo') {
    const klaviyoOnly = [flags.metric !== undefined && '--metric', flags.metricId !== undefined && '--metric-id', flags.refetch === true && '--refetch', flags.since !== undefined && '--since'].filter(Boolean);
    if (klaviyoOnly.length > 0) throw usage(`${klaviyoOnly.join(', ')} go with --from klaviyo`);
    return { files: [...patterns], close: () => {} };
  }
  if (patterns.length > 0) throw usage(`--from klaviyo reads the orders from Klaviyo; leave out the files (${patterns.join(', ')})`);
  if (flags.metric !== undefined && flags.metricId !== undefined) throw usage('choose one of --metric and --metric-id');
  const metric: MetricChoice = flags.metricId !== undefined ? { id: flags.metricId } : { name: flags.metric ?? DEFAULT_METRIC };
  const progress = await Progress.open(io, { silent: flags.quiet === true || flags.json === true || flags.markdown === true, color: flags.color });
  const started = io.now();
  progress.start(`Finding the metric ${'id' in metric ? metric.id : `"${metric.name}"`} in Klaviyo`);
  // Parts are written as events arrive: a run stopped mid-fetch keeps them, and the next goes on from there.
  runFiles.note('event store', 'the event store keeps the events of every part written so far: the next run fetches from there');
  const fetched = await fetchEvents({
    reader: {
      connection: await klaviyoConnection(flags, io.env),
      tuning: tuningFromEnv(io.env),
      clock: systemClock,
      ...retryNotices(io, flags.quiet),
    },
    metric,
    stateDir: dirname(defaultStatePath(configPath, io.cwd)),
    refetch: flags.refetch === true,
    since: flags.since,
    overlapMs: settings.events.overlapMs,
    definitions: settings.definitions,
    ...(flags.partEvents !== undefined ? { partEvents: flags.partEvents } : {}),
    onProgress: (fetchProgress) => (progress.text = fetchProgressText(fetchProgress, io.now() - started, io.now())),
    onNotice: (message) => {
      const text = progress.text;
      progress.stop();
      io.stderr.write(message);
      if (progress.shown) progress.start(text);
    },
  }).finally(() => progress.stop());
  const label = `klaviyo metric ${fetched.metric.name !== undefined ? `"${fetched.metric.name}" ` : ''}(${fetched.metric.id})`;
  try {
    checkRetention(fetched.store, settings, asOf);
  } catch (error) {
    fetched.store.close();
    throw error;
  }
  return {
    files: [],
    source: storedEventOrders(fetched.store, eventReading(settings.events.itemPaths, settings.input), label),
    fetch: fetched.report,
    klaviyo: { store: fetched.store.dir, metricId: fetched.metric.id, label },
    close: () => fetched.store.close(),
  };
}

/** A store trimmed for window-mode definitions cannot serve definitions that need the whole history. */
export function checkRetention(store: EventStore, settings: RunSettings, asOf: number): void {
  const trimmed = store.manifest.trimmedBefore;
  if (!storeCovers(trimmed, settings.definitions, asOf)) {
    throw new BackfillError('EVENT_STORE', `the event store ${store.dir} dropped the events before ${new Date(trimmed!).toISOString()} (none of the definitions it was last used with needed them), and these definitions do`, {
      hint: 'Run with --refetch to fetch the whole history again.',
    });
  }
}

/** The progress line: counts, rate, the dates covered, and a time left estimated from those dates. */
export function fetchProgressText(progress: FetchProgress, elapsedMs: number, now: number): string {
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  const start = progress.from ?? progress.oldestFetched;
  let text = `Fetching events: ${formatCount(progress.eventsFetched)} in ${formatCount(progress.pages)} pages (${formatCount(Math.round(progress.eventsFetched / seconds))}/s)`;
  if (start !== null && progress.newestFetched !== null) {
    text += `, ${day(start)} to ${day(progress.newestFetched)}`;
    const covered = progress.newestFetched - start;
    const left = now - progress.newestFetched;
    // The number of events is not known up front; the dates covered so far are the only measure.
    text += covered > 0 && left > 0 ? `, about ${humanDuration((elapsedMs * left) / covered / 1000)} left (estimated from the dates covered)` : '';
  }
  return text;
}

/** One part of the summary line: what the fetch did and what the store now holds. */
export function fetchSummary(report: FetchReport): string {
  const metric = report.metricName !== null ? `"${report.metricName}" (${report.metricId})` : report.metricId;
  const range = report.storeOldest !== null && report.storeNewest !== null ? `, ${day(Date.parse(report.storeOldest))} to ${day(Date.parse(report.storeNewest))}` : '';
  return (
    `${counted(report.eventsNew, 'new event')} fetched from Klaviyo metric ${metric} (${formatCount(report.eventsDeduplicated)} already held, ` +
    `${counted(report.pages, 'page')}, ${counted(report.requests, 'request')}, ${counted(report.retries, 'retry', 'retries')}); ` +
    `store ${report.store}: ${counted(report.storeEvents, 'event')}${range}`
  );
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const parseMetricId = klaviyoIdFlag('metric', 'RkXyZ1');

const parsePositive = wholeNumberFlag(1, Number.MAX_SAFE_INTEGER, 'a whole number above 0');
