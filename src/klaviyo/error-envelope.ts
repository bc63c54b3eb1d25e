/**
 * Klaviyo's JSON:API error envelope, `{errors: [{code, title, detail, source: {pointer}}]}`, and what
 * its pointers say. A 400 for a bulk job is all-or-nothing: one bad profile refuses the whole
 * request, and the pointer (`/data/attributes/profiles/data/<i>/...`) names it.
 */
export interface ApiError {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly pointer: string | undefined;
}

export function apiErrors(status: number, body: unknown): ApiError[] {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((error: unknown) => {
    const e = (error ?? {}) as Record<string, unknown>;
    const source = (e.source ?? {}) as Record<string, unknown>;
    return {
      status,
      code: String(e.code ?? ''),
      title: String(e.title ?? ''),
      detail: String(e.detail ?? ''),
      pointer: typeof source.pointer === 'string' ? source.pointer : undefined,
    };
  });
}

const PROFILE_POINTER = /^\/data\/attributes\/profiles\/data\/(\d+)(\/|$)/;

/**
 * The profiles (by position in the request) each error names, when every error names one; undefined
 * when any error is about something else (the list id, the envelope), which no resend can fix.
 */
export function errorsByProfile(errors: readonly ApiError[]): Map<number, ApiError[]> | undefined {
  if (errors.length === 0) return undefined;
  const byProfile = new Map<number, ApiError[]>();
  for (const error of errors) {
    const match = error.pointer === undefined ? null : PROFILE_POINTER.exec(error.pointer);
    if (match === null) return undefined;
    const index = Number(match[1]);
    byProfile.set(index, [...(byProfile.get(index) ?? []), error]);
  }
  return byProfile;
}

export function describeErrors(errors: readonly ApiError[]): string {
  return errors
    .map((e) => {
      const text = e.detail === '' || e.detail === e.title ? e.title : e.title === '' ? e.detail : `${e.title} ${e.detail}`;
      return e.pointer !== undefined ? `${text} (at ${e.pointer})` : text;
    })
    .join('; ');
}
