/**
 * The `diff` subcommand's flags, help and output. Like `git diff --exit-code`, its exit code says
 * whether anything would change; every error is 2, mapped in `main` (src/cli.ts).
 */
import { resolve } from 'node:path';
import { wholeNumberFlag } from './flag-values.js';
import type { CliCommand } from './command.js';
import type { CliIo } from './io.js';
import { Progress } from './progress.js';
import { klaviyoConnection, parseRevision, type ConnectionFlags } from './klaviyo-connection.js';
import { addOrderReadingOptions, explicitSettings, HELP_GROUPS, type OrderReadingFlags } from './order-reading-flags.js';
import { addOrderSourceOptions, fetchSummary, orderFilesArgument, orderInput, type OrderSourceFlags } from './order-source-flags.js';
import { runDiff, type Baseline } from '../commands/diff.js';
import { loadConfig } from '../config/config-file.js';
import { computationOf } from '../domain/computation.js';
import { resolveRunSettings } from '../config/run-settings.js';
import { hasChanges } from '../domain/profile-diff.js';
import { diffJson, diffMarkdown, diffText } from './diff-report.js';
import { BackfillError } from '../errors.js';
import { defaultStatePath } from '../io/state-file.js';
import { DEFAULT_REVISION } from '../klaviyo/http.js';
import { systemClock } from '../klaviyo/clock.js';
import { tuningFromEnv } from '../klaviyo/tuning.js';
import { redactSecrets } from '../redact.js';
import { formatCount } from '../wording.js';

const DIFF_EXAMPLES = `Examples:
  $ backfill diff orders_export.csv --against profiles.csv
      What sending would change compared with a profiles CSV written earlier (by backfill compute).
  $ backfill diff orders_export.csv --against state
      What tonight's backfill push --incremental would send (the state file of the last one).
  $ KLAVIYO_API_KEY=pk_... backfill diff orders_export.csv --against klaviyo --json
      Compared with what Klaviyo holds now (read with Get Profiles; nothing is written).
  $ backfill diff --from klaviyo --against klaviyo
      Profiles computed from Klaviyo's own Placed Order events, compared with what Klaviyo holds.
  $ backfill diff orders.csv --against main.csv --exit-code --markdown >> "$GITHUB_STEP_SUMMARY"
      In CI: a Markdown summary for the job or a pull-request comment; exit 1 when something changes.
  $ backfill diff orders_export.csv --mode window --against state --clear-emptied
      Also list the emptied windows tonight's push --incremental --clear-emptied would clear.
`;

const DIFF_DETAILS = `
Baselines (--against):
  <file>    a profiles CSV (Email, then one column per property). Use ./state or ./klaviyo for a file
            with one of the names below.
  state     the state file of the last backfill push --incremental (--state <file>; default
            .backfill/state.json next to the config file, or in the current directory without one).
  klaviyo   Klaviyo itself: GET /api/profiles with filter any(email,[...]), 100 addresses a request,
            paced to 75/s and 750/min. Key from KLAVIYO_API_KEY or --api-key-file, base URL from
            KLAVIYO_BASE_URL; needs the profiles:read scope.

Comparison:
  By email (case-insensitive), property by property, for the properties the current settings compute.
  Numbers and dates compare by value (129.5 equals 129.50; 2025-06-10 16:00:00 equals
  2025-06-10T16:00:00+00:00). A property the computation leaves blank (a window emptied) is not a
  change: a push never sends blanks, so Klaviyo keeps its value; it is counted as "emptied". With
  --clear-emptied (or "clearEmptied": true in the config) the profiles whose windows push --incremental
  --clear-emptied would clear are listed (- email: the properties), and counted as clears. Profiles
  only in the baseline are counted and left alone.

What it prints (stdout):
  A summary with the first --limit changes (+ added, ~ changed: property old -> new); --json lists
  everything; --markdown writes a table for a CI job summary or a pull-request comment.
  diff never writes the state file and never sends anything; order rows it cannot read are counted
  (written out only with --rejects <file>).

Exit codes: with --exit-code, 0 no changes, 1 changes, 2 error (as git diff --exit-code);
  without it, 0 unless an error (2). 130, 143, 129: stopped by Ctrl-C, SIGTERM, SIGHUP.
`;

interface DiffFlags extends OrderReadingFlags, OrderSourceFlags, ConnectionFlags {
  against: string;
  state?: string;
  json?: boolean;
  markdown?: boolean;
  exitCode?: boolean;
  limit: number;
  rejects?: string;
  color?: boolean;
  clearEmptied?: boolean;
}

export const diffCommand: CliCommand = {
  name: 'diff',
  declare(program) {
    const command = program
    .command('diff')
    .description('show what sending the computed profiles would change, against a profiles CSV, the last state, or Klaviyo')
    .addArgument(orderFilesArgument('order export CSV files or quoted patterns, computed as `backfill compute` does (or --from klaviyo)'))
    .optionsGroup('Baseline (what to compare with):')
    .requiredOption('--against <baseline>', '(required) a profiles CSV, "state" or "klaviyo"')
    .option('--state <file>', 'the state file for --against state (default: .backfill/state.json next to the config)')
    .optionsGroup(HELP_GROUPS.output)
    .option('--json', 'every change as JSON')
    .option('--markdown', 'Markdown, for a CI job summary or a pull-request comment')
    .option('--exit-code', 'exit 1 when something would change, 0 when nothing would')
    .option('--limit <n>', 'changes listed in the summary and in Markdown', parseLimit, 20)
    .option('--rejects <file>', 'write order rows that cannot be read here (default: only counted)')
    .option('--clear-emptied', 'also list the emptied windows push --incremental --clear-emptied would clear')
    .optionsGroup(HELP_GROUPS.klaviyo)
    .option('--api-key-file <path>', 'for --against klaviyo: read the private API key from this file (default: $KLAVIYO_API_KEY)')
    .option('--revision <date>', `Klaviyo API revision (default: $KLAVIYO_REVISION or ${DEFAULT_REVISION})`, parseRevision)
    .optionsGroup(HELP_GROUPS.run)
    .option('--no-color', 'no colour in progress (also NO_COLOR=1)')
    .addHelpText('before', DIFF_EXAMPLES)
    .addHelpText('after', DIFF_DETAILS);
    return addOrderSourceOptions(addOrderReadingOptions(command, { shown: false }));
  },
  async run(self, io) {
      const flags = self.opts<DiffFlags>();
      const patterns = self.processedArgs[0] as string[];
      if (flags.json === true && flags.markdown === true) throw new BackfillError('USAGE', 'choose one of --json and --markdown');
      const config = await loadConfig(flags.config, io.cwd);
      const settings = resolveRunSettings(explicitSettings(flags, self), config);
      if (patterns.length === 0 && flags.from !== 'klaviyo') throw new BackfillError('USAGE', 'no order files given', { hint: 'Give order export files, or --from klaviyo (see backfill diff --help).' });
      const asOf = flags.asOf ?? io.now();
      const input = await orderInput(patterns, flags, settings, config?.path, io, asOf);
      try {
        const baseline = await baselineOf(flags, config?.path, io);
        const label = flags.against;
        const spinner = await Progress.open(io, { silent: flags.json === true || flags.markdown === true, color: flags.color });
        spinner.start('Computing');
        const result = await runDiff({
          files: input.files,
          ...(input.source !== undefined ? { source: input.source } : {}),
          computation: computationOf({ definitions: settings.definitions, asOf }),
          input: settings.input,
          rejectsPath: flags.rejects,
          baseline,
          clearEmptied: flags.clearEmptied === true || config?.clearEmptied === true,
          onBaselineProgress: (read) => (spinner.text = `Reading Klaviyo: ${formatCount(read)} profiles found`),
        }).finally(() => spinner.stop());
        if (input.fetch !== undefined && flags.json !== true) io.stderr.write(redactSecrets(`backfill: ${fetchSummary(input.fetch)}\n`));
        const output = flags.json === true ? `${JSON.stringify({ ...(diffJson(result, label) as Record<string, unknown>), ...(input.fetch !== undefined ? { fetch: input.fetch } : {}) })}\n` : flags.markdown === true ? diffMarkdown(result, label, flags.limit) : diffText(result, label, flags.limit);
        io.stdout.write(redactSecrets(output));
        return { kind: 'diff', changes: hasChanges(result.diff), exitCodeSaysChanges: flags.exitCode === true };
      } finally {
        // The event store's lock: held until its orders are read.
        input.close();
      }
  },
};

async function baselineOf(flags: DiffFlags, configPath: string | undefined, io: CliIo): Promise<Baseline> {
  if (flags.against === 'state') return { kind: 'state', file: resolve(io.cwd, flags.state ?? defaultStatePath(configPath, io.cwd)) };
  if (flags.state !== undefined) throw new BackfillError('USAGE', '--state goes with --against state');
  if (flags.against === 'klaviyo') {
    const env = io.env;
    return { kind: 'klaviyo', reader: { connection: await klaviyoConnection(flags, env), tuning: tuningFromEnv(env), clock: systemClock } };
  }
  return { kind: 'profiles', file: flags.against };
}

const parseLimit = wholeNumberFlag(0, Number.MAX_SAFE_INTEGER, 'a whole number');
