/**
 * The stand-in's Get Profiles side: the profiles Klaviyo "holds" (what completed import jobs left, plus
 * whatever a test seeds), and the filter Klaviyo accepts for looking them up by email. Kept apart from
 * klaviyo-stand-in.ts, which routes requests here.
 */

export type HeldProperties = Record<string, number | string>;

/** Klaviyo's documented limit for the values in one `any(...)` filter, as the client is expected to keep. */
export const MAX_FILTER_VALUES = 100;

/**
 * The emails in `any(email,["a@x.com","b@y.com"])` or `equals(email,"a@x.com")`, or why Klaviyo would
 * refuse the filter (its string literals must be quoted; an unquoted value is "Invalid filter provided").
 */
export function emailsOfFilter(filter: string | undefined): string[] | string {
  if (filter === undefined) return 'no filter: the client must ask for its emails, not page through the account';
  const any = /^any\(email,\[(.*)\]\)$/s.exec(filter);
  const equals = /^equals\(email,(".*")\)$/s.exec(filter);
  const list = any?.[1] ?? equals?.[1];
  if (list === undefined) return `Invalid filter provided: ${filter.slice(0, 80)}`;
  let values: unknown;
  try {
    values = JSON.parse(`[${list}]`);
  } catch {
    return `Invalid filter provided (values must be quoted strings): ${filter.slice(0, 80)}`;
  }
  if (!Array.isArray(values) || values.length === 0 || !values.every((v): v is string => typeof v === 'string')) return 'Invalid filter provided: empty or not strings';
  if (values.length > MAX_FILTER_VALUES) return `${values.length} values in one filter; at most ${MAX_FILTER_VALUES}`;
  return values;
}

/** A profile as Get Profiles returns it (`ProfileResponsePluralConversationsObjectResource`, sparse: email and properties). */
export function profileResource(baseUrl: string, email: string, properties: HeldProperties): unknown {
  const id = `P${Buffer.from(email).toString('hex').slice(0, 24).toUpperCase()}`;
  return { type: 'profile', id, attributes: { email, properties }, links: { self: `${baseUrl}/api/profiles/${id}` } };
}

/** Klaviyo stores what a completed job imported over what the profile held: properties not sent are kept. */
export function mergeImported(held: Map<string, HeldProperties>, email: string, properties: HeldProperties): void {
  held.set(email, { ...held.get(email), ...properties });
}
