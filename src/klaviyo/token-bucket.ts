/**
 * Pacing: a token bucket shared by every request to the bulk-import endpoints, which Klaviyo limits
 * together per account (10/s burst, 150/min steady; a fixed window for each). Refilling at the steady
 * rate with the burst as capacity keeps both windows under their limit. A 429 empties the bucket and
 * holds every request until Retry-After has passed: "immediate retries will always receive a 429".
 */
import type { Clock } from './clock.js';

export class TokenBucket {
  readonly #clock: Clock;
  readonly #capacity: number;
  readonly #msPerToken: number;
  #tokens: number;
  #updatedAt: number;
  #heldUntil = 0;

  constructor(clock: Clock, capacity: number, perMinute: number) {
    this.#clock = clock;
    this.#capacity = Math.max(1, capacity);
    this.#msPerToken = 60_000 / Math.max(perMinute, 1e-9);
    this.#tokens = this.#capacity;
    this.#updatedAt = clock.now();
  }

  /**
   * Waits for a token and takes it. Returns false when `signal` aborted the wait (no token taken).
   * `onWait` hears how long the wait will be, for the progress line.
   */
  async take(signal?: AbortSignal, onWait?: (ms: number, reason: 'rate-limit' | 'retry-after') => void): Promise<boolean> {
    for (;;) {
      if (signal?.aborted === true) return false;
      const now = this.#clock.now();
      this.#refill(now);
      if (now < this.#heldUntil) {
        onWait?.(this.#heldUntil - now, 'retry-after');
        await this.#clock.sleep(this.#heldUntil - now, signal);
        continue;
      }
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return true;
      }
      const wait = Math.ceil((1 - this.#tokens) * this.#msPerToken);
      onWait?.(wait, 'rate-limit');
      await this.#clock.sleep(wait, signal);
    }
  }

  /** After a 429: nothing goes out before `until`, and then only at the steady rate. */
  holdUntil(until: number): void {
    this.#refill(this.#clock.now());
    this.#heldUntil = Math.max(this.#heldUntil, until);
    this.#tokens = 0;
    this.#updatedAt = Math.max(this.#updatedAt, until);
  }

  #refill(now: number): void {
    if (now <= this.#updatedAt) return;
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#updatedAt) / this.#msPerToken);
    this.#updatedAt = now;
  }
}
