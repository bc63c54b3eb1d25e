/**
 * What the tool computes: the reducer mode, the trailing windows and the sizes, and the
 * property names they are written under. Validated once, up front; the core trusts it after that.
 */
export type ReducerMode = 'flow' | 'window';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface WindowDefinition {
  readonly days: number;
  readonly valueProperty: string;
  readonly dateProperty: string;
}

export interface SizeDefinition {
  /** Canonical size name, as matched against item variants (`small`). */
  readonly size: string;
  readonly dateProperty: string;
}

export interface Definitions {
  readonly mode: ReducerMode;
  /** The 30-day window first (the recipe's own properties), then the others ascending. */
  readonly windows: readonly WindowDefinition[];
  readonly sizes: readonly SizeDefinition[];
}

/** The recipe's naming: 30 days is the flow's own pair, any other N gets an `N_day_` prefix. */
export function windowDefinition(days: number): WindowDefinition {
  const prefix = days === 30 ? '' : `${days}_day_`;
  return {
    days,
    valueProperty: `${prefix}highest_order_value`,
    dateProperty: `${prefix}highest_order_date`,
  };
}

export function sizeDefinition(size: string): SizeDefinition {
  return { size, dateProperty: `${size}_order_date` };
}

export function buildDefinitions(mode: ReducerMode, windowDays: readonly number[], sizes: readonly string[]): Definitions {
  const uniqueDays = [...new Set(windowDays)].sort((a, b) => (a === 30 ? -1 : b === 30 ? 1 : a - b));
  return {
    mode,
    windows: uniqueDays.map(windowDefinition),
    sizes: [...new Set(sizes)].map(sizeDefinition),
  };
}

/** Property columns in output order (after `Email`). */
export function propertyColumns(definitions: Definitions): string[] {
  return [
    ...definitions.windows.flatMap((w) => [w.valueProperty, w.dateProperty]),
    ...definitions.sizes.map((s) => s.dateProperty),
  ];
}
