/**
 * Everything the command line takes from the process, in one object passed all the way down: the
 * streams, the environment, the working directory, the clock and Ctrl-C. Commands and the code under
 * them never read `process.*` themselves, so a test can run the whole program with its own.
 */
import type { Readable, Writable } from 'node:stream';

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
  /** Calls `listener` on each Ctrl-C until the returned function is called. */
  readonly onInterrupt: (listener: () => void) => () => void;
  /**
   * Ends the process as an unhandled Ctrl-C would (killed by SIGINT; a shell sees 130): for a second
   * Ctrl-C, which must not wait for a request in flight.
   */
  readonly interruptNow: () => void;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    now: Date.now,
    onInterrupt: (listener) => {
      process.on('SIGINT', listener);
      return () => process.off('SIGINT', listener);
    },
    interruptNow: () => {
      process.removeAllListeners('SIGINT');
      process.kill(process.pid, 'SIGINT');
    },
  };
}
