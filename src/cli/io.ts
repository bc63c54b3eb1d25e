/**
 * Everything the command line takes from the process, in one object passed all the way down: the
 * streams, the environment, the working directory, the clock, the stop signals and the exit. Commands
 * and the code under them never read `process.*` themselves, so a test can run the whole program with
 * its own.
 */
import type { Readable, Writable } from 'node:stream';

/** The signals that stop a run: Ctrl-C, `kill` (and systemd, docker stop), a terminal closed. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

export interface TerminalStream extends Writable {
  readonly isTTY?: boolean;
  /** Columns of the terminal; 0 or undefined where it reports none (a pseudo-terminal under `script`). */
  readonly columns?: number;
}

export interface CliIo {
  readonly stdout: TerminalStream;
  readonly stderr: TerminalStream;
  readonly stdin: Readable & { readonly isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  /** Where relative defaults (backfill.config.json, .backfill/) are looked for. */
  readonly cwd: string;
  readonly now: () => number;
  /** Calls `listener` on each Ctrl-C, SIGTERM or SIGHUP until the returned function is called. */
  readonly onStopSignal: (listener: (signal: StopSignal) => void) => () => void;
  /** Ends the process now with this exit code (an interrupted run, once it has cleaned up). */
  readonly exit: (code: number) => never;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    now: Date.now,
    onStopSignal: (listener) => {
      for (const signal of STOP_SIGNALS) process.on(signal, listener);
      return () => {
        for (const signal of STOP_SIGNALS) process.off(signal, listener);
      };
    },
    exit: (code) => process.exit(code),
  };
}
