/**
 * Time as the push sees it. Injected so the tests can run rate-limit waits and back-offs without
 * waiting for them; the system clock is the only one the CLI uses.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (without error) when `signal` aborts: a Ctrl-C never waits out a back-off. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** In [0, 1): the jitter source. */
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    if (ms <= 0 || signal?.aborted === true) return;
    await delay(ms, undefined, signal ? { signal } : {}).catch(() => {});
  },
  random: () => Math.random(),
};
