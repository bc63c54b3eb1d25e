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

/**
 * What is wrong with the chosen names (a window or size not computed, a name used twice), if anything.
 * A name must also read back as what it is: Klaviyo's import and the profiles-CSV reader find the
 * email and phone columns by name in any case, and the reader types a column by its name's ending
 * (`_value` a number, `_date` a date), so a window's value named `x_date`, or a date named `x_value`,
 * would make push refuse every row of the file compute wrote.
 */
export function propertyNameProblem(definitions: Definitions, names: PropertyNames): string | undefined {
  for (const days of Object.keys(names.windows ?? {})) {
    if (!definitions.windows.some((w) => String(w.days) === days)) {
      return `"properties.windows" names window "${days}", which is not computed (windows: ${definitions.windows.map((w) => w.days).join(', ')})`;
    }
  }
  for (const size of Object.keys(names.sizes ?? {})) {
    if (!definitions.sizes.some((s) => s.size === size)) {
      return `"properties.sizes" names size "${size}", which is not computed (sizes: ${definitions.sizes.map((s) => s.size).join(', ')})`;
    }
  }
  const seen = new Map<string, string>(KEY_COLUMNS.map((column) => [column.toLowerCase(), column]));
  for (const column of propertyColumns(definitions)) {
    const clash = seen.get(column.toLowerCase());
    if (clash === column) return `property name "${column}" is used twice (or clashes with Email / Phone Number)`;
    if (clash !== undefined) return `property name "${column}" clashes with the ${clash} column (names are compared in any case)`;
    seen.set(column.toLowerCase(), column);
  }
  for (const window of definitions.windows) {
    if (propertyKindOfName(window.valueProperty) === 'date') return `the value property "${window.valueProperty}" (window ${window.days}) ends in _date, which a profiles CSV reads as a date`;
  }
  for (const date of [...definitions.windows.map((w) => w.dateProperty), ...definitions.sizes.map((s) => s.dateProperty)]) {
    if (propertyKindOfName(date) === 'value') return `the date property "${date}" ends in _value, which a profiles CSV reads as a number`;
  }
  return undefined;
}

/** The profile's key columns of a profiles CSV, before the properties. */
const KEY_COLUMNS = ['Email', 'Phone Number'] as const;

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

/** Property columns in output order (after `Email`). */
export function propertyColumns(definitions: Definitions): string[] {
  return [
    ...definitions.windows.flatMap((w) => [w.valueProperty, w.dateProperty]),
    ...definitions.sizes.map((s) => s.dateProperty),
  ];
}
