/**
 * Order statuses meaning the money did not stay with the merchant, for `excludeCancelled`: what an
 * export's status column (any platform, trimmed and lower-cased) and `backfill sql`'s status column are
 * matched against, so that the two leave out the same orders.
 */
export const CANCELLED_STATUSES: ReadonlySet<string> = new Set(['cancelled', 'canceled', 'refunded', 'voided', 'failed', 'declined', 'wc-cancelled', 'wc-refunded', 'wc-failed']);
