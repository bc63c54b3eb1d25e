/**
 * A worker thread started ahead of its work, so that it loads its code meanwhile (part-threads.ts
 * starts readers while the cut is looked for; shard-threads.ts starts a shard's thread). Waiting,
 * it is unref'd: it must not keep alive a run that stops before giving it work. Whoever gives it
 * work refs it, since the run then waits on it.
 */
import { Worker } from 'node:worker_threads';

/** The worker running `script`, or undefined when no thread can be had (the work is then done on this one). */
export function startWorkerAhead(script: URL): Worker | undefined {
  try {
    const worker = new Worker(script);
    worker.unref();
    return worker;
  } catch {
    return undefined;
  }
}
