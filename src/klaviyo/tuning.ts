/**
 * The numbers that pace a push (and every other Klaviyo request): Klaviyo's published limits, our retry
 * policy and the largest answer read. Only tests and the bench change them, through BACKFILL_PUSH_TUNING
 * (a JSON object of the timing fields); it is not a user setting and is not in --help.
 */
import { BackfillError } from '../errors.js';

export interface PushTuning {
  /** Token bucket for the bulk-import endpoint family: 10 requests/s burst, 150/min steady. */
  readonly burst: number;
  readonly perMinute: number;
  /** Create Flow and Create Segment: 1/s burst, 15/min steady (and 100 a day, so never retried blindly). */
  readonly createBurst: number;
  readonly createPerMinute: number;
  /** Every request is aborted after this long, its answer's body included. */
  readonly requestTimeoutMs: number;
  /** An answer larger than this is not read: it could not be held (a page is parsed whole). */
  readonly maxResponseBytes: number;
  /** Tries per request before the run gives up (exit 4, resumable). */
  readonly maxAttempts: number;
  /** Exponential back-off with jitter on 5xx, 524 and network errors: base x 2^n, capped. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** Milliseconds per second of Retry-After (1000; tests shrink it). Klaviyo may say 0: we wait 1 s at least. */
  readonly retryAfterUnitMs: number;
  readonly pollIntervalMs: number;
  /** How long to wait for jobs to finish before stopping (resumable) with exit 4. */
  readonly pollTimeoutMs: number;
  /** After an ambiguous create, a listed job counts as ours if created at most this long before we sent. */
  readonly createdAtToleranceMs: number;
}

export const DEFAULT_TUNING: PushTuning = {
  burst: 10,
  perMinute: 150,
  createBurst: 1,
  createPerMinute: 15,
  requestTimeoutMs: 60_000,
  // A Get Events page of 1,000 events is about 1 MB; two pages are held at once (the next is fetched
  // while one is stored), each parsed into several times its size, and Node cannot make a string of
  // more than 512 MB at all.
  maxResponseBytes: 128 * 1024 * 1024,
  maxAttempts: 8,
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
  retryAfterUnitMs: 1_000,
  // Klaviyo suggests polling a job every 5-10 s; polls share the 150/min budget with creates.
  pollIntervalMs: 5_000,
  pollTimeoutMs: 60 * 60_000,
  createdAtToleranceMs: 10 * 60_000,
};

export const TUNING_ENV = 'BACKFILL_PUSH_TUNING';

/**
 * What BACKFILL_PUSH_TUNING may change: how fast and how long (pacing, waits, timeouts), and how large
 * an answer may be (tests make a page too large without sending megabytes). Not how often a request
 * is tried, which decides when a run gives up rather than when it does things.
 */
const TIMING_FIELDS = [
  'burst',
  'perMinute',
  'createBurst',
  'createPerMinute',
  'requestTimeoutMs',
  'maxResponseBytes',
  'backoffBaseMs',
  'backoffMaxMs',
  'retryAfterUnitMs',
  'pollIntervalMs',
  'pollTimeoutMs',
  'createdAtToleranceMs',
] as const;

export function tuningFromEnv(env: NodeJS.ProcessEnv): PushTuning {
  const text = env[TUNING_ENV];
  if (text === undefined || text === '') return DEFAULT_TUNING;
  const bad = (why: string) =>
    new BackfillError('USAGE', `${TUNING_ENV} ${why}`, { hint: `It is for tests and the bench: a JSON object of ${TIMING_FIELDS.join(', ')}. Unset it for a real push.` });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw bad(`is not JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw bad('must be a JSON object');
  const tuning: Record<string, number> = { ...DEFAULT_TUNING };
  for (const [key, value] of Object.entries(parsed)) {
    if (!(TIMING_FIELDS as readonly string[]).includes(key)) throw bad(`has the field "${key}", which is not a timing field`);
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) throw bad(`field "${key}" must be a number, 0 or more`);
    tuning[key] = value;
  }
  return tuning as unknown as PushTuning;
}
