/**
 * Finding a metric's id by its name (the flow's trigger and split need the Placed Order metric's id).
 * Get Metrics cannot filter on the name, so every page is read and matched here; 10/s, 150/min.
 */
import { BackfillError } from '../errors.js';
import { pacedHttp, pagedResources, resourceAttribute, resourceId, type KlaviyoClientOptions } from './api-client.js';

const METRICS_PATH = '/api/metrics';
export const GET_METRICS_LIMITS = { burst: 10, perMinute: 150 } as const;

export interface MetricMatch {
  readonly id: string;
  readonly integration: string | undefined;
}

/** The one metric named `name`; an error naming the candidates when there are none or several. */
export async function findMetricByName(name: string, options: KlaviyoClientOptions): Promise<MetricMatch> {
  const http = pacedHttp(options, GET_METRICS_LIMITS);
  const matches: MetricMatch[] = [];
  for await (const metric of pagedResources(http, METRICS_PATH, { 'fields[metric]': 'name,integration' })) {
    const id = resourceId(metric);
    if (id === undefined || resourceAttribute(metric, 'name') !== name) continue;
    const integration = resourceAttribute(metric, 'integration') as { name?: unknown } | null | undefined;
    matches.push({ id, integration: typeof integration?.name === 'string' ? integration.name : undefined });
  }
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw new BackfillError('USAGE', `Klaviyo has no metric named "${name}"`, { hint: 'Pass --metric-name with the exact name of your order metric, or --metric-id.' });
  }
  const listed = matches.map((m) => `${m.id}${m.integration !== undefined ? ` (${m.integration})` : ''}`).join(', ');
  throw new BackfillError('USAGE', `Klaviyo has ${matches.length} metrics named "${name}": ${listed}`, { hint: 'Choose one with --metric-id.' });
}
