/**
 * Reading a metric's events: GET /api/events (revision 2026-07-15) filtered by metric id and, after
 * the first fetch, by datetime; oldest first (`sort=datetime`, so a run that stops can go on from
 * the last datetime it kept); with the profile included and only the fields the orders need (sparse
 * fieldsets keep a page small). Paced to Get Events' limits, 350/s burst and 3500/min steady.
 *
 * Page size: SPEC's description says 200 a page, its `page[size]` parameter says up to 1000, and the
 * later reference page says "up to 1000 with page[size]" (revisions from 2026-01-15). We ask for
 * 1000; if Klaviyo refuses the parameter, we ask again with its default, 200; a page too large to
 * hold is asked for again at 100, 10, then 1 event a page (the cursor stays); and whatever page size
 * Klaviyo answers with, `links.next` is followed as given, never to a page already read.
 */
import { BackfillError } from '../errors.js';
import { pacedHttp, type KlaviyoClientOptions } from './api-client.js';
import { describeAttempt, failed, type KlaviyoHttp } from './http.js';
import { PageTrail } from './page-trail.js';

const EVENTS_PATH = '/api/events';
export const GET_EVENTS_LIMITS = { burst: 350, perMinute: 3500 } as const;
export const PAGE_SIZE_ASKED = 1000;
/** Get Events' default page size, asked for when Klaviyo refuses the larger one. */
export const PAGE_SIZE_FALLBACK = 200;

/** One event as fetched: the order's raw material. */
export interface FetchedEvent {
  readonly id: string;
  /** ISO 8601 with offset, as Klaviyo sends it; null when Klaviyo has none. */
  readonly datetime: string | null;
  /** The included profile's email and phone, as Klaviyo holds them ('' when absent). */
  readonly email: string;
  readonly phone: string;
  readonly properties: unknown;
}

export interface EventQuery {
  readonly metricId: string;
  /** Only events at or after this instant (ISO 8601, UTC); undefined: the whole history. */
  readonly from: string | undefined;
}

export interface EventFetchCounters {
  requests: number;
  retries: number;
  pages: number;
  /** The page size Klaviyo accepted (after a fallback, PAGE_SIZE_FALLBACK). */
  pageSize: number;
}

/** `and(equals(metric_id,"RkXyZ1"),greater-or-equal(datetime,2024-01-01T00:00:00.000Z))`: strings quoted, datetimes not. */
export function eventFilter(query: EventQuery): string {
  const metric = `equals(metric_id,"${query.metricId.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}")`;
  return query.from === undefined ? metric : `and(${metric},greater-or-equal(datetime,${query.from}))`;
}

/** Page sizes tried in turn when a page is too large to hold; then one event is too large. */
const SMALLER_PAGE_SIZES = [100, 10, 1] as const;

/** The events, one page at a time, oldest first. `counters` is kept up to date as pages arrive. */
export async function* readEvents(query: EventQuery, options: KlaviyoClientOptions, counters: EventFetchCounters): AsyncGenerator<FetchedEvent[]> {
  const http = pacedHttp(options, GET_EVENTS_LIMITS);
  const first = http.url(EVENTS_PATH, {
    filter: eventFilter(query),
    include: 'profile',
    'fields[event]': 'datetime,event_properties',
    'fields[profile]': 'email,phone_number',
    sort: 'datetime',
    'page[size]': String(PAGE_SIZE_ASKED),
  });
  counters.pageSize = PAGE_SIZE_ASKED;
  const trail = new PageTrail(`GET ${EVENTS_PATH}`, first);
  // Resolves to undefined after the last page.
  let pending: Promise<unknown> = fetchPage(http, first, counters, { first: true, after: query.from ?? null });
  try {
    for (let page = await pending; page !== undefined; page = await pending) {
      const data = (page as { data?: unknown }).data;
      if (!Array.isArray(data)) throw new BackfillError('KLAVIYO_UNEXPECTED', 'Klaviyo sent a Get Events page without data');
      const events = eventsOfPage(data, (page as { included?: unknown }).included, counters.pages + 1);
      // The next page is asked for before this one is handed on: storing a page then overlaps the
      // wait for the next, so the rate limit, not the client, sets the pace. A links.next that leads
      // back to a page already read rejects it, after this page is handed on.
      pending = nextPage(trail, page, (url) => fetchPage(http, url, counters, { first: false, after: events.at(-1)?.datetime ?? null }));
      // A fetch stopped by the consumer must not leave a rejection nobody hears.
      pending.catch(() => {});
      counters.pages++;
      sync(http, counters);
      yield events;
    }
  } finally {
    sync(http, counters);
  }
}

/** The page `links.next` names; undefined after the last one. Async, so a cursor already followed rejects it. */
async function nextPage(trail: PageTrail, page: unknown, fetch: (url: URL) => Promise<unknown>): Promise<unknown> {
  const link = trail.next(page);
  return link === undefined ? undefined : fetch(new URL(link));
}

/**
 * One page, at a smaller size when it is too large to hold (the cursor stays; only `page[size]`
 * changes) or when Klaviyo refuses the size asked for. `after`: the datetime of the last event read,
 * to say where a page that cannot be read at all is.
 */
async function fetchPage(http: KlaviyoHttp, url: URL, counters: EventFetchCounters, where: { first: boolean; after: string | null }): Promise<unknown> {
  for (;;) {
    const answer = await http.get(url.href);
    if (answer.ok) return answer.body;
    const { result } = answer;
    const size = Number(url.searchParams.get('page[size]') ?? PAGE_SIZE_FALLBACK);
    if (result.kind === 'unreadable' && result.problem === 'too-large') {
      const smaller = SMALLER_PAGE_SIZES.find((candidate) => candidate < size);
      if (smaller === undefined) throw eventTooLarge(result.detail, where.after);
      url = withPageSize(url, (counters.pageSize = smaller));
      continue;
    }
    const badRequest = result.kind === 'response' && result.status === 400;
    // An older revision, or an account whose maximum is lower, refuses page[size]=1000: take the default.
    if (badRequest && size > PAGE_SIZE_FALLBACK && JSON.stringify(result.body ?? '').includes('page[size]')) {
      url = withPageSize(url, (counters.pageSize = PAGE_SIZE_FALLBACK));
      continue;
    }
    if (badRequest && where.first && !JSON.stringify(result.body ?? '').includes('page[size]')) {
      throw new BackfillError('KLAVIYO_REFUSED', `Klaviyo refused GET ${url.pathname}: ${describeAttempt(result)}`, {
        hint: 'Check --metric-id: Get Events takes the id of a metric of this account (custom metrics are not supported by its metric_id filter).',
      });
    }
    throw failed('GET', answer.url, result);
  }
}

function withPageSize(url: URL, size: number): URL {
  const smaller = new URL(url.href);
  smaller.searchParams.set('page[size]', String(size));
  return smaller;
}

function eventTooLarge(detail: string, after: string | null): BackfillError {
  const where = after === null ? 'the first event of the metric' : `the first event after ${after}`;
  return new BackfillError('KLAVIYO_TOO_LARGE', `Klaviyo's Get Events page is ${detail} even at one event a page: ${where} is larger than a run can hold`, {
    hint: `The events before it are stored. Look at its event properties in Klaviyo; until it is smaller, --refetch --since <a date after it> reads only the events after it.`,
  });
}

function sync(http: KlaviyoHttp, counters: EventFetchCounters): void {
  counters.requests = http.requests;
  counters.retries = http.retries;
}

/**
 * Joins each event to its profile in `included` (JSON:API: each profile once, however many events).
 * A page that names a profile it does not include (a proxy that drops `included`, an `include` lost on
 * the way) would store its events without their emails for good: it stops the fetch instead. An id
 * that is a whole number is read as its text; an event without a usable id is kept with '' as its
 * id, and the orders reading rejects it with the reason.
 */
export function eventsOfPage(data: readonly unknown[], included: unknown, pageNumber = 1): FetchedEvent[] {
  const profiles = new Map<string, { email: string; phone: string }>();
  if (Array.isArray(included)) {
    for (const resource of included as { type?: unknown; id?: unknown; attributes?: { email?: unknown; phone_number?: unknown } }[]) {
      if (resource?.type !== 'profile' || typeof resource.id !== 'string') continue;
      const attributes = resource.attributes ?? {};
      profiles.set(resource.id, {
        email: typeof attributes.email === 'string' ? attributes.email : '',
        phone: typeof attributes.phone_number === 'string' ? attributes.phone_number : '',
      });
    }
  }
  const events: FetchedEvent[] = [];
  let withoutIncludedProfile = 0;
  for (const item of data as ({ id?: unknown; attributes?: { datetime?: unknown; event_properties?: unknown }; relationships?: { profile?: { data?: { id?: unknown } | null } } } | null)[]) {
    const profileId = item?.relationships?.profile?.data?.id;
    const profile = typeof profileId === 'string' ? profiles.get(profileId) : undefined;
    if (typeof profileId === 'string' && profile === undefined) withoutIncludedProfile++;
    events.push({
      id: eventId(item?.id),
      datetime: typeof item?.attributes?.datetime === 'string' ? item.attributes.datetime : null,
      email: profile?.email ?? '',
      phone: profile?.phone ?? '',
      properties: item?.attributes?.event_properties ?? null,
    });
  }
  if (withoutIncludedProfile > 0) {
    throw new BackfillError('KLAVIYO_UNAVAILABLE', `Klaviyo's Get Events page ${pageNumber} names the profile of ${withoutIncludedProfile} of its ${data.length} events without including it: their orders would have no email`, {
      hint: 'Nothing of that page was stored (the pages before it were). Run again later; if it happens again, a proxy is likely dropping `included` (the request asks for include=profile).',
    });
  }
  return events;
}

/** Klaviyo's ids are text; a whole number is read as its digits. Anything else: '' (rejected when read as an order). */
function eventId(id: unknown): string {
  if (typeof id === 'string') return id;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return String(id);
  return '';
}
