/**
 * Finding a metric by name: GET /api/metrics (revision 2026-07-15) cannot filter on the name (its
 * filter takes only `integration.name` and `integration.category`), so every page is read, following
 * `links.next` (at most 200 metrics a page; no `page[size]`), and the name matched here. An account
 * can hold two metrics of one name (Shopify's "Placed Order" and one an API integration tracks):
 * then there is no right guess, and the error lists them so the user can pass `--metric-id`.
 *
 * Get Metrics' own limits are 10/s burst, 150/min steady (SPEC get_metrics); scope `metrics:read`.
 */
import { BackfillError } from '../errors.js';
import { readerHttp, type ReaderOptions } from './http.js';

const METRICS_PATH = '/api/metrics';
export const GET_METRICS_LIMITS = { burst: 10, perMinute: 150 } as const;

export interface MetricRef {
  readonly id: string;
  readonly name: string;
  /** The integration's name (`Shopify`, `API`), when Klaviyo says; SPEC types `integration` as a bare object. */
  readonly integration: string | undefined;
}

export interface MetricLookup {
  readonly metric: MetricRef;
  /** Requests it took (pages of Get Metrics, and retries). */
  readonly requests: number;
}

/** Every metric of the account, page by page. */
export async function* listMetrics(options: ReaderOptions, counter?: { requests: number }): AsyncGenerator<MetricRef[]> {
  const http = readerHttp(options, GET_METRICS_LIMITS);
  let next: string | undefined = METRICS_PATH;
  let query: Record<string, string> = { 'fields[metric]': 'name,integration' };
  try {
    while (next !== undefined) {
      const body = (await http.getJson(next, query)) as { data?: unknown; links?: { next?: unknown } } | undefined;
      if (!Array.isArray(body?.data)) throw new BackfillError('KLAVIYO_UNEXPECTED', 'Klaviyo sent a Get Metrics page without data');
      yield body.data.flatMap(metricRef);
      const link = body.links?.next;
      next = typeof link === 'string' && link !== '' ? link : undefined;
      query = {};
    }
  } finally {
    if (counter !== undefined) counter.requests += http.requests;
  }
}

/** The one metric named `name` (exactly, as Klaviyo shows it); an error when there is none or more than one. */
export async function findMetricByName(name: string, options: ReaderOptions): Promise<MetricLookup> {
  const counter = { requests: 0 };
  const matches: MetricRef[] = [];
  const others = new Set<string>();
  for await (const page of listMetrics(options, counter)) {
    for (const metric of page) {
      if (metric.name === name) matches.push(metric);
      else others.add(metric.name);
    }
  }
  if (matches.length === 1) return { metric: matches[0]!, requests: counter.requests };
  if (matches.length === 0) {
    const near = [...others].filter((other) => other.toLowerCase() === name.toLowerCase());
    throw new BackfillError('METRIC_NOT_FOUND', `Klaviyo has no metric named "${name}"${near.length > 0 ? ` (but has ${near.map((n) => `"${n}"`).join(', ')}: names are matched exactly)` : ''}`, {
      hint: `Pass --metric "<name>" as Klaviyo shows it (Analytics > Metrics), or --metric-id <id>. ${others.size} other metrics were found${others.size > 0 ? `, e.g. ${[...others].slice(0, 5).map((n) => `"${n}"`).join(', ')}` : ''}.`,
    });
  }
  throw new BackfillError('METRIC_AMBIGUOUS', `Klaviyo has ${matches.length} metrics named "${name}": ${matches.map(describeMetric).join('; ')}`, {
    hint: 'Choose one with --metric-id <id> (the one your flow is triggered by).',
  });
}

export function describeMetric(metric: MetricRef): string {
  return `id ${metric.id} (integration: ${metric.integration ?? 'none given'})`;
}

function metricRef(resource: unknown): MetricRef[] {
  const r = (resource ?? {}) as { id?: unknown; attributes?: { name?: unknown; integration?: unknown } };
  if (typeof r.id !== 'string' || typeof r.attributes?.name !== 'string') return [];
  const integration = r.attributes.integration as { name?: unknown } | null | undefined;
  return [{ id: r.id, name: r.attributes.name, integration: typeof integration?.name === 'string' ? integration.name : undefined }];
}
