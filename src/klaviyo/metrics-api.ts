/**
 * Finding a metric's id by its name: `--from klaviyo` reads that metric's events, and the flow's
 * trigger and split need the Placed Order metric's id. Get Metrics (revision 2026-07-15) cannot
 * filter on the name (its filter takes only `integration.name` and `integration.category`), so every
 * page is read (at most 200 metrics a page, no `page[size]`) and the name matched here, exactly. An
 * account can hold two metrics of one name (Shopify's "Placed Order" and one an API integration
 * tracks): there is no right guess then, and the error lists them so the user can pass an id.
 *
 * Get Metrics' own limits are 10/s burst, 150/min steady (SPEC get_metrics); scope `metrics:read`.
 */
import { BackfillError } from '../errors.js';
import { pacedHttp, pagedResources, resourceAttribute, resourceId, type KlaviyoClientOptions } from './api-client.js';

const METRICS_PATH = '/api/metrics';
export const GET_METRICS_LIMITS = { burst: 10, perMinute: 150 } as const;

export interface MetricMatch {
  readonly id: string;
  readonly name: string;
  /** The integration's name (`Shopify`, `API`) when Klaviyo gives one; SPEC types `integration` as a bare object. */
  readonly integration: string | undefined;
}

/**
 * The one metric named `name`; an error naming the candidates when there are none or several.
 * `counter` hears how many requests the lookup took (for `--json` reports).
 */
export async function findMetricByName(name: string, options: KlaviyoClientOptions, counter?: { requests: number }): Promise<MetricMatch> {
  const http = pacedHttp(options, GET_METRICS_LIMITS);
  const matches: MetricMatch[] = [];
  const others = new Set<string>();
  try {
    for await (const metric of pagedResources(http, METRICS_PATH, { 'fields[metric]': 'name,integration' })) {
      const id = resourceId(metric);
      const found = resourceAttribute(metric, 'name');
      if (id === undefined || typeof found !== 'string') continue;
      if (found !== name) {
        others.add(found);
        continue;
      }
      const integration = resourceAttribute(metric, 'integration') as { name?: unknown } | null | undefined;
      matches.push({ id, name, integration: typeof integration?.name === 'string' ? integration.name : undefined });
    }
  } finally {
    if (counter !== undefined) counter.requests += http.requests;
  }
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    const near = [...others].filter((other) => other.toLowerCase() === name.toLowerCase());
    throw new BackfillError('METRIC_NOT_FOUND', `Klaviyo has no metric named "${name}"${near.length > 0 ? ` (but ${near.map((n) => `"${n}"`).join(', ')}: names are matched exactly)` : ''}`, {
      hint: `Pass the exact name of your order metric as Klaviyo shows it (Analytics > Metrics), or its id.${others.size > 0 ? ` Metrics found: ${[...others].slice(0, 5).map((n) => `"${n}"`).join(', ')}${others.size > 5 ? ', ...' : ''}.` : ''}`,
    });
  }
  const listed = matches.map((m) => `${m.id}${m.integration !== undefined ? ` (${m.integration})` : ''}`).join(', ');
  throw new BackfillError('METRIC_AMBIGUOUS', `Klaviyo has ${matches.length} metrics named "${name}": ${listed}`, { hint: 'Choose one by its id (--metric-id): the one your flow is triggered by.' });
}
