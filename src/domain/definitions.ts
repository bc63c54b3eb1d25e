/**
 * What the tool computes: the reducer mode, the trailing windows and the sizes, and the
 * property names they are written under. Validated once, up front; the core trusts it after that.
 * Plain data, so that it can be sent to another thread; the reducers and the columns they write
 * follow from it (computation.ts, reducers/registry.ts).
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

/**
 * Property names a merchant chose instead of the recipe's (`vip_max_order_value`): per window (by its
 * number of days) and per size. Anything not named keeps the recipe's name.
 */
export interface PropertyNames {
  readonly windows?: Readonly<Record<string, { readonly value?: string; readonly date?: string }>>;
  readonly sizes?: Readonly<Record<string, string>>;
}

export function buildDefinitions(
  mode: ReducerMode,
  windowDays: readonly number[],
  sizes: readonly string[],
  names: PropertyNames = {},
): Definitions {
  const uniqueDays = [...new Set(windowDays)].sort((a, b) => (a === 30 ? -1 : b === 30 ? 1 : a - b));
  return {
    mode,
    windows: uniqueDays.map((days) => {
      const recipe = windowDefinition(days);
      const named = names.windows?.[String(days)];
      return { days, valueProperty: named?.value ?? recipe.valueProperty, dateProperty: named?.date ?? recipe.dateProperty };
    }),
    sizes: [...new Set(sizes)].map((size) => ({ size, dateProperty: names.sizes?.[size] ?? sizeDefinition(size).dateProperty })),
  };
}

/** The profile's key columns of a profiles CSV, before the properties. */
export const KEY_COLUMNS = ['Email', 'Phone Number'] as const;

/**
 * What a profiles CSV's column holds, told by its name's ending in any case (the reader, push
 * --profiles and diff --against FILE, checks each cell by it): `_value` a plain number, `_date` a
 * `yyyy-MM-dd HH:mm:ss` date, anything else a number or text as it reads.
 */
export function propertyKindOfName(name: string): 'value' | 'date' | 'any' {
  const lower = name.toLowerCase();
  if (lower.endsWith('_value')) return 'value';
  if (lower.endsWith('_date')) return 'date';
  return 'any';
}
