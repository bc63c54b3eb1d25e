/**
 * The files a push reads and writes, apart from their contents: they must all be different files,
 * the run log and state file are locked for the run, and a state file that could not be written is
 * explained with the way to record it.
 */
import type { PushSource } from '../domain/push-run-state.js';
import { BackfillError } from '../errors.js';
import { assertDistinctFiles } from '../io/file-identity.js';
import { RunLock } from '../io/run-lock.js';
import { orderExports } from './compute.js';

/** The state file could not be written after the jobs were collected: what happened, and how to record it. */
export function stateNotRecorded(error: unknown, finished: boolean, runLog: string | undefined): BackfillError {
  const cause = error instanceof Error ? error.message : String(error);
  if (runLog === undefined) {
    // A quiet night: nothing was sent, so there is nothing to resume.
    return error instanceof BackfillError ? error : new BackfillError('OUTPUT_FAILED', cause, { cause: error });
  }
  const pushed = finished ? 'The push itself completed (every batch sent and its job collected)' : 'The push stopped early (see above)';
  return new BackfillError('OUTPUT_FAILED', `${pushed}, but ${cause.replace(/^cannot/, 'could not')}`, {
    ...(error instanceof BackfillError && error.location !== undefined ? { location: error.location } : {}),
    hint: `Klaviyo has what was confirmed; only its record is missing. Free space or fix the permissions, then run backfill push --resume ${runLog}: it sends only what is unsent and records the state.`,
    cause: error,
  });
}

/** The files a push reads and writes must all be different files (see file-identity.ts). */
export function checkPushFiles(source: PushSource, files: { runLog: string; rejectsPath: string; inputRejectsPath: string; statePath: string | undefined }): void {
  const inputs = source.kind === 'profiles' ? [{ path: source.file, role: '--profiles' }] : orderExports(source.files);
  assertDistinctFiles(inputs, [
    { path: files.runLog, role: 'the run log' },
    { path: files.rejectsPath, role: 'the rejects file' },
    ...(source.kind === 'orders' ? [{ path: files.inputRejectsPath, role: 'the input-rejects file' }] : []),
    ...(files.statePath !== undefined ? [{ path: files.statePath, role: 'the state file' }] : []),
  ]);
}

/** The locks a push holds; none for a dry run, which writes nothing. */
export class RunLocks {
  readonly #held: RunLock[] = [];
  readonly #dryRun: boolean;
  readonly #onNotice: (message: string) => void;
  readonly #now: () => number;

  constructor(dryRun: boolean, onNotice: (message: string) => void, now: () => number) {
    this.#dryRun = dryRun;
    this.#onNotice = onNotice;
    this.#now = now;
  }

  take(file: string, what: string): void {
    if (!this.#dryRun) this.#held.push(RunLock.acquire(file, what, this.#onNotice, this.#now));
  }

  release(): void {
    for (const lock of this.#held.splice(0)) lock.release();
  }
}
