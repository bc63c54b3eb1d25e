/**
 * A profile as Klaviyo keys and stores it: its email (or, without one, its phone) and the properties
 * the computation set for it. What every writer, push, diff and segment count take in.
 */
import type { Order } from './order.js';

/** A property value as Klaviyo should type it: a number, or a `yyyy-MM-dd HH:mm:ss` UTC date string. */
export type PropertyValue = number | string;

export interface ProfileRow {
  /** Lower-cased email, the profile key; blank for a profile known only by phone. */
  readonly email: string;
  /** Set only for a profile known only by phone (its orders had no email). */
  readonly phone?: string;
  /** Only properties that have a value; an absent key is a blank cell and is never sent. */
  readonly properties: Readonly<Record<string, PropertyValue>>;
}

/** The key an order's profile is known by: its email, or without one its phone. An email has an `@` and a phone number never does, so one index holds both kinds. */
export function profileKey(order: Pick<Order, 'email' | 'phone'>): string {
  return order.email !== '' ? order.email : (order.phone ?? '');
}

/** Profile keys compare by UTF-16 code units: the order rows are written in, whatever the locale. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
