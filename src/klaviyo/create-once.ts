/**
 * Creating a named resource at most once, for Create Flow and Create Segment (100 a day each, so a
 * blind retry may spend the day's allowance on duplicates). Before creating, the name is looked up;
 * after an ambiguous failure (a timeout, a lost answer, a 5xx, which may have created it), it is
 * looked up again before anything is resent. A 429 created nothing and waits out Retry-After. Any
 * other refusal is returned as it is, for the caller to explain: it is not retried.
 */
import { BackfillError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import { nameFilter, pacedHttp, pagedResources, resourceId, type KlaviyoClientOptions, type RateLimit } from './api-client.js';
import { describeAttempt, failed, gaveUp, isRetryable, type KlaviyoHttp } from './http.js';

export type CreateOutcome =
  | { readonly kind: 'created'; readonly id: string }
  /** A resource of that name was there already: nothing was sent. */
  | { readonly kind: 'exists'; readonly id: string }
  | { readonly kind: 'refused'; readonly status: number; readonly message: string };

export interface CreateOnce {
  readonly name: string;
  readonly path: string;
  readonly body: unknown;
  /** The id of a resource with this name, if there is one. */
  readonly find: (name: string) => Promise<string | undefined>;
}

export async function createOnce(http: KlaviyoHttp, request: CreateOnce): Promise<CreateOutcome> {
  const existing = await request.find(request.name);
  if (existing !== undefined) return { kind: 'exists', id: existing };
  const url = http.url(request.path);
  const text = JSON.stringify(request.body);
  for (let attempt = 1; ; attempt++) {
    const result = await http.once('POST', url, text);
    if (result.kind === 'response' && result.status >= 200 && result.status < 300) {
      const id = resourceId((result.body as { data?: unknown } | undefined)?.data);
      if (id === undefined) throw new BackfillError('KLAVIYO_UNEXPECTED', `Klaviyo created ${request.name} but sent no id`);
      return { kind: 'created', id };
    }
    if (result.kind === 'unreadable') {
      // Not Klaviyo's JSON (a proxy's page) or too large: it may have been created all the same.
      const made = await request.find(request.name);
      if (made !== undefined) return { kind: 'created', id: made };
      throw failed('POST', url, result);
    }
    if (!isRetryable(result)) return { kind: 'refused', status: result.kind === 'response' ? result.status : 0, message: redactSecrets(describeAttempt(result)) };
    if (!(result.kind === 'response' && result.status === 429)) {
      const made = await request.find(request.name);
      if (made !== undefined) return { kind: 'created', id: made };
    }
    if (attempt >= http.context.tuning.maxAttempts) throw gaveUp('POST', url, result, attempt);
    await http.backoff(attempt, result, `POST ${url.pathname}`);
  }
}

/** A collection whose members are found by exact name (Get Flows, Get Segments) and created by POST to the same path. */
export interface NamedCollection {
  readonly path: string;
  /** The JSON:API type, for the sparse fieldset `fields[<type>]=name`. */
  readonly type: string;
  /** The collection's read limits; creates share the tuning's create limits (1/s, 15/min). */
  readonly readLimits: RateLimit;
}

/** `(name, body) => outcome`: creates unless one of that name exists, paced, never resent blindly. */
export function namedCreator(options: KlaviyoClientOptions, collection: NamedCollection): (name: string, body: unknown) => Promise<CreateOutcome> {
  const reads = pacedHttp(options, collection.readLimits);
  const creates = pacedHttp(options, { burst: options.tuning.createBurst, perMinute: options.tuning.createPerMinute });
  const find = async (name: string): Promise<string | undefined> => {
    for await (const resource of pagedResources(reads, collection.path, { filter: nameFilter(name), [`fields[${collection.type}]`]: 'name' })) {
      const id = resourceId(resource);
      if (id !== undefined) return id;
    }
    return undefined;
  };
  return (name, body) => createOnce(creates, { name, path: collection.path, body, find });
}
