/**
 * What one run computes and as of when, as one object: the definitions (mode, windows, sizes, property
 * names), the as-of instant, and the reducers the registry declares for those definitions with the
 * columns they write. Everything downstream (the CSV header and rows, the profiles-CSV reader's checks,
 * push's JSON, diff, the event store's retention) takes its columns from here.
 */
import { KEY_COLUMNS, propertyKindOfName, type Definitions, type PropertyNames } from './definitions.js';
import type { ProfileOrders, PropertyColumn, Reducer, ReducerKind } from './reducers/reducer.js';
import { REDUCER_KINDS } from './reducers/registry.js';

export interface Computation {
  readonly definitions: Definitions;
  /** Orders placed after this instant (epoch ms) are left out; the trailing windows end here. */
  readonly asOf: number;
  readonly schema: PropertySchema;
}

/**
 * What crosses to another thread (functions do not): the thread makes the same computation from it
 * with `computationOf`, its reducers from the registry.
 */
export interface PortableComputation {
  readonly definitions: Definitions;
  readonly asOf: number;
}

/** The reducers that `kinds` (by default the registry's) declare for `definitions`, and their columns. */
export class PropertySchema {
  readonly reducers: readonly Reducer[];
  /** Every reducer's columns, in the registry's order: the profiles CSV's columns after `Email`. */
  readonly columns: readonly PropertyColumn[];
  /** Whether the reducers are the registry's own, which another thread can make again. */
  readonly portable: boolean;
  /** Where each reducer's first cell is in a profile's cells. */
  readonly #firstCells: Int32Array;

  constructor(definitions: Definitions, kinds: readonly ReducerKind[] = REDUCER_KINDS) {
    this.reducers = kinds.flatMap((kind) => kind.reducers(definitions));
    this.columns = this.reducers.flatMap((reducer) => reducer.columns);
    this.portable = kinds === REDUCER_KINDS;
    this.#firstCells = new Int32Array(this.reducers.length);
    let cell = 0;
    this.reducers.forEach((reducer, r) => {
      this.#firstCells[r] = cell;
      cell += reducer.columns.length;
    });
  }

  get names(): string[] {
    return this.columns.map((column) => column.name);
  }

  /** Fills `cells` (one per column) from one profile's orders; false when every cell is blank: nothing to set. */
  reduce(orders: ProfileOrders, asOf: number, cells: Float64Array): boolean {
    const reducers = this.reducers;
    for (let r = 0; r < reducers.length; r++) reducers[r]!.reduce(orders, asOf, cells, this.#firstCells[r]!);
    for (let c = 0; c < cells.length; c++) if (!Number.isNaN(cells[c]!)) return true;
    return false;
  }

  /** The oldest order time any reducer looks at for a run at `asOf`; undefined: the whole history. */
  ordersNeededFrom(asOf: number): number | undefined {
    let oldest = Infinity;
    for (const reducer of this.reducers) {
      const from = reducer.ordersNeededFrom(asOf);
      if (from === undefined) return undefined;
      oldest = Math.min(oldest, from);
    }
    return oldest === Infinity ? undefined : oldest;
  }
}

export function computationOf({ definitions, asOf }: PortableComputation, kinds: readonly ReducerKind[] = REDUCER_KINDS): Computation {
  return { definitions, asOf, schema: new PropertySchema(definitions, kinds) };
}

/** The computation as plain data for another thread. */
export function portable({ definitions, asOf }: Computation): PortableComputation {
  return { definitions, asOf };
}

/**
 * What is wrong with the chosen names (a window or size not computed, a name used twice), if anything.
 * A name must also read back as what it is: Klaviyo's import and the profiles-CSV reader find the
 * email and phone columns by name in any case, and a profiles CSV from elsewhere is typed by its
 * names' endings (`_value` a number, `_date` a date), so a value named `x_date`, or a date named
 * `x_value`, would make push refuse every row of the file compute wrote.
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
  const columns = new PropertySchema(definitions).columns;
  const seen = new Map<string, string>(KEY_COLUMNS.map((column) => [column.toLowerCase(), column]));
  for (const { name } of columns) {
    const clash = seen.get(name.toLowerCase());
    if (clash === name) return `property name "${name}" is used twice (or clashes with Email / Phone Number)`;
    if (clash !== undefined) return `property name "${name}" clashes with the ${clash} column (names are compared in any case)`;
    seen.set(name.toLowerCase(), name);
  }
  for (const { name, kind } of columns) {
    const read = propertyKindOfName(name);
    if (kind === 'value' && read === 'date') return `the value property "${name}"${windowOf(definitions, name)} ends in _date, which a profiles CSV reads as a date`;
    if (kind === 'date' && read === 'value') return `the date property "${name}" ends in _value, which a profiles CSV reads as a number`;
  }
  return undefined;
}

function windowOf(definitions: Definitions, valueProperty: string): string {
  const window = definitions.windows.find((w) => w.valueProperty === valueProperty);
  return window === undefined ? '' : ` (window ${window.days})`;
}
