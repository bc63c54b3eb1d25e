/**
 * A Klaviyo stand-in for `backfill flow --create` and `backfill segments --create`: a real HTTP server
 * on 127.0.0.1 speaking Get Metrics, Get/Create Flows and Get/Create Segments. Every request (headers,
 * query, body) and every answer is validated against the schemas derived from Klaviyo's OpenAPI spec
 * (fixtures/klaviyo/flows-segments.schema.json); what breaks them is recorded in `violations`. Flows and
 * segments are kept by name, so a second run finds what the first created.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeValidation, validatorsFor, type OperationId } from './klaviyo-schema.js';
import { readBody, sendChecked, StandInServer } from './stand-in-server.js';

export type FlowsRoute = 'metrics' | 'get-flows' | 'create-flow' | 'get-segments' | 'create-segment';

export type FlowsFault =
  | { readonly on: FlowsRoute; readonly kind: 'status'; readonly status: number; readonly retryAfter?: string; readonly detail?: string }
  /** The request is handled (a create creates), then the connection is reset: the answer is lost. */
  | { readonly on: FlowsRoute; readonly kind: 'lost-response' };

export interface Created {
  readonly id: string;
  readonly name: string;
  readonly body: unknown;
  /** When it arrived, ms since the stand-in started (for pacing). */
  readonly at: number;
}

export class KlaviyoFlowsStandIn extends StandInServer {
  readonly faults: FlowsFault[] = [];
  readonly violations: string[] = [];
  readonly requests: { route: FlowsRoute | undefined; method: string; path: string; at: number }[] = [];
  readonly flows: Created[] = [];
  readonly segments: Created[] = [];
  /** Metrics Get Metrics lists; `pageSize` per page. */
  metrics: { id: string; name: string; integration?: string }[] = [{ id: 'XyZ123', name: 'Placed Order', integration: 'API' }];
  pageSize = 2;
  /** Refuse a Create Flow whose actions include a webhook, as Klaviyo might (undocumented either way). */
  refuseWebhooks = false;
  readonly #apiKey: string;
  readonly #started = Date.now();

  constructor(apiKey: string) {
    super();
    this.#apiKey = apiKey;
  }

  creates(route: 'create-flow' | 'create-segment'): number {
    return this.requests.filter((r) => r.route === route).length;
  }

  protected override async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    const text = (await readBody(request)).toString('utf8');
    const match = ROUTES.find((r) => r.method === request.method && r.path === url.pathname);
    this.requests.push({ route: match?.route, method: request.method ?? '', path: url.pathname, at: Date.now() - this.#started });
    if (match === undefined) return this.#violation(response, `no such endpoint: ${request.method} ${url.pathname}`);
    const validators = validatorsFor(match.operation);
    if (!validators.headers(request.headers)) return this.#violation(response, `${match.route} headers: ${describeValidation(validators.headers)}`);
    const query = Object.fromEntries(url.searchParams);
    if (!validators.query(query)) return this.#violation(response, `${match.route} query: ${describeValidation(validators.query)}`);
    let json: unknown;
    if (validators.body !== undefined) {
      try {
        json = JSON.parse(text);
      } catch {
        return this.#violation(response, `${match.route}: body is not JSON`);
      }
      if (!validators.body(json)) return this.#violation(response, `${match.route} body: ${describeValidation(validators.body)}`);
    }
    if (request.headers.authorization !== `Klaviyo-API-Key ${this.#apiKey}`) {
      return this.#send(response, match.operation, 401, errors(401, 'not_authenticated', 'Incorrect authentication credentials.'));
    }
    const index = this.faults.findIndex((f) => f.on === match.route);
    const fault = index >= 0 ? this.faults.splice(index, 1)[0] : undefined;
    if (fault?.kind === 'status') {
      if (fault.retryAfter !== undefined) response.setHeader('Retry-After', fault.retryAfter);
      return this.#send(response, match.operation, fault.status, errors(fault.status, 'error', fault.detail ?? `Injected ${fault.status}.`));
    }
    const [status, payload] = this.#answer(match.route, query, json);
    if (fault?.kind === 'lost-response') return void request.socket.destroy();
    this.#send(response, match.operation, status, payload);
  }

  #answer(route: FlowsRoute, query: Record<string, string>, json: unknown): [number, unknown] {
    const now = new Date().toISOString();
    switch (route) {
      case 'metrics': {
        const offset = Number(query['page[cursor]'] ?? 0);
        const page = this.metrics.slice(offset, offset + this.pageSize);
        const links: Record<string, string> = { self: `${this.baseUrl}/api/metrics` };
        if (offset + this.pageSize < this.metrics.length) links.next = `${this.baseUrl}/api/metrics?${new URLSearchParams({ 'page[cursor]': String(offset + this.pageSize) })}`;
        const data = page.map((m) => ({ type: 'metric', id: m.id, attributes: { name: m.name, created: now, updated: now, integration: m.integration === undefined ? {} : { name: m.integration } }, links: { self: `${this.baseUrl}/api/metrics/${m.id}` } }));
        return [200, { data, links }];
      }
      case 'get-flows':
      case 'get-segments': {
        const name = nameOf(query.filter);
        if (name === undefined) {
          this.violations.push(`${route}: filter ${JSON.stringify(query.filter)} is not equals(name,"...")`);
          return [400, errors(400, 'invalid', 'Invalid filter provided.')];
        }
        const held = (route === 'get-flows' ? this.flows : this.segments).filter((c) => c.name === name);
        const data = held.map((c) => (route === 'get-flows' ? flowResource(this.baseUrl, c, now) : segmentResource(this.baseUrl, c, now)));
        return [200, { data, links: { self: `${this.baseUrl}/api/${route === 'get-flows' ? 'flows' : 'segments'}` } }];
      }
      case 'create-flow': {
        const body = json as { data: { attributes: { name: string; definition: { actions: { type: string }[] } } } };
        if (this.refuseWebhooks && body.data.attributes.definition.actions.some((a) => a.type === 'send-webhook')) {
          return [400, errors(400, 'invalid', 'Webhook actions are not supported.', '/data/attributes/definition/actions/0')];
        }
        const created: Created = { id: `FL${String(this.flows.length + 1).padStart(4, '0')}`, name: body.data.attributes.name, body: json, at: Date.now() - this.#started };
        this.flows.push(created);
        return [201, { data: flowResource(this.baseUrl, created, now) }];
      }
      case 'create-segment': {
        const body = json as { data: { attributes: { name: string } } };
        const created: Created = { id: `SG${String(this.segments.length + 1).padStart(4, '0')}`, name: body.data.attributes.name, body: json, at: Date.now() - this.#started };
        this.segments.push(created);
        return [201, { data: segmentResource(this.baseUrl, created, now) }];
      }
    }
  }

  #violation(response: ServerResponse, message: string): void {
    this.violations.push(message);
    response.writeHead(400, { 'Content-Type': 'application/vnd.api+json' });
    response.end(JSON.stringify(errors(400, 'invalid', message)));
  }

  #send(response: ServerResponse, operation: OperationId, status: number, body: unknown): void {
    sendChecked(response, operation, status, body, this.violations);
  }
}

const ROUTES: { route: FlowsRoute; method: string; path: string; operation: OperationId }[] = [
  { route: 'metrics', method: 'GET', path: '/api/metrics', operation: 'get_metrics' },
  { route: 'get-flows', method: 'GET', path: '/api/flows', operation: 'get_flows' },
  { route: 'create-flow', method: 'POST', path: '/api/flows', operation: 'create_flow' },
  { route: 'get-segments', method: 'GET', path: '/api/segments', operation: 'get_segments' },
  { route: 'create-segment', method: 'POST', path: '/api/segments', operation: 'create_segment' },
];

/** The name in `equals(name,"...")`, Klaviyo's documented form; undefined for anything else. */
function nameOf(filter: string | undefined): string | undefined {
  const match = /^equals\(name,"((?:[^"\\]|\\.)*)"\)$/.exec(filter ?? '');
  return match === null ? undefined : match[1]!.replace(/\\(.)/g, '$1');
}

function flowResource(baseUrl: string, flow: Created, now: string): unknown {
  return { type: 'flow', id: flow.id, attributes: { name: flow.name, status: 'draft', archived: false, created: now, updated: now, trigger_type: 'Metric' }, links: { self: `${baseUrl}/api/flows/${flow.id}` } };
}

function segmentResource(baseUrl: string, segment: Created, now: string): unknown {
  return { type: 'segment', id: segment.id, attributes: { name: segment.name, created: now, updated: now, is_active: true, is_processing: true, is_starred: false }, links: { self: `${baseUrl}/api/segments/${segment.id}` } };
}

function errors(status: number, code: string, detail: string, pointer?: string): unknown {
  return { errors: [{ id: `err-${status}`, status, code, title: 'Error.', detail, source: pointer !== undefined ? { pointer } : {} }] };
}
