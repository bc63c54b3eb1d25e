/**
 * A Klaviyo stand-in: a real HTTP server on 127.0.0.1 that speaks the bulk profile import API and
 * Create or Update Profile (POST /api/profile-import, for clearing properties).
 * It validates every request (headers, query, body) and every response it sends against the schema
 * derived from Klaviyo's OpenAPI spec, keeps jobs that move queued -> processing -> complete as they
 * are looked at, pages import errors, and injects faults on demand. `imported` is the ground truth
 * the tests compare the client's accounting with; `profiles` is what Klaviyo holds afterwards, served
 * by GET /api/profiles (filtered by email, paged) for `diff --against klaviyo`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeValidation, validatorsFor, type OperationId } from './klaviyo-schema.js';
import { readBody, sendChecked, StandInServer } from './stand-in-server.js';
import { emailsOfFilter, mergeImported, profileResource, type HeldProperties } from './stand-in-profiles.js';
import type { EventAccount } from './stand-in-events.js';
import { sendHostile, type HostileAnswer } from './stand-in-hostile.js';

export type Route = 'create' | 'list' | 'get-job' | 'import-errors' | 'profiles' | 'metrics' | 'events' | 'profile-import';

export type Fault =
  | { readonly on: Route; readonly kind: 'status'; readonly status: number; readonly retryAfter?: string; readonly detail?: string }
  /** The connection is reset before the request is handled: no job. */
  | { readonly on: Route; readonly kind: 'reset' }
  /** The request is handled (a create makes its job), then the connection is reset: the answer is lost. */
  | { readonly on: Route; readonly kind: 'lost-response' }
  /** The request is handled, the answer comes after `delayMs` (longer than the client's timeout). */
  | { readonly on: Route; readonly kind: 'slow'; readonly delayMs: number }
  /** The request is handled, the answer comes once `until` resolves (a test holds a run mid-fetch). */
  | { readonly on: Route; readonly kind: 'held'; readonly until: Promise<void> }
  /** A 400 whose pointers name these profiles, as Klaviyo refuses a bad email. */
  | { readonly on: 'create'; readonly kind: 'invalid-profiles'; readonly emails: readonly string[] }
  /** The request is handled, then answered as a misbehaving network or server would (stand-in-hostile.ts). */
  | ({ readonly on: Route } & HostileAnswer);

export interface StandInOptions {
  readonly apiKey: string;
  readonly revision?: string;
  /** Looks (GET or listing) a job gets before it is complete. */
  readonly looksToComplete?: number;
  /** Serves smaller pages than asked for, to make the client page. */
  readonly pageSizeCap?: number;
  /** 413 above this many body bytes. */
  readonly maxBodyBytes?: number;
  /** Serves Get Metrics and Get Events from this account. */
  readonly account?: EventAccount;
  /** The bench turns off checking the stand-in's own answers (the requests are still checked). */
  readonly validateResponses?: boolean;
}

export interface SubmittedProfile {
  readonly email: string;
  readonly properties: Record<string, number | string>;
}

interface Job {
  readonly id: string;
  readonly seq: number;
  readonly createdAt: string;
  readonly profiles: readonly SubmittedProfile[];
  readonly listId: string | undefined;
  looks: number;
  readonly failures: Map<string, string>;
  /** Failures Klaviyo counts without saying whose (an import error with no original_payload). */
  readonly unattributed: number;
}

export class KlaviyoStandIn extends StandInServer {
  readonly options: StandInOptions;
  readonly faults: Fault[] = [];
  /** Import failures to report for these emails, with the detail, whichever job they land in. */
  readonly importFailures = new Map<string, string>();
  /** The job holding this email also counts this many failures it attributes to nobody. */
  unattributedFailures: { email: string; count: number } | undefined;
  /** Every request that broke the API's schema or rules; a passing test leaves this empty. */
  readonly violations: string[] = [];
  readonly jobs: Job[] = [];
  /** Profiles in completed jobs less the failed ones: what Klaviyo holds now. */
  readonly imported: (SubmittedProfile & { job: string; listId: string | undefined })[] = [];
  readonly requests: { method: string; path: string }[] = [];
  /** Lower-cased email -> custom properties: what Get Profiles returns. Completed jobs merge into it; tests may seed it. */
  readonly profiles = new Map<string, HeldProperties>();
  /** The emails each Get Profiles request asked for, and when it arrived (ms). */
  readonly profileLookups: { emails: string[]; at: number }[] = [];
  /** While set, jobs stay where they are however often they are looked at (a test holds a push mid-run). */
  holdJobs = false;
  /** Called as each job is created, before its answer is sent (tests kill the client here). */
  onJobCreated: ((job: { id: string; profiles: readonly SubmittedProfile[] }) => void) | undefined;
  /** Called as each request arrives, after it is counted (tests kill the client mid-fetch here). */
  onRequest: ((route: Route) => void) | undefined;
  /** Every Create or Update Profile request that reached it: the email, the keys it unset, when (ms). */
  readonly profileImports: { email: string; unset: string[]; at: number }[] = [];
  /** Create or Update Profile answers 400 naming the email for these (as Klaviyo refuses a bad address). */
  readonly profileImportRefusals = new Set<string>();

  constructor(options: StandInOptions) {
    super();
    this.options = options;
  }

  protected override async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    const body = await readBody(request);
    const match = routeOf(request.method ?? '', url.pathname);
    this.requests.push({ method: request.method ?? '', path: url.pathname });
    if (match === undefined) return this.#violation(response, `no such endpoint: ${request.method} ${url.pathname}`);
    const { route, operation, jobId } = match;
    this.onRequest?.(route);
    const validators = validatorsFor(operation);
    if (!validators.headers(request.headers)) return this.#violation(response, `${route} headers: ${describeValidation(validators.headers)}`);
    if (request.headers.revision !== (this.options.revision ?? '2026-07-15')) return this.#violation(response, `${route}: revision ${request.headers.revision}`);
    const query = Object.fromEntries(url.searchParams);
    if (!validators.query(query)) return this.#violation(response, `${route} query: ${describeValidation(validators.query)}`);
    let json: unknown;
    if (validators.body !== undefined) {
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return this.#violation(response, `${route}: body is not JSON`);
      }
      if (!validators.body(json)) return this.#violation(response, `${route} body: ${describeValidation(validators.body)}`);
      if (route === 'create') checkProfiles(json, this.violations);
    }
    if (request.headers.authorization !== `Klaviyo-API-Key ${this.options.apiKey}`) {
      return this.#send(response, operation, 401, errorBody(401, 'not_authenticated', `Incorrect authentication credentials: ${request.headers.authorization}`));
    }
    const faultIndex = this.faults.findIndex((fault) => fault.on === route);
    const fault = faultIndex >= 0 ? this.faults.splice(faultIndex, 1)[0] : undefined;
    if (fault?.kind === 'reset') return void request.socket.destroy();
    if (fault?.kind === 'status') {
      if (fault.retryAfter !== undefined) response.setHeader('Retry-After', fault.retryAfter);
      return this.#send(response, operation, fault.status, errorBody(fault.status, 'error', fault.detail ?? `Injected ${fault.status}.`));
    }
    if (route === 'create' && this.options.maxBodyBytes !== undefined && body.length > this.options.maxBodyBytes) {
      return this.#send(response, operation, 413, errorBody(413, 'request_too_large', 'The request payload is too large.'));
    }
    if (fault?.kind === 'invalid-profiles') {
      const profiles = profilesOf(json);
      const errors = profiles.flatMap((profile, index) =>
        fault.emails.includes(profile.email) ? [errorEntry(400, 'invalid', `${profile.email} is not a valid email address.`, `/data/attributes/profiles/data/${index}/attributes/email`)] : [],
      );
      return this.#send(response, operation, 400, { errors });
    }
    if (route === 'profiles') {
      const emails = emailsOfFilter(query.filter);
      if (typeof emails === 'string') return this.#violation(response, `profiles: ${emails}`);
      this.profileLookups.push({ emails, at: Date.now() });
    }
    if (route === 'profile-import') return this.#profileImport(response, operation, json);
    let answer: [number, unknown];
    if (route === 'metrics' || route === 'events') {
      const account = this.options.account;
      if (account === undefined) return this.#violation(response, `${route}: the stand-in has no account`);
      const page = route === 'metrics' ? account.metricsPage(query, this.baseUrl) : account.eventsPage(query, this.baseUrl);
      if (typeof page === 'string') return this.#violation(response, page);
      answer = page;
    } else answer = this.#answer(route, jobId, json, query);
    const [status, payload] = answer;
    if (fault?.kind === 'lost-response') return void request.socket.destroy();
    // Unref'd: a test that ends while an answer is held back does not wait for it.
    if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.delayMs).unref());
    if (fault?.kind === 'held') await fault.until;
    if (fault?.kind === 'html' || fault?.kind === 'drip' || fault?.kind === 'rewrite') return sendHostile(response, fault, status, payload, url.href);
    this.#send(response, operation, status, payload);
  }

  #answer(route: Route, jobId: string | undefined, json: unknown, query: Record<string, string>): [number, unknown] {
    switch (route) {
      case 'create': {
        const profiles = profilesOf(json);
        const seq = this.jobs.length + 1;
        const job: Job = {
          id: `JOB${String(seq).padStart(6, '0')}`,
          seq,
          createdAt: new Date().toISOString(),
          profiles,
          listId: (json as { data: { relationships?: { lists: { data: { id: string }[] } } } }).data.relationships?.lists.data[0]?.id,
          looks: 0,
          failures: new Map(profiles.filter((p) => this.importFailures.has(p.email)).map((p) => [p.email, this.importFailures.get(p.email)!])),
          unattributed: profiles.some((p) => p.email === this.unattributedFailures?.email) ? this.unattributedFailures!.count : 0,
        };
        this.jobs.push(job);
        this.onJobCreated?.(job);
        return [202, { data: this.#resource(job) }];
      }
      case 'get-job': {
        const job = this.jobs.find((j) => j.id === jobId);
        if (job === undefined) return [404, errorBody(404, 'not_found', `No job ${jobId}.`)];
        this.#look(job);
        return [200, { data: this.#resource(job), links: { self: `${this.baseUrl}/api/profile-bulk-import-jobs/${job.id}` } }];
      }
      case 'list': {
        const sorted = [...this.jobs].sort((a, b) => (query.sort === '-created_at' ? b.seq - a.seq : a.seq - b.seq));
        const page = this.#page(sorted, query, '/api/profile-bulk-import-jobs', query.sort !== undefined ? { sort: query.sort } : {});
        for (const job of page.items) this.#look(job);
        return [200, { data: page.items.map((job) => this.#resource(job)), links: page.links }];
      }
      case 'import-errors': {
        const job = this.jobs.find((j) => j.id === jobId);
        if (job === undefined) return [404, errorBody(404, 'not_found', `No job ${jobId}.`)];
        const errors = [
          ...[...job.failures].map(([email, detail]) => ({ payload: job.profiles.find((p) => p.email === email)!, detail })),
          ...Array.from({ length: job.unattributed }, () => ({ payload: undefined, detail: 'The profile could not be processed.' })),
        ];
        const page = this.#page(errors, query, `/api/profile-bulk-import-jobs/${job.id}/import-errors`, {});
        const data = page.items.map((error, index) => ({
          type: 'import-error',
          id: `${job.id}-E${index}-${query['page[cursor]'] ?? 0}`,
          attributes: {
            code: 'invalid',
            title: 'Invalid input',
            detail: error.detail,
            source: { pointer: '/data' },
            original_payload: error.payload === undefined ? null : { type: 'profile', attributes: error.payload },
          },
        }));
        return [200, { data, links: page.links }];
      }
      case 'metrics':
      case 'events':
      case 'profile-import':
        throw new Error(`${route} is answered on its own`);
      case 'profiles': {
        const asked = new Set((emailsOfFilter(query.filter) as string[]).map((email) => email.toLowerCase()));
        const found = [...this.profiles.keys()].filter((email) => asked.has(email)).sort();
        const keep = { filter: query.filter!, ...(query['fields[profile]'] !== undefined ? { 'fields[profile]': query['fields[profile]'] } : {}) };
        const page = this.#page(found, query, '/api/profiles', keep);
        return [200, { data: page.items.map((email) => profileResource(this.baseUrl, email, this.profiles.get(email)!)), links: page.links }];
      }
    }
  }

  /**
   * Create or Update Profile: the profile found by email (created when new: 201), its properties set
   * and then the `meta.patch_properties.unset` keys removed, as the spec describes. Only email,
   * properties and unset are understood here; anything else the tool sends would be a violation.
   */
  #profileImport(response: ServerResponse, operation: OperationId, json: unknown): void {
    const data = (json as { data: { attributes: { email?: string | null; properties?: Record<string, number | string> | null }; meta?: { patch_properties?: { unset?: string | string[] | null } | null } | null } }).data;
    const email = data.attributes.email?.trim().toLowerCase();
    if (email === undefined || email === '') return this.#violation(response, 'profile-import: no email to find the profile by');
    const unsetField = data.meta?.patch_properties?.unset;
    const unset = unsetField === undefined || unsetField === null ? [] : typeof unsetField === 'string' ? [unsetField] : unsetField;
    this.profileImports.push({ email, unset, at: Date.now() });
    if (this.profileImportRefusals.has(email)) {
      return this.#send(response, operation, 400, { errors: [errorEntry(400, 'invalid', `${email} is not a valid email address.`, '/data/attributes/email')] });
    }
    const existed = this.profiles.has(email);
    const held: HeldProperties = { ...this.profiles.get(email), ...(data.attributes.properties ?? {}) };
    for (const key of unset) delete held[key];
    this.profiles.set(email, held);
    const id = `P${Buffer.from(email).toString('hex').slice(0, 24).toUpperCase()}`;
    this.#send(response, operation, existed ? 200 : 201, { data: { type: 'profile', id, attributes: { email, properties: held }, links: { self: `${this.baseUrl}/api/profiles/${id}` } } });
  }

  /** A job moves on each time it is looked at; on completion its good profiles count as imported. */
  #look(job: Job): void {
    if (this.holdJobs) return;
    job.looks++;
    if (job.looks === (this.options.looksToComplete ?? 2)) {
      for (const profile of job.profiles) {
        if (job.failures.has(profile.email)) continue;
        this.imported.push({ ...profile, job: job.id, listId: job.listId });
        mergeImported(this.profiles, profile.email.toLowerCase(), profile.properties);
      }
    }
  }

  #status(job: Job): string {
    const needed = this.options.looksToComplete ?? 2;
    return job.looks >= needed ? 'complete' : job.looks === 0 ? 'queued' : 'processing';
  }

  #resource(job: Job): unknown {
    const complete = this.#status(job) === 'complete';
    const failed = complete ? job.failures.size + job.unattributed : 0;
    return {
      type: 'profile-bulk-import-job',
      id: job.id,
      attributes: {
        status: this.#status(job),
        created_at: job.createdAt,
        total_count: job.profiles.length,
        completed_count: complete ? job.profiles.length : 0,
        failed_count: failed,
        completed_at: complete ? new Date().toISOString() : null,
        expires_at: null,
        started_at: job.looks > 0 ? job.createdAt : null,
      },
      links: { self: `${this.baseUrl}/api/profile-bulk-import-jobs/${job.id}` },
    };
  }

  #page<T>(items: readonly T[], query: Record<string, string>, path: string, keep: Record<string, string>): { items: T[]; links: Record<string, string> } {
    const size = Math.min(Number(query['page[size]'] ?? 20), this.options.pageSizeCap ?? 100);
    const offset = Number(query['page[cursor]'] ?? 0);
    const link = (cursor: number) => `${this.baseUrl}${path}?${new URLSearchParams({ ...keep, 'page[cursor]': String(cursor), 'page[size]': String(size) })}`;
    const links: Record<string, string> = { self: link(offset) };
    if (offset + size < items.length) links.next = link(offset + size);
    return { items: items.slice(offset, offset + size), links };
  }

  #violation(response: ServerResponse, message: string): void {
    this.violations.push(message);
    response.writeHead(400, { 'Content-Type': 'application/vnd.api+json' });
    response.end(JSON.stringify(errorBody(400, 'invalid', message)));
  }

  #send(response: ServerResponse, operation: OperationId, status: number, body: unknown): void {
    if (this.options.validateResponses !== false) return sendChecked(response, operation, status, body, this.violations);
    response.writeHead(status, { 'Content-Type': 'application/vnd.api+json' });
    response.end(JSON.stringify(body));
  }
}

function routeOf(method: string, path: string): { route: Route; operation: OperationId; jobId?: string } | undefined {
  if (path === '/api/profiles' && method === 'GET') return { route: 'profiles', operation: 'get_profiles' };
  if (path === '/api/metrics' && method === 'GET') return { route: 'metrics', operation: 'get_metrics' };
  if (path === '/api/events' && method === 'GET') return { route: 'events', operation: 'get_events' };
  if (path === '/api/profile-import' && method === 'POST') return { route: 'profile-import', operation: 'create_or_update_profile' };
  if (path === '/api/profile-bulk-import-jobs') {
    if (method === 'POST') return { route: 'create', operation: 'bulk_import_profiles' };
    if (method === 'GET') return { route: 'list', operation: 'get_bulk_import_profiles_jobs' };
  }
  const errors = /^\/api\/profile-bulk-import-jobs\/([^/]+)\/import-errors$/.exec(path);
  if (method === 'GET' && errors) return { route: 'import-errors', operation: 'get_errors_for_bulk_import_profiles_job', jobId: decodeURIComponent(errors[1]!) };
  const job = /^\/api\/profile-bulk-import-jobs\/([^/]+)$/.exec(path);
  if (method === 'GET' && job) return { route: 'get-job', operation: 'get_bulk_import_profiles_job', jobId: decodeURIComponent(job[1]!) };
  return undefined;
}

function profilesOf(json: unknown): SubmittedProfile[] {
  const data = (json as { data: { attributes: { profiles: { data: { attributes: SubmittedProfile }[] } } } }).data.attributes.profiles.data;
  return data.map((resource) => ({ email: resource.attributes.email, properties: resource.attributes.properties }));
}

/** What the schema cannot say but the issue requires: no nulls or blanks sent, no duplicate profiles. */
function checkProfiles(json: unknown, violations: string[]): void {
  const seen = new Set<string>();
  for (const profile of profilesOf(json)) {
    if (seen.has(profile.email)) violations.push(`${profile.email} twice in one job`);
    seen.add(profile.email);
    for (const [name, value] of Object.entries(profile.properties ?? {})) {
      if (value === null || value === '' || (typeof value !== 'number' && typeof value !== 'string')) violations.push(`${profile.email}: ${name} sent as ${JSON.stringify(value)}`);
    }
  }
  if (Buffer.byteLength(JSON.stringify(json)) > 5_000_000) violations.push('a create request over 5 MB');
}

function errorEntry(status: number, code: string, detail: string, pointer?: string): unknown {
  return { id: `err-${status}`, status, code, title: status === 429 ? 'Request was throttled.' : 'Error.', detail, source: pointer !== undefined ? { pointer } : {} };
}

function errorBody(status: number, code: string, detail: string): unknown {
  return { errors: [errorEntry(status, code, detail, status === 400 ? '/data' : undefined)] };
}
