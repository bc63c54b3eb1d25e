/**
 * What this run has on disk that is not final: the temporary files it writes under (they hold customer
 * emails) and the locks it holds; and the outputs it means to write, with which of them are in place.
 * An interrupted run (Ctrl-C, SIGTERM, SIGHUP: src/cli/interruption.ts) removes the first two at once
 * and says which outputs were and were not written. Process-wide: one process is one run, and the
 * files are registered where they are made (AtomicFile, RunLock), so no command can forget one.
 */
import { readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/** An output the run means to write: a path, or `stdout`. */
interface PlannedOutput {
  readonly name: string;
  written: boolean;
}

export interface LeftoversRemoved {
  readonly temporaryFiles: number;
  readonly locks: number;
}

class RunFiles {
  readonly #temporary = new Set<string>();
  readonly #locks = new Set<string>();
  readonly #outputs = new Map<string, PlannedOutput>();
  readonly #notes = new Map<string, string>();

  temporaryCreated(path: string): void {
    this.#temporary.add(path);
  }

  /** Renamed into place or removed: no longer this run's to clean up. */
  temporaryGone(path: string): void {
    this.#temporary.delete(path);
  }

  lockTaken(path: string): void {
    this.#locks.add(path);
  }

  lockReleased(path: string): void {
    this.#locks.delete(path);
  }

  /** An output the run will write (`-o`, a rejects file, the state file): named in an interruption's message. */
  expectOutput(name: string): void {
    if (!this.#outputs.has(name)) this.#outputs.set(name, { name, written: false });
  }

  /** A file put in place: if it is an expected output, an interruption now says it was written. */
  outputWritten(name: string): void {
    const output = this.#outputs.get(name);
    if (output !== undefined) output.written = true;
  }

  /**
   * A clause for an interruption's message about what is kept and how to carry on (push's run log,
   * the event store's parts), by topic: a later note on the same topic replaces the earlier one.
   */
  note(topic: string, text: string): void {
    this.#notes.set(topic, text);
  }

  get notes(): string[] {
    return [...this.#notes.values()];
  }

  /** The outputs expected or put in place so far, in the order they were named. */
  outputs(): { readonly written: string[]; readonly notWritten: string[] } {
    const all = [...this.#outputs.values()];
    return { written: all.filter((o) => o.written).map((o) => o.name), notWritten: all.filter((o) => !o.written).map((o) => o.name) };
  }

  /**
   * Removes every temporary file and lock of this run, synchronously: it runs from a signal handler,
   * with the process about to exit and nothing else to wait for.
   */
  removeLeftovers(): LeftoversRemoved {
    return { temporaryFiles: removeAll(this.#temporary), locks: removeAll(this.#locks) };
  }
}

function removeAll(paths: Set<string>): number {
  let removed = 0;
  for (const path of paths) {
    try {
      unlinkSync(path);
      removed++;
    } catch {
      // Gone already (renamed into place a moment ago, or removed by hand).
    }
  }
  paths.clear();
  return removed;
}

/** The one registry of this process. */
export const runFiles = new RunFiles();

let temporaryCount = 0;

/**
 * The temporary name a file is written under before it is renamed into place, in the same directory
 * (rename is atomic only within a file system): `.<name>.<pid>.<time>.<n>.tmp`. Registered at once, so
 * an interruption removes it; the pid in the name lets a later run find what a dead run left.
 */
export function temporaryPathBeside(path: string): string {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.${++temporaryCount}.tmp`);
  runFiles.temporaryCreated(temporary);
  return temporary;
}

/**
 * Removes the temporary files a run that is gone (process `pid`, on this host) left beside `file`
 * and the files named after it (`profiles.csv`: `.profiles.csv...`, `.profiles-2.csv...`,
 * `.profiles.rejects.csv...`, `.profiles.csv.lock...`): a `kill -9` or a power cut gives that run no
 * chance to, and they hold customer emails. Called by the run that takes over its lock. Returns how
 * many were removed.
 */
export function removeTemporariesOfDeadRun(file: string, pid: number): number {
  const stem = basename(file, extname(file));
  const name = new RegExp(`^\\.${escapeRegExp(stem)}[^/]*\\.${pid}\\.\\d+(\\.\\d+)?\\.tmp$`);
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return 0;
  }
  let removed = 0;
  for (const left of names.filter((n) => name.test(n))) {
    try {
      unlinkSync(join(dirname(file), left));
      removed++;
    } catch {
      // Removed meanwhile, or not ours to remove after all (permissions): left as it is.
    }
  }
  return removed;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
