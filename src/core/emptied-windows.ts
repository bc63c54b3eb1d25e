/**
 * Clearing emptied windows (`push --incremental --clear-emptied`). In window mode a profile whose
 * orders all left a window computes a blank for it, but Klaviyo keeps the value and date it was sent
 * earlier: the bulk import ignores `null` and no public document says a bulk job honours `unset`. So
 * each such profile gets one Create or Update Profile request (POST /api/profile-import, revision
 * 2026-07-15, schema `ProfileUpsertQuery`) whose `meta.patch_properties.unset` names exactly the
 * emptied windows' properties. Pure: which profiles, which properties, and the request body.
 */
import type { Definitions } from './definitions.js';
import { compareCodeUnits, type ProfileRow, type PropertyValue } from './profiles.js';

/** One window's two properties: they are set together, so they are cleared together. */
export interface WindowProperties {
  readonly days: number;
  readonly value: string;
  readonly date: string;
}

/**
 * The properties this tool computes that a clear may unset: each window's value and date. The one
 * place that says so; nothing else is ever named in an `unset`. Size dates are not among them: the
 * latest order with a size never leaves, so a size date never empties.
 */
export function clearableWindowProperties(definitions: Definitions): WindowProperties[] {
  return definitions.windows.map((window) => ({ days: window.days, value: window.valueProperty, date: window.dateProperty }));
}

/** One profile's clear: the request that removes its emptied windows' properties from Klaviyo. */
export interface PropertyClear {
  /** Lower-cased, as the state keys it. */
  readonly email: string;
  /** Value and date of each emptied window, in the definitions' order. */
  readonly properties: readonly string[];
}

export interface ClearPlan {
  /** By email (code-unit order). */
  readonly clears: PropertyClear[];
  /**
   * Profiles known only by phone with a blank window: skipped. Push never sends them (the import keys
   * on email), so the state holds nothing to clear for them.
   */
  readonly withoutEmail: number;
}

/**
 * The profiles whose baseline (the confirmed state, for a push: lower-cased email -> properties) holds
 * a window property that the computation leaves blank, and those properties (value and date of the
 * window). `computed` are the profiles with something to set, `withoutProperties` those whose orders
 * set nothing any more; a profile in neither (not in the export) is left as it is.
 */
export function planClears(
  computed: readonly ProfileRow[],
  withoutProperties: readonly ProfileRow[],
  baseline: ReadonlyMap<string, Readonly<Record<string, PropertyValue>>> | undefined,
  definitions: Definitions,
): ClearPlan {
  const windows = clearableWindowProperties(definitions);
  const clears: PropertyClear[] = [];
  let withoutEmail = 0;
  for (const row of [...computed, ...withoutProperties]) {
    const blank = windows.filter((window) => row.properties[window.value] === undefined && row.properties[window.date] === undefined);
    if (blank.length === 0) continue;
    if (row.email === '') {
      withoutEmail++;
      continue;
    }
    const email = row.email.toLowerCase();
    const held = baseline?.get(email);
    if (held === undefined) continue;
    const properties = blank.filter((window) => holds(held, window.value) || holds(held, window.date)).flatMap((window) => [window.value, window.date]);
    if (properties.length > 0) clears.push({ email, properties });
  }
  clears.sort((a, b) => compareCodeUnits(a.email, b.email));
  return { clears, withoutEmail };
}

function holds(properties: Readonly<Record<string, PropertyValue>>, name: string): boolean {
  return properties[name] !== undefined;
}

/** The body of POST /api/profile-import that removes these properties: `ProfileUpsertQuery`. */
export interface UnsetRequest {
  readonly data: {
    readonly type: 'profile';
    readonly attributes: { readonly email: string };
    readonly meta: { readonly patch_properties: { readonly unset: readonly string[] } };
  };
}

/** Only the email (the profile to find) and the keys to remove: nothing is set, nothing sent as null. */
export function unsetRequest(clear: PropertyClear): UnsetRequest {
  return { data: { type: 'profile', attributes: { email: clear.email }, meta: { patch_properties: { unset: [...clear.properties] } } } };
}
