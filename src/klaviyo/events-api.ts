/**
 * Reading a metric's events: GET /api/events (revision 2026-07-15) filtered by metric id and, after
 * the first fetch, by datetime; oldest first (`sort=datetime`, so a run that stops can go on from
 * the last datetime it kept); with the profile included and only the fields the orders need (sparse
 * fieldsets keep a page small). Paced to Get Events' limits, 350/s burst and 3500/min steady.
 *
 * Page size: SPEC's description says 200 a page, its `page[size]` parameter says up to 1000, and the
 * later reference page says "up to 1000 with page[size]" (revisions from 2026-01-15). We ask for
 * 1000; if Klaviyo refuses the parameter, we ask again with its default, 200; and whatever page size
 * Klaviyo answers with, `links.next` is followed as given.
 */
import { BackfillError } from '../errors.js';
import { pacedHttp, type KlaviyoClientOptions } from './api-client.js';
import { describeAttempt, refused, type KlaviyoHttp } from './http.js';

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

/** The events, one page at a time, oldest first. `counters` is kept up to date as pages arrive. */
export async function* readEvents(query: EventQuery, options: KlaviyoClientOptions, counters: EventFetchCounters): AsyncGenerator<FetchedEvent[]> {
  const http = pacedHttp(options, GET_EVENTS_LIMITS);
  const first: Record<string, string> = {
    filter: eventFilter(query),
    include: 'profile',
    'fields[event]': 'datetime,event_properties',
    'fields[profile]': 'email,phone_number',
    sort: 'datetime',
    'page[size]': String(PAGE_SIZE_ASKED),
  };
  counters.pageSize = PAGE_SIZE_ASKED;
  let pending: Promise<unknown> | undefined = firstPage(http, first, counters);
  try {
    while (pending !== undefined) {
      const page = (await pending) as { data?: unknown; included?: unknown; links?: { next?: unknown } } | undefined;
      if (!Array.isArray(page?.data)) throw new BackfillError('KLAVIYO_UNEXPECTED', 'Klaviyo sent a Get Events page without data');
      const link = page.links?.next;
      // The next page is asked for before this one is handed on: storing a page then overlaps the
      // wait for the next, so the rate limit, not the client, sets the pace.
      pending = typeof link === 'string' && link !== '' ? http.getJson(link) : undefined;
      // A fetch stopped by the consumer must not leave a rejection nobody hears.
      pending?.catch(() => {});
      counters.pages++;
      sync(http, counters);
      yield eventsOfPage(page.data, page.included);
    }
  } finally {
    sync(http, counters);
  }
}

async function firstPage(http: KlaviyoHttp, query: Record<string, string>, counters: EventFetchCounters): Promise<unknown> {
  const answer = await http.get(EVENTS_PATH, query);
  if (answer.ok) return answer.body;
  const { result, url } = answer;
  // An older revision, or an account whose maximum is lower, refuses page[size]=1000: take the default.
  if (result.kind === 'response' && result.status === 400 && JSON.stringify(result.body ?? '').includes('page[size]')) {
    counters.pageSize = PAGE_SIZE_FALLBACK;
    const again = await http.get(EVENTS_PATH, { ...query, 'page[size]': String(PAGE_SIZE_FALLBACK) });
    if (again.ok) return again.body;
    throw refused('GET', again.url, again.result);
  }
  if (result.kind === 'response' && result.status === 400) {
    throw new BackfillError('KLAVIYO_REFUSED', `Klaviyo refused GET ${url.pathname}: ${describeAttempt(result)}`, {
      hint: 'Check --metric-id: Get Events takes the id of a metric of this account (custom metrics are not supported by its metric_id filter).',
    });
  }
  throw refused('GET', url, result);
}

function sync(http: KlaviyoHttp, counters: EventFetchCounters): void {
  counters.requests = http.requests;
  counters.retries = http.retries;
}

/** Joins each event to its profile in `included` (JSON:API: each profile once, however many events). */
export function eventsOfPage(data: readonly unknown[], included: unknown): FetchedEvent[] {
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
  for (const item of data as { id?: unknown; attributes?: { datetime?: unknown; event_properties?: unknown }; relationships?: { profile?: { data?: { id?: unknown } | null } } }[]) {
    if (typeof item?.id !== 'string') continue;
    const profileId = item.relationships?.profile?.data?.id;
    const profile = typeof profileId === 'string' ? profiles.get(profileId) : undefined;
    events.push({
      id: item.id,
      datetime: typeof item.attributes?.datetime === 'string' ? item.attributes.datetime : null,
      email: profile?.email ?? '',
      phone: profile?.phone ?? '',
      properties: item.attributes?.event_properties ?? null,
    });
  }
  return events;
}
