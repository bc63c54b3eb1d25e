/**
 * Requests to Klaviyo on Node's own `fetch`: the headers every call needs, a timeout on every call,
 * pacing through the shared token bucket, and a retry loop for reads. Creates are retried by their
 * caller, which has to find out whether an ambiguous failure created a job before it may resend.
 */
import { BackfillError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import type { Clock } from './clock.js';
import { apiErrors, describeErrors } from './error-envelope.js';
import { backoffMs, retryBudgetMs, type RetryWave, RETRYABLE_STATUSES, retryAfterMs } from './retry-policy.js';
import type { TokenBucket } from './token-bucket.js';
import type { PushTuning } from './tuning.js';

export const DEFAULT_BASE_URL = 'https://a.klaviyo.com';
/** The revision the request shapes were checked against (Klaviyo's OpenAPI spec, 2026-07-15). */
export const DEFAULT_REVISION = '2026-07-15';
const MEDIA_TYPE = 'application/vnd.api+json';

export interface KlaviyoConnection {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly revision: string;
}

export type WaitReason = 'rate-limit' | 'retry-after' | 'backoff';

export interface HttpContext {
  readonly connection: KlaviyoConnection;
  readonly tuning: PushTuning;
  readonly clock: Clock;
  readonly bucket: TokenBucket;
  /** Ctrl-C: no new request starts once it aborts; the one in flight finishes. */
  readonly stop: AbortSignal;
  readonly onWait?: (ms: number, reason: WaitReason) => void;
  /** The first back-off of a request: a run not on a terminal says once what it is retrying, and for how long. */
  readonly onRetry?: (wave: RetryWave) => void;
}

export type Attempt =
  | { readonly kind: 'response'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'network'; readonly reason: string };

export class KlaviyoHttp {
  readonly #context: HttpContext;
  readonly #origin: string;
  /** Requests sent (every try counts) and tries after a failure, for `--json` fetch reports. */
  requests = 0;
  retries = 0;

  constructor(context: HttpContext) {
    this.#context = context;
    this.#origin = new URL(context.connection.baseUrl).origin;
  }

  get context(): HttpContext {
    return this.#context;
  }

  /** A path under the base URL, or a `links.next` URL, which must stay on Klaviyo's origin: it gets the key. */
  url(target: string, query: Record<string, string> = {}): URL {
    const url = target.startsWith('/') ? new URL(target, this.#context.connection.baseUrl) : new URL(target);
    if (url.origin !== this.#origin) {
      throw new BackfillError('KLAVIYO_UNEXPECTED', `Klaviyo linked to ${url.origin}, not ${this.#origin}; not following it with the API key`, {
      });
    }
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return url;
  }

  /** One paced request. Throws only when stopped before it was sent. */
  async once(method: 'GET' | 'POST', url: URL, body?: string): Promise<Attempt> {
    const { connection, tuning, clock, bucket, stop, onWait } = this.#context;
    if (!(await bucket.take(stop, onWait))) throw interrupted();
    this.requests++;
    try {
      const response = await fetch(url, {
        method,
        headers: {
          Authorization: `Klaviyo-API-Key ${connection.apiKey}`,
          revision: connection.revision,
          Accept: MEDIA_TYPE,
          ...(body !== undefined ? { 'Content-Type': MEDIA_TYPE } : {}),
        },
        ...(body !== undefined ? { body } : {}),
        // A redirect would carry the key somewhere we did not choose.
        redirect: 'error',
        signal: AbortSignal.timeout(tuning.requestTimeoutMs),
      });
      const text = await response.text();
      if (response.status === 429) bucket.holdUntil(clock.now() + retryAfterMs(response.headers.get('retry-after'), tuning));
      return { kind: 'response', status: response.status, body: parseJson(text) };
    } catch (error) {
      return { kind: 'network', reason: describeNetworkError(error, tuning.requestTimeoutMs) };
    }
  }

  /** GET with retries: 429 waits out Retry-After, 5xx/524/network back off; other statuses throw. */
  async getJson(target: string, query: Record<string, string> = {}): Promise<unknown> {
    const answer = await this.get(target, query);
    if (!answer.ok) throw refused('GET', answer.url, answer.result);
    return answer.body;
  }

  /** The same retries, but a refusal (a 4xx other than 429) is returned, for callers that can recover from one. */
  async get(target: string, query: Record<string, string> = {}): Promise<{ ok: true; body: unknown } | { ok: false; url: URL; result: Attempt }> {
    const url = this.url(target, query);
    for (let attempt = 1; ; attempt++) {
      const result = await this.once('GET', url);
      if (result.kind === 'response' && result.status >= 200 && result.status < 300) return { ok: true, body: result.body };
      if (!isRetryable(result)) return { ok: false, url, result };
      if (attempt >= this.#context.tuning.maxAttempts) throw gaveUp('GET', url, result, attempt);
      await this.backoff(attempt, result, `GET ${url.pathname}`);
    }
  }

  /**
   * Waits before try `attempt + 1`, counted as a retry; the first one of a request is announced
   * whatever failed, a 429 too. After a 429 the bucket already holds every request, so nothing more.
   */
  async backoff(attempt: number, result: Attempt, request: string): Promise<void> {
    const { tuning, clock, stop, onWait, onRetry } = this.#context;
    this.retries++;
    if (attempt === 1) onRetry?.({ request, cause: describeAttempt(result), triesLeft: tuning.maxAttempts - 1, upToMs: retryBudgetMs(tuning) });
    if (result.kind === 'response' && result.status === 429) return;
    const ms = backoffMs(attempt, tuning, clock.random());
    onWait?.(ms, 'backoff');
    await clock.sleep(ms, stop);
    if (stop.aborted) throw interrupted();
  }
}

export function isRetryable(result: Attempt): boolean {
  return result.kind === 'network' || result.status === 429 || RETRYABLE_STATUSES.has(result.status);
}

export function describeAttempt(result: Attempt): string {
  if (result.kind === 'network') return result.reason;
  const errors = apiErrors(result.status, result.body);
  return errors.length > 0 ? `${result.status} ${describeErrors(errors)}` : `HTTP ${result.status}`;
}

/** The scope a private key needs for each endpoint this tool calls (SPEC: each operation's `x-klaviyo-scopes`). */
const SCOPES: Readonly<Record<string, string>> = {
  '/api/profiles': 'profiles:read',
  '/api/metrics': 'metrics:read',
  '/api/events': 'events:read',
};

export function refused(method: string, url: URL, result: Attempt): BackfillError {
  const status = result.kind === 'response' ? result.status : 0;
  const hint =
    status === 401 || status === 403
      ? `Check the private API key (KLAVIYO_API_KEY or --api-key-file) and its scopes: ${SCOPES[url.pathname] ?? 'profiles:write and lists:write'}.`
      : status === 410
        ? 'The API revision is retired; pass a current one with --revision.'
        : undefined;
  return new BackfillError('KLAVIYO_REFUSED', redactSecrets(`Klaviyo refused ${method} ${url.pathname}: ${describeAttempt(result)}`), {
    ...(hint !== undefined ? { hint } : {}),
  });
}

export function gaveUp(method: string, url: URL, result: Attempt, attempts: number): BackfillError {
  return new BackfillError('KLAVIYO_UNAVAILABLE', redactSecrets(`gave up on ${method} ${url.pathname} after ${attempts} tries: ${describeAttempt(result)}`));
}

export function interrupted(): BackfillError {
  return new BackfillError('INTERRUPTED', 'interrupted');
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no response within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `network error (${detail})`;
}
