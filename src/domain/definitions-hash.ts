/**
 * A fingerprint of what the properties mean: the mode, each window's days and property names, each
 * size and its property name, and the columns of any other reducer. The nightly push keeps it in its
 * state file; when it differs, the values the state recorded were computed by other rules, so
 * everything is sent again.
 *
 * Reading settings (time zone, columns, exclude-cancelled) are left out on purpose: they change the
 * values, which the field-by-field comparison already catches, not what a property means.
 */
import { createHash } from 'node:crypto';
import { PropertySchema } from './computation.js';
import type { Definitions } from './definitions.js';

/** The parts of the definitions that are hashed, in a fixed order; also kept readable in the state file. */
export interface DefinitionsSummary {
  readonly mode: string;
  readonly windows: readonly { readonly days: number; readonly value: string; readonly date: string }[];
  readonly sizes: readonly { readonly size: string; readonly date: string }[];
  /**
   * Columns of reducers beyond the windows and sizes, in order; absent when there are none, so that
   * the hash of the definitions the state files already hold stays what it was.
   */
  readonly columns?: readonly { readonly name: string; readonly kind: string }[];
}

export function summarizeDefinitions(definitions: Definitions, schema = new PropertySchema(definitions)): DefinitionsSummary {
  const named = new Set([...definitions.windows.flatMap((w) => [w.valueProperty, w.dateProperty]), ...definitions.sizes.map((s) => s.dateProperty)]);
  const others = schema.columns.filter((column) => !named.has(column.name)).map(({ name, kind }) => ({ name, kind }));
  return {
    mode: definitions.mode,
    windows: definitions.windows.map((w) => ({ days: w.days, value: w.valueProperty, date: w.dateProperty })),
    sizes: definitions.sizes.map((s) => ({ size: s.size, date: s.dateProperty })),
    ...(others.length > 0 ? { columns: others } : {}),
  };
}

/** `sha256:<hex>` of the summary's JSON; the summary's key order is fixed by construction. */
export function definitionsHash(definitions: Definitions, schema = new PropertySchema(definitions)): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(summarizeDefinitions(definitions, schema))).digest('hex')}`;
}
