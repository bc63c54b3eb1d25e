/**
 * Get Metrics as both stand-ins serve it: every metric of the account, a few a page, the cursor in
 * `links.next` (Klaviyo: 200 a page, and no filter on the name).
 */

export interface StandInMetric {
  readonly id: string;
  readonly name: string;
  /** The integration as Klaviyo nests it, or just its name; absent: `{}`. */
  readonly integration?: string | { readonly name: string; readonly category: string } | null;
}

export function metricsPage(metrics: readonly StandInMetric[], query: Record<string, string>, baseUrl: string, pageSize: number): unknown {
  const offset = Number(query['page[cursor]'] ?? 0);
  const keep: Record<string, string> = query['fields[metric]'] !== undefined ? { 'fields[metric]': query['fields[metric]'] } : {};
  const link = (cursor: number) => `${baseUrl}/api/metrics?${new URLSearchParams({ ...keep, 'page[cursor]': String(cursor) })}`;
  const data = metrics.slice(offset, offset + pageSize).map((metric) => ({
    type: 'metric',
    id: metric.id,
    attributes: {
      name: metric.name,
      created: '2024-01-01T00:00:00+00:00',
      updated: '2024-01-01T00:00:00+00:00',
      integration: typeof metric.integration === 'string' ? { name: metric.integration } : metric.integration === undefined ? {} : metric.integration,
    },
    links: { self: `${baseUrl}/api/metrics/${metric.id}` },
  }));
  return { data, links: { self: link(offset), ...(offset + pageSize < metrics.length ? { next: link(offset + pageSize) } : {}) } };
}
