/**
 * From normalized orders to profile rows: collects each profile's orders, then runs the reducers.
 * Pure apart from its own state; "now" is the `asOf` argument, never the clock.
 */
import { DAY_MS, type Definitions } from './definitions.js';
import type { Order } from './order.js';
import { flowHighest, windowHighest, type HighestOrder, type OrderSeries } from './reducers.js';
import { formatUtc } from './timestamp.js';

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

interface ProfileHistory {
  readonly placedAt: number[];
  readonly values: number[];
  /** Latest order time per configured size, in `definitions.sizes` order; -Infinity when none. */
  readonly latestBySize: number[];
}

export class ProfileAccumulator {
  readonly #definitions: Definitions;
  readonly #asOf: number;
  readonly #sizeIndex: Map<string, number>;
  readonly #histories = new Map<string, ProfileHistory>();

  constructor(definitions: Definitions, asOf: number) {
    this.#definitions = definitions;
    this.#asOf = asOf;
    this.#sizeIndex = new Map(definitions.sizes.map((s, i) => [s.size, i]));
  }

  get profileCount(): number {
    return this.#histories.size;
  }

  /** Adds an order; returns false (and ignores it) when it was placed after `asOf`. */
  add(order: Order): boolean {
    if (order.placedAt > this.#asOf) return false;
    // An email has an `@` and a phone number never does, so one Map holds both kinds of key.
    const key = order.email !== '' ? order.email : (order.phone ?? '');
    let history = this.#histories.get(key);
    if (history === undefined) {
      history = { placedAt: [], values: [], latestBySize: this.#definitions.sizes.map(() => -Infinity) };
      this.#histories.set(detached(key), history);
    }
    history.placedAt.push(order.placedAt);
    history.values.push(order.value);
    for (const size of order.sizes) {
      const index = this.#sizeIndex.get(size);
      if (index !== undefined && order.placedAt > history.latestBySize[index]!) {
        history.latestBySize[index] = order.placedAt;
      }
    }
    return true;
  }

  /**
   * One row per profile that has at least one property to set, sorted by key (code-unit order), so
   * profiles known only by phone (`+1...`) come before emails.
   */
  toRows(): ProfileRow[] {
    const keys = [...this.#histories.keys()].sort(compareCodeUnits);
    const rows: ProfileRow[] = [];
    for (const key of keys) {
      const properties = this.#propertiesOf(this.#histories.get(key)!);
      if (Object.keys(properties).length === 0) continue;
      rows.push(key.includes('@') ? { email: key, properties } : { email: '', phone: key, properties });
    }
    return rows;
  }

  #propertiesOf(history: ProfileHistory): Record<string, PropertyValue> {
    const properties: Record<string, PropertyValue> = {};
    const series = sortedSeries(history);
    for (const window of this.#definitions.windows) {
      const windowMs = window.days * DAY_MS;
      const highest: HighestOrder | undefined =
        this.#definitions.mode === 'flow' ? flowHighest(series, windowMs) : windowHighest(series, this.#asOf, windowMs);
      if (highest !== undefined) {
        properties[window.valueProperty] = highest.value;
        properties[window.dateProperty] = formatUtc(highest.placedAt);
      }
    }
    this.#definitions.sizes.forEach((size, index) => {
      const latest = history.latestBySize[index]!;
      if (latest !== -Infinity) properties[size.dateProperty] = formatUtc(latest);
    });
    return properties;
  }
}

/** The history in time order, ties by value, so that input row order never matters. */
function sortedSeries(history: ProfileHistory): OrderSeries {
  const { placedAt, values } = history;
  if (placedAt.length === 1) return history;
  const order = placedAt.map((_, i) => i).sort((a, b) => placedAt[a]! - placedAt[b]! || values[a]! - values[b]!);
  return { placedAt: order.map((i) => placedAt[i]!), values: order.map((i) => values[i]!) };
}

/**
 * A copy of a string that does not share memory with the text it was cut from. V8 represents a
 * substring as a view on its parent, so an email sliced from a 1 MB chunk of the input would keep
 * the whole chunk alive for as long as the profile exists; memory must grow with profiles, not rows.
 */
function detached(text: string): string {
  return (' ' + text).slice(1);
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
