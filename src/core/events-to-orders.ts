/**
 * Klaviyo "Placed Order" events to orders, as the flow sees them: the order time is the event's
 * `datetime`, the value its `$value`, the order id the event id, the profile the event's profile by
 * email (trimmed, lower-cased), else by phone. Items and sizes are read from `event_properties` at
 * the configured key paths, by the same code that reads a `json-items` export's items cell, given
 * here as `readItems` (it lives with that format), so an event and its CSV export give one order.
 */
import { emailProblem } from './email.js';
import { orderValueProblem, parseMoney } from './money.js';
import type { Order } from './order.js';
import { parseTimestamp } from './timestamp.js';

/** One event, as fetched and as stored. */
export interface OrderEvent {
  readonly id: string;
  /** ISO 8601 with offset, as Klaviyo sends it; null when it sent none. */
  readonly datetime: string | null;
  /** The profile's email and phone as Klaviyo holds them; '' when absent. */
  readonly email: string;
  readonly phone: string;
  readonly properties: unknown;
}

/** Where the items are (the recipe's `items`, Shopify's `Items`, ...) and how to read them. */
export interface EventReading {
  /** Keys of `event_properties`; a key not present as such is followed as a dotted path (`$extra.line_items`). */
  readonly itemPaths: readonly string[];
  /** Adds the sizes an items value names to `found`; returns why the value cannot be read, if it cannot. */
  readonly readItems: (found: string[], items: unknown) => string | undefined;
  /** The phone number as a profile key (digits and a leading `+`). */
  readonly normalizePhone: (text: string) => string;
}

/** The recipe's items (`items[].Size`) and the Shopify integration's `Items`: the defaults. */
export const DEFAULT_EVENT_ITEM_PATHS: readonly string[] = ['items', 'Items'];

export type EventOutcome =
  | { readonly kind: 'order'; readonly order: Order }
  /** No email and no phone on its profile (or no profile): counted as skipped, like an order without email. */
  | { readonly kind: 'without-profile' }
  | { readonly kind: 'unreadable'; readonly code: string; readonly reason: string };

export function orderOfEvent(event: OrderEvent, reading: EventReading): EventOutcome {
  // The id is the order id: without one, the order cannot be told from the others (nor recognised when fetched again).
  if (event.id === '') return { kind: 'unreadable', code: 'BAD_EVENT', reason: 'event without an id: Klaviyo sent none, or one that is neither text nor a whole number' };
  const properties = event.properties;
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) {
    return { kind: 'unreadable', code: 'BAD_EVENT', reason: `event ${event.id}: event_properties is not an object` };
  }
  const fields = properties as Record<string, unknown>;
  const value = valueOf(fields['$value']);
  if (value === undefined) {
    const given = fields['$value'];
    return { kind: 'unreadable', code: 'BAD_VALUE', reason: `event ${event.id}: $value ${given === undefined || given === null || given === '' ? 'is missing' : `is not a number: ${JSON.stringify(given)}`}` };
  }
  const tooLarge = orderValueProblem(value, String(fields['$value']));
  if (tooLarge !== undefined) return { kind: 'unreadable', code: 'BAD_VALUE', reason: `event ${event.id}: $value ${tooLarge}` };
  const placedAt = event.datetime === null ? undefined : parseTimestamp(event.datetime);
  if (placedAt === undefined || !placedAt.ok) {
    return { kind: 'unreadable', code: 'BAD_DATE', reason: `event ${event.id}: datetime ${event.datetime === null ? 'is missing' : placedAt !== undefined && !placedAt.ok ? placedAt.reason : ''}` };
  }
  const sizes: string[] = [];
  for (const path of reading.itemPaths) {
    const items = valueAt(fields, path);
    if (items === undefined || items === null || items === '') continue;
    const problem = reading.readItems(sizes, items);
    if (problem !== undefined) return { kind: 'unreadable', code: 'BAD_ITEMS', reason: `event ${event.id}: ${path}: ${problem}` };
  }
  const email = event.email.trim().toLowerCase();
  // The same check as an export's email column: what compute writes, push can send.
  const emailIssue = email === '' ? undefined : emailProblem(email);
  if (emailIssue !== undefined) return { kind: 'unreadable', code: 'BAD_EMAIL', reason: `event ${event.id}: ${emailIssue}` };
  const phone = email === '' ? reading.normalizePhone(event.phone.trim()) : '';
  if (email === '' && phone === '') return { kind: 'without-profile' };
  const identity = email !== '' ? { email } : { email: '', phone };
  return { kind: 'order', order: { orderId: event.id, ...identity, placedAt: placedAt.epochMs, value, sizes } };
}

function valueOf(given: unknown): number | undefined {
  if (typeof given === 'number') return Number.isFinite(given) ? given : undefined;
  if (typeof given === 'string') return parseMoney(given);
  return undefined;
}

/** `fields[path]`, or, when no such key exists, the value down the dotted path. */
export function valueAt(fields: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(fields, path)) return fields[path];
  let node: unknown = fields;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
