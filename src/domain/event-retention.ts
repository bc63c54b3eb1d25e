/**
 * The event store's retention rule: which events a computation can do without. Pure.
 *
 * Each reducer says how far back it looks (reducers/reducer.ts, `ordersNeededFrom`): the flow's replay
 * (a stored maximum can be years old) and a size date (the latest order with that size, ever) need the
 * whole history, so with either nothing is dropped. Only the trailing windows look at a bounded past.
 */
import { PropertySchema } from './computation.js';
import { DAY_MS, type Definitions } from './definitions.js';

/** How far before the needed start events are still kept, so an `--as-of` a little in the past still works. */
export const RETENTION_MARGIN_MS = 30 * DAY_MS;

/** The oldest order time the definitions look at for a run at `asOf`; undefined: the whole history. */
export function eventsNeededFrom(definitions: Definitions, asOf: number): number | undefined {
  return new PropertySchema(definitions).ordersNeededFrom(asOf);
}

/** Before this the store may drop events after a fetch at `now`; undefined: keep everything. */
export function dropEventsBefore(definitions: Definitions, now: number): number | undefined {
  const needed = eventsNeededFrom(definitions, now);
  return needed === undefined ? undefined : needed - RETENTION_MARGIN_MS;
}

/** Whether a store trimmed before `trimmedBefore` still holds what a run at `asOf` needs. */
export function storeCovers(trimmedBefore: number | null, definitions: Definitions, asOf: number): boolean {
  if (trimmedBefore === null) return true;
  const needed = eventsNeededFrom(definitions, asOf);
  return needed !== undefined && needed >= trimmedBefore;
}
