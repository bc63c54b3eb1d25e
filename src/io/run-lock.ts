/**
 * One run at a time per state file, run log or output: two pushes on one state file leave Klaviyo and
 * the state disagreeing for good, and two resumes of one run log both claim the same in-flight job.
 * The lock is `<file>.lock`, naming the run that holds it (pid, host, start time). It is made whole
 * under a temporary name and hard-linked into place: link fails if the lock exists, atomically, also
 * on a directory shared by two machines, and a lock is never seen half-written.
 */
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { BackfillError } from '../errors.js';
import { writeError } from './atomic-file.js';
import { removeTemporariesOfDeadRun, runFiles, temporaryPathBeside } from './run-files.js';

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

export class RunLock {
  readonly path: string;
  #held = true;

  private constructor(path: string) {
    this.path = path;
  }

  /**
   * Takes the lock on `file` (what `what` names in messages: "the state file"), or refuses with exit 2
   * naming the run that holds it. A lock left by a run on this host whose process is gone (a crash,
   * `kill -9`) is stale: it is taken over and `onNotice` says so.
   */
  static acquire(file: string, what: string, onNotice: (message: string) => void, now: () => number = Date.now): RunLock {
    const path = `${file}.lock`;
    mkdirSync(dirname(path), { recursive: true });
    const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date(now()).toISOString() };
    const draft = temporaryPathBeside(path);
    try {
      writeFileSync(draft, `${JSON.stringify(me)}\n`, { flag: 'wx' });
    } catch (error) {
      throw lockError(path, what, error);
    }
    try {
      // Twice at most: once as is, once after moving a stale lock away.
      for (let attempt = 0; ; attempt++) {
        try {
          linkSync(draft, path);
          runFiles.lockTaken(path);
          return new RunLock(path);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(path, what, error);
        }
        const owner = readOwner(path);
        if (owner === undefined || attempt > 0 || !isStale(owner) || !moveStale(path, owner)) throw heldError(path, what, readOwner(path) ?? owner);
        // Its temporary files hold customer emails, and nothing else would ever remove them.
        const removed = removeTemporariesOfDeadRun(file, owner.pid);
        const cleaned = removed > 0 ? `; removed the ${removed === 1 ? 'temporary file' : `${removed} temporary files`} it left` : '';
        onNotice(`backfill: took over the lock ${path}: the run that left it (pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}) is no longer running${cleaned}\n`);
      }
    } finally {
      unlinkSync(draft);
      runFiles.temporaryGone(draft);
    }
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    runFiles.lockReleased(this.path);
    try {
      unlinkSync(this.path);
    } catch {
      // Already gone (removed by hand): nothing to release.
    }
  }
}

/**
 * Moves a stale lock aside. A rename, not an unlink: should another run have taken the lock over in
 * the meantime, what was moved is its live lock, which is then put back and the run refuses.
 */
function moveStale(path: string, stale: LockOwner): boolean {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return false; // gone already: another run is taking it over
  }
  const moved = readOwner(aside);
  const same = moved !== undefined && moved.pid === stale.pid && moved.host === stale.host && moved.startedAt === stale.startedAt;
  if (!same) {
    try {
      linkSync(aside, path);
    } catch {
      // A third run holds the path now; either way this one does not get the lock.
    }
  }
  unlinkSync(aside);
  return same;
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof owner.pid === 'number' && typeof owner.host === 'string' && typeof owner.startedAt === 'string') return owner as LockOwner;
  } catch {
    // Unreadable or not ours: treated as held, never removed.
  }
  return undefined;
}

/** Only a lock of this host can be judged: a process on another machine cannot be seen from here. */
function isStale(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function heldError(path: string, what: string, owner: LockOwner | undefined): BackfillError {
  const who = owner === undefined ? 'another run (its lock file cannot be read)' : `another run (pid ${owner.pid} on ${owner.host}, started ${owner.startedAt})`;
  return new BackfillError('LOCKED', `${what} is in use by ${who}`, {
    location: { file: path },
    hint: `Wait for that run to finish. If it is certainly not running (a crash on another machine), delete ${path} and run again.`,
  });
}

function lockError(path: string, what: string, error: unknown): BackfillError {
  return writeError(`the lock for ${what}`, path, error);
}
