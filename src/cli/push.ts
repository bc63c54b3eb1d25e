/**
 * The `push` subcommand's flags, help, confirmation, progress and summary. Errors are thrown to
 * `main` in src/cli.ts, the one place that turns them into messages and exit codes.
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Option } from 'commander';
import { klaviyoIdFlag, wholeNumberFlag } from './flag-values.js';
import type { IncrementalOptions } from '../commands/incremental.js';
import type { PreparedPush, PushResult, PushStart } from '../commands/push.js';
import { KLAVIYO_LIMITS } from '../domain/push-plan.js';
import { clearTotals, type PushTotals } from '../domain/push-run-state.js';
import { BackfillError } from '../errors.js';
import { addOrderReadingOptions, explicitSettings, HELP_GROUPS, type OrderReadingFlags } from './order-reading-flags.js';
import { addOrderSourceOptions, fetchSummary, orderFilesArgument, orderInput, type OrderInput, type OrderSourceFlags } from './order-source-flags.js';
import { loadConfig, type FileConfig } from '../config/config-file.js';
import { resolveRunSettings, storeSettings, type ExplicitSettings, type StoredSettings } from '../config/run-settings.js';
import { DEFAULT_BASE_URL, DEFAULT_REVISION } from '../klaviyo/http.js';
import { tuningFromEnv } from '../klaviyo/tuning.js';
import { redactSecrets } from '../redact.js';
import { klaviyoConnection, parseRevision, type ConnectionFlags } from './klaviyo-connection.js';
import { defaultStatePath } from '../io/state-file.js';
import { clearLines, incrementalHead, incrementalJson, incrementalTail } from './push-incremental-summary.js';
import type { Outcome } from './exit-codes.js';
import { runFiles } from '../io/run-files.js';
import type { Interruption } from './interruption.js';
import type { CliIo } from './io.js';
import type { CliCommand } from './command.js';
import { Progress, retryNotices } from './progress.js';
import { counted, formatCount } from '../wording.js';

const PUSH_EXAMPLES = `Examples:
  $ export KLAVIYO_API_KEY=pk_...   (a private key: profiles:write, lists:write, profiles:read, lists:read)
  $ backfill push orders_export.csv --dry-run
      Compute as \`backfill compute\` does, plan the import jobs, send nothing.
  $ backfill push orders_export.csv --as-of 2026-11-01
      Compute and send; asks before sending (pass --yes in scripts and cron).
  $ backfill push --profiles profiles.csv --list VRgFBd --yes
      Send a profiles CSV written earlier (and checked by a person), adding the profiles to a list.
  $ backfill push --resume .backfill/push-20261126T101500Z.ndjson
      Carry on after a crash, Ctrl-C or exit 4: collects submitted jobs, sends only unsent batches.
  $ backfill push --incremental orders_export.csv --mode window --windows 30,90 --yes
      Nightly recompute: send only the profiles that changed since the last confirmed push
      (state in .backfill/state.json next to the config); one summary line on success.
  $ backfill push --incremental --from klaviyo --yes
      The same from the Placed Order events in Klaviyo (key scopes also metrics:read, events:read):
      only events newer than the local store holds are fetched.
  $ backfill push --incremental orders_export.csv --mode window --clear-emptied --yes
      Also remove from Klaviyo the value and date of each window that emptied since the last night
      (one Create or Update Profile request per such profile).
`;

const PUSH_DETAILS = `
How it sends:
  Bulk profile import jobs of at most 10,000 profiles and about 4.5 MB each; a profile over 100 KB is
  rejected locally. Blank properties are left out (never sent as null or ""), numbers are JSON numbers,
  dates are "yyyy-MM-dd HH:mm:ss" UTC. Requests are paced to Klaviyo's 10/s and 150/min, wait out 429
  Retry-After and back off on 5xx and network errors; a create that may have gone through is looked up
  before it is sent again, so no batch is imported twice.

Files (next to the run log unless given):
  .backfill/push-<time>.ndjson      run log, append-only: every batch, its job and its outcome
  <run log>.rejects.csv             profiles Klaviyo refused, with its reason
  <run log>.input-rejects.csv       order or profiles CSV rows that could not be read

Key and endpoint:
  KLAVIYO_API_KEY or --api-key-file (never a flag; never printed). KLAVIYO_BASE_URL (default
  ${DEFAULT_BASE_URL}) and --revision / KLAVIYO_REVISION (default ${DEFAULT_REVISION}). Scopes: profiles:write
  and lists:write to create the jobs, profiles:read and lists:read to poll them and read their errors.

Nightly (--incremental):
  The state file (--state, default .backfill/state.json next to the config file, or in the current
  directory without one) keeps, per profile, the properties Klaviyo last confirmed (a job completed with
  no import error for it), and a hash of the definitions (mode, windows, sizes, property names). Only
  new and changed profiles are sent; the first run, a change of definitions, or --full sends them all.
  Profiles whose window emptied (mode window) are left as they are in Klaviyo: blanks are never sent,
  and a segment's own date condition already drops them; the summary counts them. With --clear-emptied
  (or "clearEmptied": true in the config) each such profile whose state holds the window gets one
  POST /api/profile-import removing that window's value and date (meta.patch_properties.unset),
  paced at 75/s and 750/min; only a 2xx answer records it as cleared, so a failed clear is sent again
  the next night. The state is written atomically after the jobs finish (also after --resume of such a
  push). With --yes the date-property warning is not repeated, so cron mails nothing but the summary
  line; errors go to stderr.

Exit codes: 0 every profile imported; 3 some rejected or unconfirmed, or a clear refused (rejects file);
  4 gave up on rate limits, the network or slow jobs (run --resume later); 2 usage, input, or a request
  Klaviyo refused (bad key, list or revision); 130 interrupted (143 SIGTERM, 129 SIGHUP; resumable);
  1 unexpected error, or the confirmation declined.
`;

interface PushFlags extends OrderReadingFlags, OrderSourceFlags, ConnectionFlags {
  profiles?: string;
  resume?: string;
  list?: string;
  dryRun?: boolean;
  yes?: boolean;
  runLog?: string;
  rejects?: string;
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
  batchSize?: number;
  incremental?: boolean;
  full?: boolean;
  state?: string;
  clearEmptied?: boolean;
}

export const pushCommand: CliCommand = {
  name: 'push',
  declare(program) {
    const command = program
    .command('push')
    .description('send profiles to Klaviyo through bulk import jobs (computed from orders, or a profiles CSV)')
    .addArgument(orderFilesArgument('order export CSV files or quoted patterns, computed as `backfill compute` does (or --from klaviyo)'))
    .optionsGroup(HELP_GROUPS.input)
    .option('--profiles <file>', 'send this profiles CSV (written by backfill compute) instead of computing')
    .optionsGroup(HELP_GROUPS.klaviyo)
    .option('--list <id>', 'also add the profiles to this Klaviyo list', parseListId)
    .option('--api-key-file <path>', 'read the private API key from this file (default: $KLAVIYO_API_KEY)')
    .option('--revision <date>', `Klaviyo API revision (default: $KLAVIYO_REVISION or ${DEFAULT_REVISION})`, parseRevision)
    .optionsGroup(HELP_GROUPS.run)
    .option('--dry-run', 'plan and check every batch locally; send nothing')
    .option('-y, --yes', 'do not ask before sending (required when stdin is not a terminal)')
    .option('--resume <runlog>', 'continue the push that wrote this run log')
    .option('--incremental', 'send only profiles that changed since the state file (the nightly recompute)')
    .option('--full', 'with --incremental: send every profile, and record them')
    .option('--state <file>', 'with --incremental: the state file (default: .backfill/state.json next to the config)')
    .option('--clear-emptied', 'with --incremental --mode window: remove the value and date of windows that emptied from Klaviyo')
    .option('-q, --quiet', 'no progress and no summary line')
    .option('--no-color', 'no colour in progress (also NO_COLOR=1)')
    .optionsGroup(HELP_GROUPS.output)
    .option('--run-log <file>', 'where to write the run log (default: .backfill/push-<time>.ndjson)')
    .option('--rejects <file>', 'where to write rejected profiles (default: <run log>.rejects.csv)')
    .option('--json', 'print the summary as JSON')
    // For tests and the bench: several jobs from a small file. Klaviyo's own limit (10,000) is the default.
    .addOption(new Option('--batch-size <n>', 'profiles per import job').argParser(parseBatchSize).hideHelp())
    .addHelpText('before', PUSH_EXAMPLES)
    .addHelpText('after', PUSH_DETAILS);
    return addOrderSourceOptions(addOrderReadingOptions(command, { shown: false }));
  },
  run: (command, io, interruption) => push(command.processedArgs[0] as string[], command.opts<PushFlags>(), explicitSettings(command.opts<PushFlags>(), command), io, interruption),
};

async function push(orders: string[], flags: PushFlags, explicit: ExplicitSettings, io: CliIo, interruption: Interruption): Promise<Outcome> {
  // Loaded only when pushing: it and the Klaviyo client it brings were a third of every other run's start.
  const { applyPush, defaultRunLogPath, preparePush } = await import('../commands/push.js');
  const env = io.env;
  const fromKlaviyo = flags.from === 'klaviyo';
  const config = orders.length > 0 || fromKlaviyo ? await loadConfig(flags.config, io.cwd) : undefined;
  const now = io.now();
  // Orders from Klaviyo: the event store is brought up to date before anything is planned.
  const input: OrderInput | undefined = fromKlaviyo ? await orderInput(orders, flags, resolveRunSettings(explicit, config), config?.path, io, flags.asOf ?? now) : undefined;
  const start = pushStart(orders, flags, { settings: storeSettings(explicit), configPath: config === undefined ? null : resolve(config.path) }, now, input, defaultRunLogPath);
  const incremental = incrementalOptions(orders, flags, explicit, config, io.cwd);
  const connection = flags.dryRun === true ? undefined : await klaviyoConnection(flags, env);
  const tuning = tuningFromEnv(env);
  const print = (text: string) => io.stderr.write(redactSecrets(text));
  const prepared = await preparePush(
    {
      start,
      dryRun: flags.dryRun === true,
      onNotice: print,
      ...(incremental !== undefined ? { incremental } : {}),
      ...(flags.rejects !== undefined ? { rejectsPath: flags.rejects } : {}),
      ...(flags.batchSize !== undefined ? { limits: { ...KLAVIYO_LIMITS, profilesPerJob: flags.batchSize } } : {}),
      confirm: async ({ profiles, batches, clears, dateProperties }) => {
        // The nightly run was confirmed once by a person; repeating the warning would mail cron every night.
        if (dateProperties.length > 0 && !(incremental !== undefined && flags.yes === true)) {
          print(`backfill: warning: this push sets date properties (${dateProperties.join(', ')}). Flows and segments triggered by a date property see these dates as soon as they are imported: check date-triggered flows first.\n`);
        }
        if (flags.yes === true) return;
        const stdin = io.stdin;
        if (stdin.isTTY !== true) {
          throw new BackfillError('CONFIRMATION_REQUIRED', 'not sending without confirmation: stdin is not a terminal', { hint: 'Pass --yes to push from a script, or --dry-run to see the plan.' });
        }
        const prompt = createInterface({ input: stdin, output: io.stderr });
        const clearing = clears > 0 ? ` and clear the emptied windows of ${counted(clears, 'profile')}` : '';
        // At the prompt a terminal hands Ctrl-C to readline, not to the process: it stops the run all the same.
        prompt.on('SIGINT', () => interruption.quitNow('SIGINT'));
        const answer = await prompt.question(`Send ${counted(profiles, 'profile')} to Klaviyo in ${counted(batches, 'import job')}${clearing}? [y/N] `).finally(() => prompt.close());
        // Declined is not a usage error: exit 1, as terraform and gh exit when a confirmation is declined.
        if (!/^y(es)?$/i.test(answer.trim())) throw new BackfillError('DECLINED', 'not sent: not confirmed', { hint: 'Nothing was sent and no run log was written.' });
      },
    },
    io.now,
    // The event store's lock is held until the profiles are computed from it.
  ).finally(() => input?.close());
  if (flags.dryRun === true || connection === undefined) return dryRunReport(prepared, flags, io, input);
  if (prepared.writer !== undefined) runFiles.note('run log', `the run log ${prepared.runLog} holds every step so far: backfill push --resume ${prepared.runLog} carries on`);

  const spinner = await Progress.open(io, { silent: flags.quiet === true || flags.json === true, color: flags.color });
  const stop = new AbortController();
  // A second signal does not wait (interruption.ts): the run log is written entry by entry, so it is already whole.
  const stopWatching = interruption.whileFinishing(() => {
    stop.abort();
    spinner.stop();
    print('backfill: stopping after the request in flight (Ctrl-C again to quit now)\n');
  });
  let waiting = '';
  const show = (totals: PushTotals) => {
    const clears = clearTotals(prepared.state);
    const clearing = clears.planned > 0 ? `, ${formatCount(clears.sent)}/${formatCount(clears.planned)} emptied windows cleared` : '';
    spinner.text = `Pushing: ${totals.batches - totals.batchesUnsent}/${totals.batches} batches sent, ${formatCount(totals.imported)} profiles confirmed${clearing}${waiting}`;
  };
  spinner.start(prepared.resumed ? `Resuming ${prepared.runLog}` : 'Pushing');
  let result: PushResult;
  try {
    result = await applyPush(prepared, {
      connection,
      tuning,
      stop: stop.signal,
      onProgress: (totals) => {
        waiting = '';
        show(totals);
      },
      ...retryNotices(io, flags.quiet),
      onWait: (ms, reason) => {
        waiting = ms >= 1000 ? `; waiting ${Math.round(ms / 1000)} s (${reason === 'backoff' ? 'backing off after an error' : 'rate limit'})` : '';
        spinner.text = spinner.text.replace(/; waiting .*$/, '') + waiting;
      },
    });
  } finally {
    stopWatching();
    spinner.stop();
  }
  report(result, prepared, flags, io, input);
  if (result.stoppedBy !== undefined) throw result.stoppedBy;
  // A clear Klaviyo refused is a profile it did not take, as a rejected one: exit 3.
  return { kind: 'push', rejected: result.totals.rejected + clearTotals(prepared.state).failed, unknown: result.totals.unknown };
}

function incrementalOptions(orders: string[], flags: PushFlags, explicit: ExplicitSettings, config: FileConfig | undefined, cwd: string): IncrementalOptions | undefined {
  if (flags.incremental !== true) {
    if (flags.full === true || flags.state !== undefined || flags.clearEmptied === true) throw usage('--full, --state and --clear-emptied go with --incremental');
    return undefined;
  }
  if (flags.resume !== undefined) throw usage('--resume continues an incremental push with the state file it started with; leave out --incremental');
  if (orders.length === 0 && flags.from !== 'klaviyo') throw usage('--incremental computes from orders: give the order files or --from klaviyo (not --profiles)');
  const clearEmptied = flags.clearEmptied === true || config?.clearEmptied === true;
  if (clearEmptied && resolveRunSettings(explicit, config).definitions.mode !== 'window') {
    const given = flags.clearEmptied === true ? '--clear-emptied' : `"clearEmptied" in ${config?.path ?? 'the config'}`;
    throw usage(`${given} goes with --mode window: in flow mode a stored maximum never empties, so there is nothing to clear`);
  }
  return { statePath: resolve(cwd, flags.state ?? defaultStatePath(config?.path, cwd)), full: flags.full === true, clearEmptied };
}

function pushStart(
  orders: string[],
  flags: PushFlags,
  reading: { settings: StoredSettings; configPath: string | null },
  now: number,
  input: OrderInput | undefined,
  defaultRunLogPath: (now: number) => string,
): PushStart {
  const sources = [orders.length > 0 || input !== undefined, flags.profiles !== undefined, flags.resume !== undefined].filter(Boolean).length;
  if (sources !== 1) throw usage('give order files (or --from klaviyo), or --profiles <file>, or --resume <runlog> (exactly one of them)');
  if (flags.resume !== undefined) {
    if (flags.list !== undefined || flags.runLog !== undefined) throw usage('--resume continues with the list and run log it started with');
    return { kind: 'resume', runLog: flags.resume };
  }
  const runLog = flags.runLog ?? defaultRunLogPath(now);
  const list = flags.list !== undefined ? { listId: flags.list } : {};
  if (flags.profiles !== undefined) return { kind: 'new', runLog, source: { kind: 'profiles', file: resolve(flags.profiles) }, ...list };
  return {
    kind: 'new',
    runLog,
    ...list,
    source: {
      kind: 'orders',
      files: orders.map((file) => (file === '-' ? file : resolve(file))),
      // Pinned now, so a resume computes exactly the same table.
      asOf: flags.asOf ?? now,
      ...reading,
      ...(input?.klaviyo !== undefined ? { klaviyo: input.klaviyo } : {}),
    },
  };
}

function dryRunReport(prepared: PreparedPush, flags: PushFlags, io: CliIo, input: OrderInput | undefined): Outcome {
  const plan = prepared.plan;
  const incremental = prepared.state.start.incremental;
  const batches = plan?.batches ?? [];
  const summary = {
    dryRun: true,
    profiles: prepared.profiles.length,
    batches: plan !== undefined ? batches.length : prepared.totals.batchesUnsent,
    largestBatchProfiles: Math.max(0, ...batches.map((b) => b.rows.length)),
    largestBatchBytes: Math.max(0, ...batches.map((b) => b.bytes)),
    heldBack: plan?.heldBack.length ?? 0,
    inputRowsRejected: prepared.inputRowsRejected,
    inputRejectsFile: prepared.inputRejectsFile ?? null,
    dateProperties: prepared.dateProperties,
    ...(incremental !== undefined ? { incremental: incrementalJson(incremental, undefined, clearTotals(prepared.state), prepared.state.clears) } : {}),
    ...(input?.fetch !== undefined ? { fetch: input.fetch } : {}),
  };
  if (flags.json === true) io.stdout.write(`${JSON.stringify(summary)}\n`);
  else if (flags.quiet !== true) {
    io.stderr.write(
      `backfill: dry run: ${input?.fetch !== undefined ? `${fetchSummary(input.fetch)}; ` : ''}${incremental !== undefined ? `${incrementalHead(incremental)}; ` : ''}${counted(summary.profiles, 'profile')} in ${counted(summary.batches, 'import job')} ` +
        `(largest ${counted(summary.largestBatchProfiles, 'profile')}, ${counted(summary.largestBatchBytes, 'byte')}); ` +
        `${counted(summary.heldBack, 'profile')} would be rejected locally; ${inputRowsText(prepared)}${clearsWould(prepared)}nothing sent\n`,
    );
    for (const held of plan?.heldBack ?? []) io.stderr.write(redactSecrets(`  ${held.email}: ${held.reason}\n`));
    for (const line of clearLines(prepared.state.clears, DRY_RUN_CLEARS_LISTED)) io.stderr.write(redactSecrets(`${line}\n`));
  }
  return { kind: 'done' };
}

/** Clears a dry run lists one per line (`--json` lists them all). */
const DRY_RUN_CLEARS_LISTED = 20;

function clearsWould(prepared: PreparedPush): string {
  const incremental = prepared.state.start.incremental;
  if (incremental?.clearEmptied !== true) return '';
  const count = prepared.state.clears.length;
  return `the emptied windows of ${formatCount(count)} profiles would be cleared${count > 0 ? ' (below)' : ''}; `;
}

function report(result: PushResult, prepared: PreparedPush, flags: PushFlags, io: CliIo, input: OrderInput | undefined): void {
  const t = result.totals;
  const incremental = prepared.state.start.incremental;
  // An incremental push with nothing to send opens no run log.
  const runLog = prepared.writer === undefined ? null : result.runLog;
  if (flags.json === true) {
    const extra = incremental !== undefined ? { incremental: incrementalJson(incremental, result.recordedState, clearTotals(prepared.state)) } : {};
    io.stdout.write(redactSecrets(`${JSON.stringify({ ...t, requests: result.requests, retries: result.retries, runLog, rejectsFile: result.rejectsFile ?? null, inputRejectsFile: prepared.inputRejectsFile ?? null, inputRowsRejected: prepared.inputRowsRejected, stopped: result.stoppedBy?.code ?? null, ...extra, ...(input?.fetch !== undefined ? { fetch: input.fetch } : {}) })}\n`));
    return;
  }
  if (flags.quiet === true) return;
  const parts = [`${formatCount(t.sent)} of ${formatCount(t.profiles)} profiles sent`, `${formatCount(t.imported)} imported`, `${formatCount(t.rejected)} rejected${result.rejectsFile ? ` (see ${result.rejectsFile})` : ''}`, `${formatCount(t.unknown)} unknown`];
  if (incremental !== undefined) parts.unshift(incrementalHead(incremental));
  if (input?.fetch !== undefined) parts.unshift(fetchSummary(input.fetch));
  const clearsUnsent = clearTotals(prepared.state).unsent;
  const left = [
    ...(t.batchesUnsent + t.batchesProcessing > 0 ? [`${counted(t.batchesUnsent, 'batch', 'batches')} unsent and ${formatCount(t.batchesProcessing)} processing`] : []),
    ...(clearsUnsent > 0 ? [`${counted(clearsUnsent, 'clear')} unsent`] : []),
  ];
  if (left.length > 0) parts.push(`${left.join(', ')}: resume with backfill push --resume ${result.runLog}`);
  parts.push(`${counted(result.requests, 'request')} to Klaviyo, ${counted(result.retries, 'retry', 'retries')}`);
  if (prepared.inputRejectsFile !== undefined) parts.push(inputRowsText(prepared).replace(/; $/, ''));
  if (incremental !== undefined) parts.push(...incrementalTail(incremental, result.recordedState, clearTotals(prepared.state)));
  io.stderr.write(redactSecrets(`backfill: ${parts.join('; ')}\n`));
}

/** The input rows (order rows, or profiles CSV rows) that failed their checks, and where they went; '' when none did. */
function inputRowsText({ inputRowsRejected, inputRejectsFile }: PreparedPush): string {
  return inputRejectsFile === undefined ? '' : `${formatCount(inputRowsRejected)} input rows rejected (see ${inputRejectsFile}); `;
}

const parseBatchSize = wholeNumberFlag(1, KLAVIYO_LIMITS.profilesPerJob, `1 to ${KLAVIYO_LIMITS.profilesPerJob}`);

const parseListId = klaviyoIdFlag('list', 'VRgFBd');

function usage(message: string): BackfillError {
  return new BackfillError('USAGE', message, { hint: 'See backfill push --help for examples.' });
}
