/**
 * Ctrl-C, SIGTERM (`kill`, systemd, `docker stop`) and SIGHUP (the terminal closed), the same for every
 * command: the run removes its temporary files and locks (src/io/run-files.ts knows them all), prints
 * one line saying which outputs were and were not written, and exits 130, 143 or 129 (128 + the
 * signal's number, what a shell reports for a process the signal ended).
 *
 * A command with something to finish first (push: the request in flight, so its run log stays true)
 * takes the first signal with `whileFinishing`; a second signal then quits at once, the same way.
 */
import { redactSecrets } from '../redact.js';
import { runFiles } from '../io/run-files.js';
import { counted } from '../wording.js';
import { SIGNAL_EXITS } from './exit-codes.js';
import type { CliIo, StopSignal } from './io.js';

const SIGNAL_NAMES: Readonly<Record<StopSignal, string>> = { SIGINT: 'Ctrl-C (SIGINT)', SIGTERM: 'SIGTERM', SIGHUP: 'SIGHUP' };

export class Interruption {
  readonly #io: CliIo;
  #signal: StopSignal | undefined;
  #finishing: ((signal: StopSignal) => void) | undefined;
  readonly #stopListening: () => void;

  /** Listens from now until `close`. */
  constructor(io: CliIo) {
    this.#io = io;
    this.#stopListening = io.onStopSignal((signal) => this.#onSignal(signal));
  }

  /** The first signal received, if any. */
  get signal(): StopSignal | undefined {
    return this.#signal;
  }

  /** The exit code of a run the first signal stopped (130 when none arrived: an interruption by other means). */
  get exitCode(): number {
    return SIGNAL_EXITS[this.#signal ?? 'SIGINT'];
  }

  /**
   * Until the returned function is called, the first signal calls `finish` (which winds the work down
   * and lets the command return) instead of quitting at once.
   */
  whileFinishing(finish: (signal: StopSignal) => void): () => void {
    this.#finishing = finish;
    return () => {
      if (this.#finishing === finish) this.#finishing = undefined;
    };
  }

  close(): void {
    this.#stopListening();
  }

  /** Removes this run's temporary files and locks, says what was and was not written, and exits. */
  quitNow(signal: StopSignal): never {
    const removed = runFiles.removeLeftovers();
    const { written, notWritten } = runFiles.outputs();
    const parts: string[] = [];
    if (written.length > 0) parts.push(`written: ${written.join(', ')}`);
    if (notWritten.length > 0) {
      const files = notWritten.filter((name) => name !== 'stdout');
      parts.push(`not written: ${notWritten.map((name) => (name === 'stdout' ? 'stdout (cut off)' : name)).join(', ')}${files.length > 0 ? ` (${files.length === 1 ? 'an earlier file of that name is as it was' : 'earlier files of those names are as they were'})` : ''}`);
    }
    if (parts.length === 0) parts.push('nothing written');
    const cleaned = [removed.locks > 0 ? (removed.locks === 1 ? 'its lock' : `its ${removed.locks} locks`) : '', removed.temporaryFiles > 0 ? (removed.temporaryFiles === 1 ? 'its temporary file' : `its ${counted(removed.temporaryFiles, 'temporary file')}`) : '']
      .filter(Boolean)
      .join(' and ');
    if (cleaned !== '') parts.push(`${cleaned} removed`);
    parts.push(...runFiles.notes);
    // The terminal may be gone (SIGHUP): a failed write must not stop the exit.
    this.#io.stderr.on('error', () => {});
    try {
      this.#io.stderr.write(redactSecrets(`backfill: stopped by ${SIGNAL_NAMES[signal]}: ${parts.join('; ')}\n`));
    } catch {
      // Nowhere to say it.
    }
    return this.#io.exit(SIGNAL_EXITS[signal]);
  }

  #onSignal(signal: StopSignal): void {
    const first = this.#signal === undefined;
    this.#signal ??= signal;
    const finish = this.#finishing;
    if (first && finish !== undefined) {
      finish(signal);
      return;
    }
    this.quitNow(first ? signal : this.#signal);
  }
}
