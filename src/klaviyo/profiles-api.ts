/**
 * Reading what Klaviyo holds, for `diff --against klaviyo`: GET /api/profiles (revision 2026-07-15)
 * filtered by `any(email,["a@x.com","b@y.com"])`, at most 100 addresses per filter (the largest
 * page, so one filter is usually one page), following `links.next` when Klaviyo pages anyway.
 *
 * Get Profiles has its own rate limits (75/s burst, 750/min steady), separate from the bulk-import
 * family's, so it gets its own token bucket. Only the email and custom properties are asked for
 * (sparse fieldsets), which keeps responses small.
 */
import type { PropertyValue, ProfileRow } from '../core/profiles.js';
import { BackfillError } from '../errors.js';
import { pacedHttp, type KlaviyoClientOptions } from './api-client.js';
import { PageTrail } from './page-trail.js';

const PROFILES_PATH = '/api/profiles';
/** Addresses per `any(email,[...])` filter, and Klaviyo's largest page for Get Profiles. */
export const EMAILS_PER_REQUEST = 100;
/** Get Profiles' limits without `additional-fields` (SPEC get_profiles, revision 2026-07-15). */
export const GET_PROFILES_LIMITS = { burst: 75, perMinute: 750 } as const;

export type ProfileReaderOptions = KlaviyoClientOptions;

/**
 * The properties Klaviyo holds for these emails (lower-cased), `columns` only; an email Klaviyo has
 * no profile for is absent from the result. Yields one page of profiles at a time.
 */
export async function* readKlaviyoProfiles(emails: readonly string[], columns: readonly string[], options: ProfileReaderOptions): AsyncGenerator<ProfileRow[]> {
  const http = pacedHttp(options, GET_PROFILES_LIMITS);
  const wanted = new Set(columns);
  for (let start = 0; start < emails.length; start += EMAILS_PER_REQUEST) {
    // URLSearchParams percent-encodes the whole filter: quotes, commas, brackets, `@` and a `+` in an address.
    const first = http.url(PROFILES_PATH, {
      filter: emailFilter(emails.slice(start, start + EMAILS_PER_REQUEST)),
      'fields[profile]': 'email,properties',
      'page[size]': String(EMAILS_PER_REQUEST),
    });
    const trail = new PageTrail(`GET ${PROFILES_PATH}`, first);
    for (let next: string | undefined = first.href; next !== undefined; ) {
      const body = (await http.getJson(next)) as { data?: unknown } | undefined;
      if (!Array.isArray(body?.data)) throw unexpected('a Get Profiles page without data');
      yield body.data.flatMap((resource) => profileRow(resource, wanted));
      next = trail.next(body);
    }
  }
}

/** `any(email,["a@x.com","b@y.com"])`: string literals must be quoted, or Klaviyo answers 400 "Invalid filter". */
export function emailFilter(emails: readonly string[]): string {
  return `any(email,[${emails.map((email) => `"${email.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}])`;
}

function profileRow(resource: unknown, wanted: ReadonlySet<string>): ProfileRow[] {
  const attributes = ((resource ?? {}) as { attributes?: { email?: unknown; properties?: unknown } }).attributes ?? {};
  if (typeof attributes.email !== 'string' || attributes.email === '') return [];
  const properties: Record<string, PropertyValue> = {};
  const held = attributes.properties;
  if (held !== null && typeof held === 'object') {
    for (const [name, value] of Object.entries(held as Record<string, unknown>)) {
      if (!wanted.has(name) || value === null || value === undefined || value === '') continue;
      // A list or boolean set by someone else is kept as its JSON text: it differs from what we would send.
      properties[name] = typeof value === 'number' || typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
  return [{ email: attributes.email.trim().toLowerCase(), properties }];
}

function unexpected(what: string): BackfillError {
  return new BackfillError('KLAVIYO_UNEXPECTED', `Klaviyo sent ${what}`);
}
