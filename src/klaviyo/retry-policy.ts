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

/** Retry-After is whole seconds on a 429; a missing, zero or odd value still waits one second. */
export function retryAfterMs(header: string | null, tuning: PushTuning): number {
  const seconds = Number(header);
  return Math.max(1, Number.isFinite(seconds) ? Math.ceil(seconds) : 1) * tuning.retryAfterUnitMs;
}
