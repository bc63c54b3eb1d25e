/**
 * What each subcommand module exports for the command table in main.ts.
 */
import type { Command } from 'commander';
import type { Outcome } from './exit-codes.js';
import type { Interruption } from './interruption.js';
import type { CliIo } from './io.js';

export interface CliCommand {
  readonly name: string;
  /** Declares the command, its arguments, options and help on `program`; returns it. */
  declare(program: Command): Command;
  /**
   * Does the work with the parsed command; returns what happened (exit codes are main's). A signal
   * ends the run at once (see interruption.ts) unless the command asks to finish first.
   */
  run(command: Command, io: CliIo, interruption: Interruption): Promise<Outcome>;
}
