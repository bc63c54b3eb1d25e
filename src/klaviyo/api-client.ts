/**
 * A paced client for one Klaviyo endpoint family: the connection, the shared timeouts and retry policy,
 * and a token bucket at that family's own published limits (each family is limited on its own).
 */
import type { Clock } from './clock.js';
import { KlaviyoHttp, type KlaviyoConnection, type WaitReason } from './http.js';
import { PageTrail } from './page-trail.js';
import { TokenBucket } from './token-bucket.js';
import type { RetryWave } from './retry-policy.js';
import type { PushTuning } from './tuning.js';

export interface KlaviyoClientOptions {
  readonly connection: KlaviyoConnection;
  /** Timeouts, retries, back-off and the create limits; its bulk-import burst and perMinute are not used here. */
  readonly tuning: PushTuning;
  readonly clock: Clock;
  readonly stop?: AbortSignal;
  readonly onWait?: (ms: number, reason: WaitReason) => void;
  /** The first retry of a request, for a notice where no progress line shows (cron). */
  readonly onRetry?: (wave: RetryWave) => void;
}

export interface RateLimit {
  readonly burst: number;
  readonly perMinute: number;
}

export function pacedHttp(options: KlaviyoClientOptions, limit: RateLimit): KlaviyoHttp {
  return new KlaviyoHttp({
    connection: options.connection,
    tuning: options.tuning,
    clock: options.clock,
    bucket: new TokenBucket(options.clock, limit.burst, limit.perMinute),
    stop: options.stop ?? new AbortController().signal,
    ...(options.onWait ? { onWait: options.onWait } : {}),
    ...(options.onRetry ? { onRetry: options.onRetry } : {}),
  });
}

/** Every resource of a paged collection (`links.next` until absent or null, never a page twice). */
export async function* pagedResources(http: KlaviyoHttp, path: string, query: Record<string, string>): AsyncGenerator<unknown> {
  const first = http.url(path, query);
  const trail = new PageTrail(`GET ${path}`, first);
  for (let next: string | undefined = first.href; next !== undefined; ) {
    const body = (await http.getJson(next)) as { data?: unknown } | undefined;
    if (!Array.isArray(body?.data)) return;
    yield* body.data;
    next = trail.next(body);
  }
}

/** A JSON:API resource's id and one attribute, when they are strings. */
export function resourceId(resource: unknown): string | undefined {
  const id = (resource as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

export function resourceAttribute(resource: unknown, name: string): unknown {
  return ((resource as { attributes?: Record<string, unknown> } | null)?.attributes ?? {})[name];
}

/** `equals(name,"...")`: Klaviyo's filter grammar quotes strings; a quote inside is escaped. */
export function nameFilter(name: string): string {
  return `equals(name,"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}")`;
}
