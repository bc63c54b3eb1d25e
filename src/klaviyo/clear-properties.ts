/**
 * Sending the clears of `push --incremental --clear-emptied`: one Create or Update Profile request
 * (POST /api/profile-import, revision 2026-07-15, scope `profiles:write`) per profile, whose
 * `meta.patch_properties.unset` removes its emptied windows' properties. One at a time, paced at that
 * endpoint's own limits (75/s burst, 750/min steady: 12.5 a second once the burst is spent).
 *
 * Removing a property is idempotent, so unlike a bulk job a clear whose answer was lost (a timeout, a
 * reset, a 5xx) is simply sent again. Each answer is written to the run log as it comes: 2xx means the
 * properties are gone (the state forgets them once the run ends); a 400, 409 or 422 whose errors all
 * point into the profile's attributes is that profile's failure (rejects file, tried again next night);
 * any other refusal (the key, a scope, the revision, the body's shape) would refuse every clear, so it
 * stops the run. A 429 waits out Retry-After; 5xx and network errors back off, and after the push's
 * number of tries the run stops with exit 4 (`--resume` sends what is left).
 */
import { unsetRequest } from '../core/emptied-windows.js';
import { pendingClears, type PushRunState, type RunLogEntry } from '../core/push-run-state.js';
import { apiErrors, describeErrors } from './error-envelope.js';
import { gaveUp, interrupted, isRetryable, refused, type Attempt, type KlaviyoHttp } from './http.js';
import type { PushTuning } from './tuning.js';

const PROFILE_IMPORT_PATH = '/api/profile-import';
/** Create or Update Profile's limits (SPEC create_or_update_profile, revision 2026-07-15). */
export const PROFILE_IMPORT_LIMITS = { burst: 75, perMinute: 750 } as const;

export interface ClearContext {
  /** Paced at PROFILE_IMPORT_LIMITS. */
  readonly http: KlaviyoHttp;
  readonly tuning: PushTuning;
  readonly state: PushRunState;
  /** Appends the entry to the run log, then applies it to `state`. */
  readonly record: (entry: RunLogEntry) => void;
  readonly onProgress?: () => void;
}

/** Sends every clear Klaviyo has not answered yet, in order. Throws (the run stops) as described above. */
export async function sendClears(context: ClearContext): Promise<void> {
  const url = context.http.url(PROFILE_IMPORT_PATH);
  for (const index of pendingClears(context.state)) {
    const body = JSON.stringify(unsetRequest(context.state.clears[index]!));
    for (let attempt = 1; ; attempt++) {
      if (context.http.context.stop.aborted) throw interrupted();
      const result = await context.http.once('POST', url, body);
      const answer = classify(result);
      if (answer === 'cleared') {
        context.record({ type: 'cleared', clear: index });
        break;
      }
      if (answer === 'retry') {
        if (attempt >= context.tuning.maxAttempts) throw gaveUp('POST', url, result, attempt);
        await context.http.backoff(attempt, result, `POST ${PROFILE_IMPORT_PATH}`);
        continue;
      }
      if (answer === 'refused') throw refused('POST', url, result);
      context.record({ type: 'clear-failed', clear: index, reason: answer.reason });
      break;
    }
    context.onProgress?.();
  }
}

type Answer = 'cleared' | 'retry' | 'refused' | { readonly reason: string };

/** Errors pointing here are about the profile itself (its email), not about the request. */
const PROFILE_POINTER = /^\/data\/attributes(\/|$)/;

function classify(result: Attempt): Answer {
  if (result.kind === 'response' && result.status >= 200 && result.status < 300) return 'cleared';
  if (isRetryable(result)) return 'retry';
  if (result.kind === 'response' && (result.status === 400 || result.status === 409 || result.status === 422)) {
    const errors = apiErrors(result.status, result.body);
    if (errors.length > 0 && errors.every((error) => error.pointer !== undefined && PROFILE_POINTER.test(error.pointer))) {
      return { reason: `Klaviyo refused the clear: ${describeErrors(errors)}` };
    }
  }
  return 'refused';
}
