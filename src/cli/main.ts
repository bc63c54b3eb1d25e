/**
 * The command line: the program, its command table, and the one place where what a command returned,
 * or the error that stopped it, becomes a message and an exit code (see exit-codes.ts). Error
 * messages pass through redactSecrets, so the API key is never printed.
 *
 * To add a command: write its options-in, result-out function in src/commands/, its flags, help and
 * summary in a module here that exports a `CliCommand`, and add it to COMMANDS.
 */
import { Command, CommanderError } from 'commander';
import { BackfillError, formatLocation } from '../errors.js';
import type { CliCommand } from './command.js';
import { runFiles } from '../io/run-files.js';
import { redactSecrets } from '../redact.js';
import { computeCommand } from './compute.js';
import { diffCommand } from './diff.js';
import { flowCommand } from './flow.js';
import { exitCodeOf, exitCodeOfError, exitCodeOfFailure, EXIT, type Outcome } from './exit-codes.js';
import { Interruption } from './interruption.js';
import { processIo, type CliIo } from './io.js';
import { HELP_GROUPS } from './order-reading-flags.js';
import { pushCommand } from './push.js';
import { segmentsCommand } from './segments.js';
import { sqlCommand } from './sql.js';
import { suggestCommand } from './suggest.js';
import { VERSION } from './version.js';

const COMMANDS: readonly CliCommand[] = [computeCommand, pushCommand, diffCommand, flowCommand, segmentsCommand, sqlCommand];

const PROGRAM_EXAMPLES = `Examples:
  $ backfill orders_export.csv                     profiles.csv from a Shopify export
  $ backfill orders.csv --as-of 2026-11-01 -o -    reproducible run, CSV to stdout
  $ backfill --from klaviyo --as-of 2026-11-01     the same from Klaviyo's Placed Order events (KLAVIYO_API_KEY)
  $ backfill push orders.csv --dry-run              plan the Klaviyo import jobs, send nothing
  $ backfill diff orders.csv --against state        what the nightly push --incremental would send
  $ backfill flow --public-key ABC123 --metric-id XyZ123   the live flow that keeps the properties, step by step
  $ backfill segments --threshold 1000              the recipe's segments on the computed properties
  $ backfill sql --dialect postgres --view klaviyo_profiles   the same computation as SQL, where the orders live
  $ backfill compute --help                        every option of the main command
  $ backfill push --help                           sending to Klaviyo, resuming, nightly, exit codes
  $ backfill diff --help                           baselines, output for CI, exit codes
  $ backfill flow --help                           layout, webhook targets, creating drafts
  $ backfill sql --help                            DuckDB, PostgreSQL and dbt: relations, columns, as-of
`;

/** Runs the command line; returns the exit code (the launcher sets it, tests read it). */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  // A reader that stops early (`backfill --help | head`, `-o - | head`) is not an error: output just ends.
  io.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  let outcome: Outcome = { kind: 'done' };
  let ran: string | undefined;
  // From the start, for every command: a signal never leaves a lock or a temporary file behind.
  const interruption = new Interruption(io);
  const program = new Command('backfill')
    .description("Backfill Klaviyo profile properties from the order history (exports, or the account's Placed Order events), exactly as the flow would have set them; and build that flow for today's API.")
    .version(VERSION, '-V, --version', 'print the version and exit')
    .helpCommand('help [command]', 'show help for a command')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // One prefix for every error, the option parser's too.
      outputError: (text, write) => write(text.replace(/^error: /, 'backfill: ')),
    })
    .exitOverride()
    .showHelpAfterError('(run backfill --help for examples)')
    .addHelpText('before', PROGRAM_EXAMPLES);

  for (const spec of COMMANDS) {
    spec
      .declare(program)
      // A mistyped option of a command points to that command's help, and its -h sits with the run's options.
      .showHelpAfterError(`(run backfill ${spec.name} --help for examples)`)
      .optionsGroup(HELP_GROUPS.run)
      .helpOption('-h, --help', 'show this help')
      .exitOverride()
      .action(async (...args: unknown[]) => {
        const command = args.at(-1) as Command;
        ran = spec.name;
        outcome = await spec.run(command, io, interruption);
      });
  }

  try {
    const typo = suggestCommand(argv.slice(2), COMMANDS.map((c) => c.name), io.cwd);
    if (typo !== undefined) throw typo;
    await program.parseAsync(argv as string[]);
    return exitCodeOf(outcome);
  } catch (error) {
    return exitCodeOfFailure(reportError(error, io, interruption), ran);
  } finally {
    interruption.close();
    // Whatever ended the command, no temporary file (they hold customer emails) or lock outlives it:
    // those still registered here were neither put in place nor removed on the way out.
    runFiles.removeLeftovers();
  }
}

function reportError(error: unknown, io: CliIo, interruption: Interruption): number {
  if (error instanceof CommanderError) {
    // Commander has printed its message (or the help) already. `backfill help` ends with
    // commander.help on purpose: asked-for help is a success.
    return ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code) ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof BackfillError) {
    // A message that names its place already (the file, with its line when there is one) is not prefixed with it again.
    const location = error.location;
    const named =
      location !== undefined &&
      (error.message.startsWith(location.file) || error.message.includes(formatLocation(location)) || (location.line === undefined && error.message.includes(location.file)));
    const where = location !== undefined && !named ? `${formatLocation(location)}: ` : '';
    io.stderr.write(redactSecrets(`backfill: ${where}${error.message}\n`));
    if (error.hint !== undefined) io.stderr.write(redactSecrets(`  ${error.hint}\n`));
    // A run a signal wound down exits as the signal says (130, 143, 129).
    return error.code === 'INTERRUPTED' ? interruption.exitCode : exitCodeOfError(error.code);
  }
  if ((error as NodeJS.ErrnoException).code === 'EPIPE') return EXIT.ok; // `| head` closed the pipe
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(redactSecrets(`backfill: unexpected error; please report it with the command you ran.\n${detail}\n`));
  return EXIT.unexpected;
}
