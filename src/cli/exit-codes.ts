/**
 * The one place that turns what a command did, or the error that stopped it, into an exit code.
 * Commands return results and throw typed errors; none of them knows its exit code.
 */
import type { ErrorCode } from '../errors.js';

export const EXIT = {
  ok: 0,
  unexpected: 1,
  /** push: the confirmation was declined (as terraform and gh exit). */
  declined: 1,
  /** diff --exit-code: something would change (as git diff --exit-code). */
  changes: 1,
  usage: 2,
  input: 2,
  /** push: every profile was dealt with, but some were rejected or could not be confirmed. */
  someRejected: 3,
  /** push: gave up on rate limits, the network or slow jobs; `--resume` carries on. */
  gaveUp: 4,
  interrupted: 130,
} as const;

/** A run a signal stopped: 128 + the signal's number, as a shell reports a process the signal ended. */
export const SIGNAL_EXITS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** Errors are usage or input errors (2) unless listed here. */
const ERROR_EXITS: Partial<Record<ErrorCode, number>> = {
  KLAVIYO_UNAVAILABLE: EXIT.gaveUp,
  KLAVIYO_UNEXPECTED: EXIT.unexpected,
  INTERRUPTED: EXIT.interrupted,
  DECLINED: EXIT.declined,
};

export function exitCodeOfError(code: ErrorCode): number {
  return ERROR_EXITS[code] ?? EXIT.usage;
}

/** What a command reports back to the program. */
export type Outcome =
  | { readonly kind: 'done' }
  /** `diff`: whether anything would change, and whether the user asked for that in the exit code. */
  | { readonly kind: 'diff'; readonly changes: boolean; readonly exitCodeSaysChanges: boolean }
  /** `push`: counts of profiles Klaviyo did not confirm as imported. */
  | { readonly kind: 'push'; readonly rejected: number; readonly unknown: number }
  /** `flow --create`, `segments --create`: whether Klaviyo refused a create (the rest were not tried). */
  | { readonly kind: 'create'; readonly refused: boolean };

export function exitCodeOf(outcome: Outcome): number {
  switch (outcome.kind) {
    case 'done':
      return EXIT.ok;
    case 'diff':
      return outcome.exitCodeSaysChanges && outcome.changes ? EXIT.changes : EXIT.ok;
    case 'push':
      return outcome.rejected > 0 || outcome.unknown > 0 ? EXIT.someRejected : EXIT.ok;
    case 'create':
      return outcome.refused ? EXIT.usage : EXIT.ok;
  }
}

/**
 * A failed `diff` always exits 2: 1 would read as "changes" to a CI job, whatever the failure.
 */
export function exitCodeOfFailure(code: number, command: string | undefined): number {
  return command === 'diff' && code !== EXIT.ok ? EXIT.usage : code;
}
