/**
 * Requests to Klaviyo on Node's own `fetch`: the headers every call needs, a timeout on every call
 * (the whole answer, body included), a size limit on every answer, pacing through the shared token
 * bucket, and a retry loop for reads. Creates are retried by their caller, which has to find out
 * whether an ambiguous failure created a job before it may resend. An answer no retry can make
 * readable (a 2xx that is not JSON, one too large to hold) is not retried.
 */
import { BackfillError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import type { Clock } from './clock.js';
import { apiErrors, describeErrors } from './error-envelope.js';
import { backoffMs, describeRetryAfter, type RetryAfter, retryAfterOf, retryBudgetMs, type RetryWave, RETRYABLE_STATUSES } from './retry-policy.js';
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
  /** `body`: the parsed JSON; the text itself when a non-2xx answer is not JSON (a proxy's error page). */
  | { readonly kind: 'response'; readonly status: number; readonly body: unknown; readonly retryAfter?: RetryAfter }
  | { readonly kind: 'network'; readonly reason: string }
  /**
   * An answer sending again would not change: a 2xx that is not a JSON document (an HTML page from a
   * proxy, a captive portal or a wrong KLAVIYO_BASE_URL), or an answer over `maxResponseBytes`.
   */
  | { readonly kind: 'unreadable'; readonly status: number; readonly problem: 'not-json' | 'too-large'; readonly detail: string };

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
    // One timer for the whole answer, body included, cleared once it is read (see readBody).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), tuning.requestTimeoutMs);
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
        signal: deadline.signal,
      });
      const { status } = response;
      const bytes = await readBody(response, tuning.maxResponseBytes, deadline.signal);
      if (bytes === undefined) return { kind: 'unreadable', status, problem: 'too-large', detail: `over ${megabytes(tuning.maxResponseBytes)}` };
      const retryAfter = status === 429 ? retryAfterOf(response.headers.get('retry-after'), tuning) : undefined;
      if (retryAfter !== undefined) bucket.holdUntil(clock.now() + retryAfter.waitMs);
      const text = bytes.toString('utf8');
      const json = parseJson(text);
      if (status >= 200 && status < 300 && (json === null || typeof json !== 'object')) {
        return { kind: 'unreadable', status, problem: 'not-json', detail: describeNotJson(response.headers.get('content-type'), text) };
      }
      return { kind: 'response', status, body: json === undefined && text !== '' ? text : json, ...(retryAfter !== undefined ? { retryAfter } : {}) };
    } catch (error) {
      return { kind: 'network', reason: describeNetworkError(error, deadline.signal.aborted, tuning.requestTimeoutMs) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** GET with retries: 429 waits out Retry-After, 5xx/524/network back off; other statuses throw. */
  async getJson(target: string, query: Record<string, string> = {}): Promise<unknown> {
    const answer = await this.get(target, query);
    if (!answer.ok) throw failed('GET', answer.url, answer.result);
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
      this.retries++;
      await this.backoff(attempt, result, `GET ${url.pathname}`);
    }
  }

  /** Waits before try `attempt + 1`. After a 429 the bucket already holds every request, so nothing more. */
  async backoff(attempt: number, result: Attempt, request: string): Promise<void> {
    const { tuning, clock, stop, onWait, onRetry } = this.#context;
    if (result.kind === 'response' && result.status === 429) return;
    if (attempt === 1) onRetry?.({ request, cause: describeAttempt(result), triesLeft: tuning.maxAttempts - 1, upToMs: retryBudgetMs(tuning) });
    const ms = backoffMs(attempt, tuning, clock.random());
    onWait?.(ms, 'backoff');
    await clock.sleep(ms, stop);
    if (stop.aborted) throw interrupted();
  }
}

export function isRetryable(result: Attempt): boolean {
  if (result.kind === 'unreadable') return false;
  return result.kind === 'network' || result.status === 429 || RETRYABLE_STATUSES.has(result.status);
}

export function describeAttempt(result: Attempt): string {
  if (result.kind === 'network') return result.reason;
  if (result.kind === 'unreadable') return `HTTP ${result.status}, ${result.problem === 'too-large' ? `an answer ${result.detail}` : `not JSON: ${result.detail}`}`;
  const errors = apiErrors(result.status, result.body);
  const what = errors.length > 0 ? `${result.status} ${describeErrors(errors)}` : `HTTP ${result.status}${typeof result.body === 'string' ? `, not JSON (${describeText(result.body)})` : ''}`;
  return `${what}${describeRetryAfter(result.retryAfter)}`;
}

/**
 * The scopes a private key needs for each endpoint this tool calls (SPEC: each operation's
 * `x-klaviyo-scopes`). A push creates jobs, then polls them and reads their import errors: it needs
 * all four of profiles:write, lists:write, profiles:read and lists:read.
 */
export function scopesFor(method: string, pathname: string): string {
  if (pathname.startsWith('/api/profile-bulk-import-jobs')) {
    const push = 'a push needs profiles:write, lists:write, profiles:read and lists:read';
    return method === 'POST' ? `profiles:write and lists:write (${push})` : `profiles:read and lists:read, to poll the import jobs and read their import errors (${push})`;
  }
  const scopes: Readonly<Record<string, string>> = {
    '/api/profiles': 'profiles:read',
    '/api/profile-import': 'profiles:write',
    '/api/metrics': 'metrics:read',
    '/api/events': 'events:read',
    '/api/flows': method === 'POST' ? 'flows:write' : 'flows:read',
    '/api/segments': method === 'POST' ? 'segments:write' : 'segments:read',
  };
  return scopes[pathname] ?? 'profiles:write, lists:write, profiles:read and lists:read';
}

/** The error for an attempt that is neither a success nor worth another try. */
export function failed(method: string, url: URL, result: Attempt): BackfillError {
  if (result.kind !== 'unreadable') return refused(method, url, result);
  if (result.problem === 'too-large') {
    return new BackfillError('KLAVIYO_TOO_LARGE', redactSecrets(`Klaviyo's answer to ${method} ${url.pathname} is ${result.detail}, more than a run holds in memory`), {
      hint: 'Nothing was read from it. If this persists, a proxy or Klaviyo is sending far more than the request asked for.',
    });
  }
  return new BackfillError('KLAVIYO_UNAVAILABLE', redactSecrets(`Klaviyo did not answer ${method} ${url.pathname} with JSON: HTTP ${result.status} with ${result.detail}`), {
    hint: `${notJsonHint(url)} Run again once it is fixed.`,
  });
}

function notJsonHint(url: URL): string {
  return `Klaviyo's API always answers JSON: a proxy (a login page, a filter) or a wrong KLAVIYO_BASE_URL (${url.origin}) is the likely cause.`;
}

export function refused(method: string, url: URL, result: Attempt): BackfillError {
  const status = result.kind === 'response' ? result.status : 0;
  const hint =
    status === 401 || status === 403
      ? `Check the private API key (KLAVIYO_API_KEY or --api-key-file) and its scopes: ${scopesFor(method, url.pathname)}.`
      : status === 410
        ? 'The API revision is retired; pass a current one with --revision.'
        : result.kind === 'response' && typeof result.body === 'string'
          ? notJsonHint(url)
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

/**
 * The answer's bytes, or undefined when there are more than `limit` (the rest is not downloaded).
 * When `deadline` aborts, the body is cancelled here: fetch's own signal does not reliably reach a body
 * under way (undici holds its link to the signal weakly; once collected, with `redirect: 'error'` at
 * least, a body that drips a byte at a time was never timed out).
 */
async function readBody(response: Response, limit: number, deadline: AbortSignal): Promise<Buffer | undefined> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel().catch(() => {});
    return undefined;
  }
  if (response.body === null) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  deadline.addEventListener('abort', cancel);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      // A cancelled read ends as if the body had: only the deadline tells them apart.
      if (deadline.aborted) throw new DOMException('the answer took too long', 'TimeoutError');
      if (done) return Buffer.concat(chunks, size);
      size += value.byteLength;
      if (size > limit) {
        cancel();
        return undefined;
      }
      chunks.push(value);
    }
  } finally {
    deadline.removeEventListener('abort', cancel);
  }
}

/** The parsed JSON; undefined for an empty or non-JSON text. */
function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeNotJson(contentType: string | null, text: string): string {
  return `${text === '' ? 'an empty answer' : describeText(text)}${contentType !== null && contentType !== '' ? ` (${contentType.split(';')[0]!.trim()})` : ''}`;
}

/** What a text that is not JSON looks like, in a few words (never the whole of it: it may be large). */
function describeText(text: string): string {
  if (/^\s*<(!doctype html|html|head|body)\b/i.test(text)) return 'an HTML page';
  const start = text.trim().slice(0, 40).replace(/\s+/g, ' ');
  return `text starting ${JSON.stringify(start)}`;
}

function megabytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${bytes} bytes`;
}

function describeNetworkError(error: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut || (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))) return `no complete answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `network error (${detail})`;
}
