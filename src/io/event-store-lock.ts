/**
 * The event store's lock, `.backfill/events-<metric id>.lock` beside the store (so `--refetch` can
 * remove the store under it): a RunLock, taken once per process however often the store is opened.
 */
import { resolve } from 'node:path';
import { RunLock } from './run-lock.js';

/**
 * The store's locks this process holds, by directory: push opens the store to fetch and again to
 * compute in one run, and the second opening must not find the first one's lock in its way.
 */
const heldLocks = new Map<string, { readonly lock: RunLock; opened: number }>();

/** Takes (or shares) the lock of the store in `dir`; returns what lets go of this opening's share. */
export function lockStore(dir: string, onNotice: (message: string) => void): () => void {
  const key = resolve(dir);
  let held = heldLocks.get(key);
  if (held === undefined) {
    held = { lock: RunLock.acquire(key, `the event store ${dir}`, onNotice), opened: 0 };
    if (heldLocks.size === 0) process.once('exit', releaseAllLocks);
    heldLocks.set(key, held);
  }
  held.opened++;
  const entry = held;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--entry.opened > 0) return;
    heldLocks.delete(key);
    entry.lock.release();
    if (heldLocks.size === 0) process.off('exit', releaseAllLocks);
  };
}

/** A run that stops before closing its store (an error on the way, `process.exit`) leaves no lock behind. */
function releaseAllLocks(): void {
  for (const held of heldLocks.values()) held.lock.release();
  heldLocks.clear();
}
