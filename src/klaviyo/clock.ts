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

/** Node's timers hold at most 2^31 - 1 ms; a longer one fires after 1 ms, with a warning, every time. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    for (let left = ms; left > 0 && signal?.aborted !== true; left -= LONGEST_TIMER_MS) {
      await delay(Math.min(left, LONGEST_TIMER_MS), undefined, signal ? { signal } : {}).catch(() => {});
    }
  },
  random: () => Math.random(),
};
