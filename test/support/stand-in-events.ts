/**
 * The stand-in's Get Metrics and Get Events side: a fixture account (metrics, and events with their
 * profiles) and the rules Klaviyo applies beyond the schema: the filter grammar (strings quoted,
 * datetimes not), the fields and include the client must ask for, the largest page size, and cursor
 * pages over events sorted by datetime. Kept apart from klaviyo-stand-in.ts, which routes requests here.
 */
import { metricsPage, type StandInMetric } from './stand-in-metrics.js';

export type AccountMetric = StandInMetric;

export interface AccountProfile {
  readonly id: string;
  readonly email: string | null;
  readonly phone: string | null;
}

export interface AccountEvent {
  readonly id: string;
  readonly metricId: string;
  /** ISO 8601 with offset, as Klaviyo sends it. */
  readonly datetime: string;
  readonly properties: Record<string, unknown> | null;
  readonly profile: AccountProfile | null;
}

export interface EventAccountOptions {
  /** A page[size] above this is refused with a 400 naming the parameter (default 1000, the spec's maximum). */
  readonly maxPageSize?: number;
  /** Pages hold at most this many events whatever was asked (default: as asked). */
  readonly servedPageSize?: number;
  /** Metrics per Get Metrics page (Klaviyo: 200; small here so the client must page). */
  readonly metricsPageSize?: number;
  /** The bench: the events do not change while it runs, so a filter's sorted events are kept between pages. */
  readonly fixedEvents?: boolean;
}

export class EventAccount {
  readonly metrics: AccountMetric[];
  /** Tests add events between runs (late arrivals, new orders). */
  readonly events: AccountEvent[];
  readonly options: EventAccountOptions;
  /** Each Get Events request's filter and page size, in order. */
  readonly eventRequests: { filter: string; pageSize: number | undefined; cursor: string | undefined }[] = [];

  constructor(metrics: AccountMetric[], events: AccountEvent[], options: EventAccountOptions = {}) {
    this.metrics = metrics;
    this.events = events;
    this.options = options;
  }

  #sorted: { key: string; events: AccountEvent[] } | undefined;

  /** The events a filter matches, oldest first; with `fixedEvents`, kept between pages (the bench pages through a million). */
  #matching(text: string, filter: { metricId: string; accepts: (ms: number) => boolean }): AccountEvent[] {
    const key = `${text}|${this.events.length}`;
    if (this.options.fixedEvents !== true || this.#sorted?.key !== key) {
      const events = this.events
        .filter((event) => event.metricId === filter.metricId && filter.accepts(Date.parse(event.datetime)))
        .sort((a, b) => Date.parse(a.datetime) - Date.parse(b.datetime) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      this.#sorted = { key, events };
    }
    return this.#sorted.events;
  }

  /** Get Metrics: every metric, a few a page. No name filter exists, so none may be sent. */
  metricsPage(query: Record<string, string>, baseUrl: string): [number, unknown] | string {
    if (query.filter !== undefined) return `get_metrics: the client sent filter=${query.filter}; Get Metrics cannot filter by name`;
    return [200, metricsPage(this.metrics, query, baseUrl, this.options.metricsPageSize ?? 2)];
  }

  /** Get Events: checks what the client asked, then one page of the matching events, oldest first. */
  eventsPage(query: Record<string, string>, baseUrl: string): [number, unknown] | string {
    const filter = parseEventFilter(query.filter);
    if (typeof filter === 'string') return `get_events: ${filter}`;
    if (query.include !== 'profile') return `get_events: include=${query.include}; the orders need include=profile`;
    if (query['fields[event]'] === undefined || !['datetime', 'event_properties'].every((f) => query['fields[event]']!.split(',').includes(f))) return `get_events: fields[event]=${query['fields[event]']}`;
    if (query['fields[profile]'] !== 'email,phone_number') return `get_events: fields[profile]=${query['fields[profile]']}`;
    if (query.sort !== 'datetime') return `get_events: sort=${query.sort}; a resumable fetch needs sort=datetime`;
    const asked = query['page[size]'] === undefined ? 200 : Number(query['page[size]']);
    this.eventRequests.push({ filter: query.filter!, pageSize: query['page[size]'] === undefined ? undefined : asked, cursor: query['page[cursor]'] });
    const max = this.options.maxPageSize ?? 1000;
    if (asked > max) {
      return [400, { errors: [{ id: 'page-size', status: 400, code: 'invalid', title: 'Invalid input.', detail: `page[size] must be between 1 and ${max}`, source: { parameter: 'page[size]' } }] }];
    }
    const size = Math.min(asked, this.options.servedPageSize ?? asked);
    const matching = this.#matching(query.filter!, filter);
    const offset = Number(query['page[cursor]'] ?? 0);
    const items = matching.slice(offset, offset + size);
    const keep = Object.fromEntries(Object.entries(query).filter(([key]) => key !== 'page[cursor]' && key !== 'page[size]'));
    const link = (cursor: number) => `${baseUrl}/api/events?${new URLSearchParams({ ...keep, 'page[size]': String(size), 'page[cursor]': String(cursor) })}`;
    const profiles = new Map<string, AccountProfile>();
    for (const event of items) if (event.profile !== null) profiles.set(event.profile.id, event.profile);
    return [
      200,
      {
        data: items.map((event) => ({
          type: 'event',
          id: event.id,
          attributes: { datetime: event.datetime, event_properties: event.properties },
          relationships: event.profile === null ? {} : { profile: { data: { type: 'profile', id: event.profile.id } } },
          links: { self: `${baseUrl}/api/events/${event.id}` },
        })),
        included: [...profiles.values()].map((profile) => ({
          type: 'profile',
          id: profile.id,
          attributes: { email: profile.email, phone_number: profile.phone },
          links: { self: `${baseUrl}/api/profiles/${profile.id}` },
        })),
        links: { self: link(offset), ...(offset + size < matching.length ? { next: link(offset + size) } : {}) },
      },
    ];
  }
}

const DATETIME = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})`;
const METRIC = /^equals\(metric_id,"([A-Za-z0-9]+)"\)$/;
const COMPARISON = new RegExp(`^(greater-or-equal|greater-than|less-or-equal|less-than)\\(datetime,(${DATETIME})\\)$`);

/**
 * `equals(metric_id,"X")`, alone or in `and(...)` with datetime comparisons. Klaviyo's grammar: string
 * values quoted, datetimes unquoted; the metric filter is required (the client reads one metric).
 */
export function parseEventFilter(filter: string | undefined): { metricId: string; accepts: (ms: number) => boolean } | string {
  if (filter === undefined) return 'no filter: the client must filter by metric_id';
  const terms = filter.startsWith('and(') && filter.endsWith(')') ? splitTerms(filter.slice(4, -1)) : [filter];
  let metricId: string | undefined;
  const tests: ((ms: number) => boolean)[] = [];
  for (const term of terms) {
    const metric = METRIC.exec(term);
    if (metric !== null) {
      metricId = metric[1];
      continue;
    }
    const comparison = COMPARISON.exec(term);
    if (comparison === null) return `Invalid filter provided: ${term}`;
    const bound = Date.parse(comparison[2]!);
    const op = comparison[1];
    tests.push(op === 'greater-or-equal' ? (ms) => ms >= bound : op === 'greater-than' ? (ms) => ms > bound : op === 'less-or-equal' ? (ms) => ms <= bound : (ms) => ms < bound);
  }
  if (metricId === undefined) return `no equals(metric_id,"...") in ${filter}`;
  return { metricId, accepts: (ms) => tests.every((t) => t(ms)) };
}

function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && c === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}
