/**
 * The bulk profile import endpoints (revision 2026-07-15):
 *   POST /api/profile-bulk-import-jobs               create a job (202)
 *   GET  /api/profile-bulk-import-jobs               list jobs, newest first with sort=-created_at
 *   GET  /api/profile-bulk-import-jobs/{id}          one job
 *   GET  /api/profile-bulk-import-jobs/{id}/import-errors   per-profile failures, paged
 * Responses are checked for the fields we rely on; anything else about them is left alone.
 */
import { BackfillError } from '../errors.js';
import type { JobStatus } from '../core/push-run-state.js';
import { apiErrors, errorsByProfile, type ApiError } from './error-envelope.js';
import { failed, isRetryable, refused, type Attempt, type KlaviyoHttp } from './http.js';
import { PageTrail } from './page-trail.js';

const JOBS_PATH = '/api/profile-bulk-import-jobs';
/** Klaviyo's largest page for jobs and import errors. */
const PAGE_SIZE = '100';

export interface ImportJob {
  readonly id: string;
  readonly status: JobStatus;
  readonly createdAt: string;
  readonly total: number;
  readonly completed: number;
  readonly failed: number;
}

export interface ImportError {
  /** The email of the profile it concerns, from `original_payload`; undefined when Klaviyo did not say. */
  readonly email: string | undefined;
  readonly title: string;
  readonly detail: string;
}

export type CreateAttempt =
  | { readonly kind: 'created'; readonly job: ImportJob }
  /** No job was created: 429 (Retry-After is being waited out) or a refused connection. */
  | { readonly kind: 'retry'; readonly attempt: Attempt }
  /** Timeout, reset, 5xx: a job may or may not exist now. */
  | { readonly kind: 'ambiguous'; readonly attempt: Attempt }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'invalid-profiles'; readonly byProfile: Map<number, ApiError[]> }
  | { readonly kind: 'refused'; readonly error: BackfillError };

export class JobsApi {
  readonly http: KlaviyoHttp;

  constructor(http: KlaviyoHttp) {
    this.http = http;
  }

  /** One create request; the caller decides what each outcome means for the batch. */
  async createOnce(body: string): Promise<CreateAttempt> {
    const url = this.http.url(JOBS_PATH);
    const attempt = await this.http.once('POST', url, body);
    if (attempt.kind === 'network') {
      // Refused before a byte was sent: certainly no job. Anything later might have reached Klaviyo.
      return attempt.reason.includes('ECONNREFUSED') ? { kind: 'retry', attempt } : { kind: 'ambiguous', attempt };
    }
    // Not Klaviyo's JSON (a proxy's page) or too large to read: whether a job was made is unknown, and
    // sending again would get the same. The batch stays "sending"; a resume looks for its job first.
    if (attempt.kind === 'unreadable') return { kind: 'refused', error: failed('POST', url, attempt) };
    if (attempt.status === 202 || attempt.status === 201 || attempt.status === 200) {
      return { kind: 'created', job: parseJob((attempt.body as { data?: unknown } | undefined)?.data) };
    }
    if (attempt.status === 429) return { kind: 'retry', attempt };
    if (isRetryable(attempt)) return { kind: 'ambiguous', attempt };
    if (attempt.status === 413) return { kind: 'too-large' };
    if (attempt.status === 400 || attempt.status === 409 || attempt.status === 422) {
      const byProfile = errorsByProfile(apiErrors(attempt.status, attempt.body));
      if (byProfile !== undefined) return { kind: 'invalid-profiles', byProfile };
    }
    return { kind: 'refused', error: refused('POST', url, attempt) };
  }

  async getJob(id: string): Promise<ImportJob> {
    // An empty id would GET the job list instead of a job.
    if (id === '') throw unexpected('an import job without an id');
    const body = await this.http.getJson(`${JOBS_PATH}/${encodeURIComponent(id)}`);
    return parseJob((body as { data?: unknown } | undefined)?.data);
  }

  /** Every job on the account, newest first, a page of 100 at a time. */
  async *recentJobs(): AsyncGenerator<ImportJob> {
    for await (const resource of this.#pages(JOBS_PATH, { sort: '-created_at', 'page[size]': PAGE_SIZE }, 'a job list without data')) yield parseJob(resource);
  }

  async *importErrors(jobId: string): AsyncGenerator<ImportError> {
    if (jobId === '') throw unexpected('an import job without an id');
    const path = `${JOBS_PATH}/${encodeURIComponent(jobId)}/import-errors`;
    for await (const resource of this.#pages(path, { 'page[size]': PAGE_SIZE }, 'an import-errors page without data')) yield parseImportError(resource);
  }

  /** Every resource of a listing. `links.next` is a full URL; the spec says it is never null, but the last page may omit it or send null. */
  async *#pages(path: string, query: Record<string, string>, withoutData: string): AsyncGenerator<unknown> {
    const first = this.http.url(path, query);
    const trail = new PageTrail(`GET ${path}`, first);
    for (let next: string | undefined = first.href; next !== undefined; ) {
      const body = (await this.http.getJson(next)) as { data?: unknown } | undefined;
      if (!Array.isArray(body?.data)) throw unexpected(withoutData);
      yield* body.data;
      next = trail.next(body);
    }
  }
}

const STATUSES: readonly string[] = ['queued', 'processing', 'complete', 'cancelled'];

export function parseJob(resource: unknown): ImportJob {
  const r = (resource ?? {}) as { id?: unknown; attributes?: Record<string, unknown> };
  const a = r.attributes ?? {};
  if (typeof r.id !== 'string' || r.id === '' || typeof a.status !== 'string' || !STATUSES.includes(a.status) || typeof a.total_count !== 'number') {
    throw unexpected(`an import job it could not read: ${JSON.stringify(resource)?.slice(0, 200)}`);
  }
  return {
    id: r.id,
    status: a.status as JobStatus,
    createdAt: typeof a.created_at === 'string' ? a.created_at : '',
    total: a.total_count,
    completed: typeof a.completed_count === 'number' ? a.completed_count : 0,
    failed: typeof a.failed_count === 'number' ? a.failed_count : 0,
  };
}

function parseImportError(resource: unknown): ImportError {
  const a = ((resource ?? {}) as { attributes?: Record<string, unknown> }).attributes ?? {};
  const payload = (a.original_payload ?? {}) as Record<string, unknown>;
  // original_payload is the profile as submitted; some responses nest it as a resource object.
  const attributes = (payload.attributes ?? payload) as Record<string, unknown>;
  const email = typeof attributes.email === 'string' ? attributes.email.trim().toLowerCase() : undefined;
  return { email, title: String(a.title ?? ''), detail: String(a.detail ?? '') };
}

function unexpected(what: string): BackfillError {
  return new BackfillError('KLAVIYO_UNEXPECTED', `Klaviyo sent ${what}`);
}
