/**
 * Which failures are worth another try, and how long to wait first. Pure.
 * Klaviyo's guidance: retry 429 after Retry-After, retry 503 and friends with exponential back-off and
 * randomness. 500, 502 and 524 are retried too; for a create request they are "ambiguous" (a job may
 * exist), which the create path resolves by listing jobs before it resends.
 */
import type { PushTuning } from './tuning.js';

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504, 524]);

/** Attempt 1 waits about base, attempt 2 about 2 x base, ... capped; the wait is drawn from [d/2, 3d/2). */
export function backoffMs(attempt: number, tuning: PushTuning, random: number): number {
  const nominal = Math.min(tuning.backoffMaxMs, tuning.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(nominal * (0.5 + random));
}

/**
 * The longest Retry-After waited out at once, in seconds. Klaviyo's steady limits are per minute, so
 * its own Retry-After is at most 60; a longer one (a daily limit, a broken proxy: `1000000000`) is cut
 * to this, and the request is tried again, within its tries, which then end the run with exit 4.
 */
export const RETRY_AFTER_CAP_SECONDS = 60;

/** A 429's wait: what Retry-After asked for (whole seconds) and what is waited, never more than the cap. */
export interface RetryAfter {
  readonly askedSeconds: number;
  readonly waitMs: number;
}

/** Retry-After is whole seconds on a 429; a missing, zero or odd value still waits one second. */
export function retryAfterOf(header: string | null, tuning: PushTuning): RetryAfter {
  const seconds = Number(header);
  const asked = Math.max(1, Number.isFinite(seconds) ? Math.ceil(seconds) : 1);
  return { askedSeconds: asked, waitMs: Math.min(asked, RETRY_AFTER_CAP_SECONDS) * tuning.retryAfterUnitMs };
}

export function retryAfterMs(header: string | null, tuning: PushTuning): number {
  return retryAfterOf(header, tuning).waitMs;
}

/** `(Retry-After 1000000000 s; waiting 60 s at most)`, for a Retry-After that was cut; '' otherwise. */
export function describeRetryAfter(retryAfter: RetryAfter | undefined): string {
  if (retryAfter === undefined || retryAfter.askedSeconds <= RETRY_AFTER_CAP_SECONDS) return '';
  return ` (Retry-After ${retryAfter.askedSeconds} s; waiting ${RETRY_AFTER_CAP_SECONDS} s at most)`;
}

/** A request that failed and is being retried: what, why, and how long the retries can take at most. */
export interface RetryWave {
  /** `POST /api/profile-bulk-import-jobs` */
  readonly request: string;
  readonly cause: string;
  readonly triesLeft: number;
  readonly upToMs: number;
}

/** The longest all retries of one request can take: every back-off at its most, every try timing out. */
export function retryBudgetMs(tuning: PushTuning): number {
  let total = 0;
  for (let attempt = 1; attempt < tuning.maxAttempts; attempt++) {
    total += Math.min(tuning.backoffMaxMs, tuning.backoffBaseMs * 2 ** (attempt - 1)) * 1.5 + tuning.requestTimeoutMs;
  }
  return Math.round(total);
}

/** The line a run that is not on a terminal prints for a retry wave (a terminal shows it in the spinner). */
export function retryWaveLine(wave: RetryWave): string {
  const seconds = Math.ceil(wave.upToMs / 1000);
  const span = seconds >= 120 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
  return `backfill: ${wave.request} failed (${wave.cause}); retrying up to ${wave.triesLeft} more times for at most ${span}, then stopping with exit 4 (resumable)\n`;
}
