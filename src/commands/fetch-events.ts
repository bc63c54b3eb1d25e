/**
 * `--from klaviyo`, before anything is computed: bring the local event store up to date with the
 * metric's events. Only events newer than the store holds are asked for, less an overlap for events
 * that reach Klaviyo late (integrations sync with delays); what the overlap brings again is
 * recognised by its event id and not stored twice. Parts are written as the pages arrive, so a run
 * that is killed keeps what it had written and the next one goes on from there.
 */
import { dropEventsBefore } from '../core/event-retention.js';
import type { Definitions } from '../core/definitions.js';
import { BackfillError } from '../errors.js';
import { EventStore, eventKey, eventStoreDir } from '../io/event-store.js';
import { readEvents, type EventFetchCounters, type FetchedEvent } from '../klaviyo/events-api.js';
import type { KlaviyoClientOptions } from '../klaviyo/api-client.js';
import { findMetricByName, type MetricMatch } from '../klaviyo/metrics-api.js';

export type MetricChoice = { readonly name: string } | { readonly id: string };

/**
 * Events buffered before the first part is written; each next part may be twice as large, up to ten
 * times this. A kill loses at most the buffer (it is fetched again next time: at most 100 pages, two
 * seconds at Get Events' pace), and a first fetch of a million events makes 13 parts, not 100.
 */
export const DEFAULT_PART_EVENTS = 10_000;
const PART_GROWTH_LIMIT = 10;
/** Compaction rewrites the store as one part once it has more than this many (a few weeks of nightly parts after a first fetch). */
const MAX_PARTS = 32;

export interface FetchOptions {
  readonly reader: KlaviyoClientOptions;
  readonly metric: MetricChoice;
  /** `.backfill/` beside the config: the store is `events-<metric id>/` in it. */
  readonly stateDir: string;
  readonly refetch: boolean;
  /** Epoch ms: where a first fetch starts; undefined: the whole history. */
  readonly since: number | undefined;
  /** Each fetch starts this long before the newest event held. */
  readonly overlapMs: number;
  readonly partEvents?: number;
  /** What is computed from the store, for the retention rule (see core/event-retention.ts). */
  readonly definitions: Definitions;
  readonly onProgress?: (progress: FetchProgress) => void;
  /** A stale lock of the store taken over, a store of an earlier version sealed. */
  readonly onNotice?: (message: string) => void;
}

export interface FetchProgress {
  readonly eventsFetched: number;
  readonly pages: number;
  /** Epoch ms: where this fetch started (null: the beginning of the history) and the newest datetime fetched so far. */
  readonly from: number | null;
  readonly oldestFetched: number | null;
  readonly newestFetched: number | null;
}

/** What `--json` reports about the fetch. */
export interface FetchReport {
  readonly metricId: string;
  readonly metricName: string | null;
  readonly integration: string | null;
  readonly store: string;
  /** ISO: the lower bound asked of Klaviyo; null: the whole history. */
  readonly from: string | null;
  readonly eventsFetched: number;
  readonly eventsNew: number;
  /** Fetched again by the overlap (or served twice by Klaviyo) and already held. */
  readonly eventsDeduplicated: number;
  readonly pages: number;
  readonly pageSize: number;
  /** Every request, Get Metrics included, retries included. */
  readonly requests: number;
  readonly retries: number;
  readonly storeEvents: number;
  readonly storeBytes: number;
  /** ISO: the datetime range the store covers. */
  readonly storeOldest: string | null;
  readonly storeNewest: string | null;
  readonly trimmedBefore: string | null;
  /** From the metric lookup to the last part written (compaction included). */
  readonly seconds: number;
}

export interface FetchedStore {
  /** Open, its lock held: the caller closes it once it has read the orders. */
  readonly store: EventStore;
  readonly metric: MetricMatch | { readonly id: string; readonly name: undefined; readonly integration: undefined };
  readonly report: FetchReport;
}

export async function fetchEvents(options: FetchOptions): Promise<FetchedStore> {
  const now = () => options.reader.clock.now();
  const started = now();
  let metricRequests = 0;
  let metric: FetchedStore['metric'];
  if ('id' in options.metric) metric = { id: options.metric.id, name: undefined, integration: undefined };
  else {
    const counter = { requests: 0 };
    metric = await findMetricByName(options.metric.name, options.reader, counter);
    metricRequests = counter.requests;
  }
  const dir = eventStoreDir(options.stateDir, metric.id);
  const store = await EventStore.open(dir, metric.id, now(), { fresh: options.refetch, ...(options.onNotice ? { onNotice: options.onNotice } : {}) });
  try {
    return await fetchInto(store, metric, options, { started, metricRequests });
  } catch (error) {
    store.close();
    throw error;
  }
}

/** The fetch itself, on the store opened (and locked) for it. */
async function fetchInto(store: EventStore, metric: FetchedStore['metric'], options: FetchOptions, run: { started: number; metricRequests: number }): Promise<FetchedStore> {
  const now = () => options.reader.clock.now();
  const dir = store.dir;
  const since = options.since ?? null;
  if (store.eventCount === 0 && store.manifest.since !== since) await store.setSince(since, now());
  else if (options.since !== undefined && store.manifest.since !== options.since) {
    throw new BackfillError('USAGE', `--since applies to a first fetch; the event store ${dir} was started ${store.manifest.since === null ? 'with the whole history' : `from ${iso(store.manifest.since)}`}`, {
      hint: 'Leave out --since to go on from what the store holds, or add --refetch to rebuild it from the new date.',
    });
  }

  const newest = store.newest;
  const from = newest === null ? store.manifest.since : Math.max(newest - options.overlapMs, store.manifest.since ?? -Infinity);
  // Ids held in the overlap, and those of the last pages fetched (a cursor can serve an event twice
  // when events arrive while it pages); both are small, however large the history.
  const held = from === null ? new Set<string>() : await store.idsFrom(from);
  let previousPage = new Set<string>();
  let currentPage = new Set<string>();
  const counters: EventFetchCounters = { requests: 0, retries: 0, pages: 0, pageSize: 0 };
  const firstPart = options.partEvents ?? DEFAULT_PART_EVENTS;
  let partEvents = firstPart;
  let buffer: FetchedEvent[] = [];
  let fetched = 0;
  let added = 0;
  let duplicates = 0;
  let oldestFetched: number | null = null;
  let newestFetched: number | null = null;
  const flush = async () => {
    const events = buffer;
    buffer = [];
    await store.append(events, now());
    added += events.length;
    partEvents = Math.min(partEvents * 2, firstPart * PART_GROWTH_LIMIT);
  };
  try {
    for await (const page of readEvents({ metricId: metric.id, from: from === null ? undefined : iso(from) }, options.reader, counters)) {
      previousPage = currentPage;
      currentPage = new Set();
      for (const event of page) {
        fetched++;
        const at = event.datetime === null ? NaN : Date.parse(event.datetime);
        if (Number.isFinite(at)) {
          oldestFetched = oldestFetched === null ? at : Math.min(oldestFetched, at);
          newestFetched = newestFetched === null ? at : Math.max(newestFetched, at);
        }
        const key = eventKey(event);
        if (held.has(key) || previousPage.has(key) || currentPage.has(key)) {
          duplicates++;
          continue;
        }
        currentPage.add(key);
        buffer.push(event);
      }
      if (buffer.length >= partEvents) await flush();
      options.onProgress?.({ eventsFetched: fetched, pages: counters.pages, from, oldestFetched, newestFetched });
    }
  } finally {
    // Interrupted or refused: what was fetched is sound (oldest first, nothing after it missing), keep it.
    await flush();
  }

  const dropBefore = dropEventsBefore(options.definitions, now());
  const oldest = store.oldest;
  if (store.manifest.parts.length > MAX_PARTS || (dropBefore !== undefined && oldest !== null && oldest < dropBefore)) {
    await store.compact(now(), dropBefore !== undefined && oldest !== null && oldest < dropBefore ? dropBefore : undefined);
  }
  const report: FetchReport = {
    metricId: metric.id,
    metricName: metric.name ?? null,
    integration: metric.integration ?? null,
    store: dir,
    from: from === null ? null : iso(from),
    eventsFetched: fetched,
    eventsNew: added,
    eventsDeduplicated: duplicates,
    pages: counters.pages,
    pageSize: counters.pageSize,
    requests: counters.requests + run.metricRequests,
    retries: counters.retries,
    storeEvents: store.eventCount,
    storeBytes: store.sizeOnDisk(),
    storeOldest: store.oldest === null ? null : iso(store.oldest),
    storeNewest: store.newest === null ? null : iso(store.newest),
    trimmedBefore: store.manifest.trimmedBefore === null ? null : iso(store.manifest.trimmedBefore),
    seconds: Math.round(now() - run.started) / 1000,
  };
  return { store, metric, report };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
