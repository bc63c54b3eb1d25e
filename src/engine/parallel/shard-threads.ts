/**
 * One shard of the profiles (core/profile-shards.ts) computed on a worker thread (shard-worker.ts):
 * its pieces are moved there, not copied; it answers whether some profile is known only by phone,
 * and then, once told whether the CSV has a phone column, sends its lines in key order.
 */
import type { Worker } from 'node:worker_threads';
import { startWorkerAhead } from './worker-ahead.js';
import type { PortableComputation } from '../../domain/computation.js';
import { accumulatedArrays, type AccumulatedPart } from '../profiles/profile-accumulator.js';
import type { CsvLines } from '../../io/profiles-csv.js';

/** The worker's first message: the shard to compute. */
export interface ShardTask {
  readonly computation: PortableComputation;
  readonly pieces: readonly AccumulatedPart[];
}

/** The worker's second message: write the lines, with or without the phone column. */
export interface ShardWrite {
  readonly withPhone: boolean;
}

export type ShardReply =
  | { readonly kind: 'prepared'; readonly withPhone: boolean; readonly profileCount: number }
  | { readonly kind: 'lines'; readonly lines: CsvLines }
  | { readonly kind: 'done' }
  | { readonly kind: 'failed'; readonly reason: string };

/** The buffers of a chunk of lines, which `postMessage` moves. */
export function linesArrays(lines: CsvLines): ArrayBuffer[] {
  return [lines.bytes, lines.lineEnds, lines.keyUnits, lines.keyEnds].map((array) => array.buffer as ArrayBuffer);
}

export interface ShardThread {
  /** Whether some profile of the shard is known only by phone, and how many profiles it has. */
  readonly prepared: Promise<{ readonly withPhone: boolean; readonly profileCount: number }>;
  /** The shard's lines in key order, `withPhone` as the whole CSV has it. */
  lines(withPhone: boolean): AsyncIterator<CsvLines>;
  stop(): Promise<void>;
}

/** A started thread waiting for its shard: give it the task (made only then) to compute. */
export type IdleShardThread = (task: () => ShardTask) => ShardThread;

/**
 * The threads a run computes its shards on besides this one: first the threads that read the
 * later parts of a large export (`adopt`), whose code is loaded and warm; then, if more are wanted,
 * new ones. Idle, they never keep the process alive: a run that stops early leaves none behind.
 */
export class ShardThreads {
  readonly #wanted: number;
  /** Started or adopted, waiting for a shard; unref'd. */
  readonly #waiting: Worker[] = [];
  #started = 0;

  /** `wanted`: threads besides this one (the shards less one). */
  constructor(wanted: number) {
    this.#wanted = wanted;
  }

  /**
   * Takes a thread that has read a part of the export and can compute a shard next (its code is
   * loaded and warm): true when it is wanted, else the caller stops it.
   */
  adopt(worker: Worker): boolean {
    if (this.#started >= this.#wanted) return false;
    worker.unref();
    this.#started++;
    this.#waiting.push(worker);
    return true;
  }

  /** A thread for the next shard, or undefined when no more can be had (then it is computed here). */
  take(): IdleShardThread | undefined {
    let worker = this.#waiting.shift();
    if (worker === undefined && this.#started < this.#wanted) {
      worker = startWorkerAhead(new URL('./shard-worker.js', import.meta.url));
      // None to be had: this shard and the rest are computed here.
      this.#started = worker === undefined ? this.#wanted : this.#started + 1;
    }
    return worker === undefined ? undefined : (task) => shardThread(worker, task());
  }

  /** Stops the threads never given a shard, and starts none after: a run that computes its rows here (push, diff) has no use for them. */
  async release(): Promise<void> {
    this.#started = this.#wanted;
    await Promise.all(this.#waiting.splice(0).map((worker) => worker.terminate()));
  }
}

function shardThread(worker: Worker, task: ShardTask): ShardThread {
  // Idle, it was unref'd; with a task, the run waits on it and must stay alive for it.
  worker.ref();
  const queued: CsvLines[] = [];
  let finished = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let answer: ((prepared: { withPhone: boolean; profileCount: number }) => void) | undefined;
  let refuse: ((error: Error) => void) | undefined;
  const prepared = new Promise<{ withPhone: boolean; profileCount: number }>((resolve, reject) => {
    answer = resolve;
    refuse = reject;
  });
  // Nothing may be left unhandled if the run stops before asking.
  prepared.catch(() => {});
  const fail = (reason: string) => {
    failure ??= new Error(`a thread computing profiles failed: ${reason}`);
    refuse?.(failure);
    wake?.();
  };
  worker.on('message', (reply: ShardReply) => {
    if (reply.kind === 'prepared') answer?.({ withPhone: reply.withPhone, profileCount: reply.profileCount });
    else if (reply.kind === 'lines') queued.push(asBufferLines(reply.lines));
    else if (reply.kind === 'done') finished = true;
    else fail(reply.reason);
    wake?.();
  });
  worker.once('error', (error) => fail(error.message));
  worker.once('exit', (code) => {
    if (!finished) fail(`it stopped (exit code ${code})`);
  });
  worker.postMessage(task, task.pieces.flatMap(accumulatedArrays).map((array) => array.buffer as ArrayBuffer));
  return {
    prepared,
    lines(withPhone) {
      worker.postMessage({ withPhone } satisfies ShardWrite);
      return {
        async next(): Promise<IteratorResult<CsvLines>> {
          for (;;) {
            const lines = queued.shift();
            if (lines !== undefined) return { done: false, value: lines };
            if (failure !== undefined) throw failure;
            if (finished) return { done: true, value: undefined };
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
          }
        },
      };
    },
    async stop() {
      finished = true;
      await worker.terminate();
    },
  };
}

/** Lines as they arrive from another thread, where the bytes are a plain Uint8Array. */
function asBufferLines(lines: CsvLines): CsvLines {
  const { bytes } = lines;
  return { ...lines, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}
