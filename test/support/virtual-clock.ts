/**
 * A clock whose sleeps take no real time: they move "now" forward and yield to the event loop. The
 * push runs with Klaviyo's real pacing (150/min, Retry-After >= 1 s, back-off from 1 s) in an instant.
 */
import { setImmediate } from 'node:timers/promises';
import type { Clock } from '../../src/klaviyo/clock.js';

export class VirtualClock implements Clock {
  /** Virtual milliseconds slept in total. */
  slept = 0;
  readonly sleeps: number[] = [];
  #random = 0.5;

  /** Starts at the real time (the stand-in stamps jobs with real time) and then moves only by sleeps. */
  readonly #start = Date.now();

  now(): number {
    return this.#start + this.slept;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return;
    this.slept += Math.max(0, ms);
    this.sleeps.push(ms);
    await setImmediate();
  }

  random(): number {
    return this.#random;
  }
}
