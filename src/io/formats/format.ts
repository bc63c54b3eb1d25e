/**
 * The contract between input adapters (one per export layout) and the rest of the tool.
 * An adapter turns CSV records into normalized `Order`s; everything after that is layout-free.
 */
import { BackfillError } from '../../errors.js';
import type { Order, SourcePosition } from '../../core/order.js';
import type { TimestampReader } from '../../core/order-timestamps.js';
import type { SizeMatcher } from '../../core/sizes.js';
import type { CsvRecord, CsvSyntaxIssue } from '../csv-records.js';

/** A row that could not be used, with what the user needs to fix it. */
export interface RejectedRecord {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly reason: string;
  /** Header name of the offending column, when one is to blame. */
  readonly column?: string;
  /** 1-based number of that column. */
  readonly columnNumber?: number;
  readonly raw: string;
}

/** Where an adapter delivers what it read. Calls come in input order. */
export interface OrderSink {
  /**
   * `raw` gives the order's rows as in the file, only if needed (a conflicting duplicate is rejected),
   * and only during the call; nor is `order` to be kept after it (an adapter may hand over its own
   * working object, which holds the rows).
   */
  order(order: Order, at: SourcePosition, raw: () => string): void;
  /** An order with no email (POS, draft): not an error, but it cannot be tied to a profile. */
  withoutEmail(orderId: string, at: SourcePosition): void;
  /** An order left out on purpose (e.g. `--exclude-cancelled`). */
  excluded(orderId: string, at: SourcePosition): void;
  reject(rejected: RejectedRecord): void;
  /**
   * Item rows of an order read apart from the row with its total: other orders' rows lie between
   * (a file sorted in a spreadsheet). They add their sizes to the order, at the key and time they
   * carry themselves (a Shopify row repeats its order's Email and Created at), once the run has read
   * the order; when it never does, they are rejected (`unmatched`). Optional: a sink without it gets
   * them as those rejects at once.
   */
  apartRows?(rows: ApartRows): void;
}

/** See `OrderSink.apartRows`. */
export interface ApartRows {
  readonly orderId: string;
  /** The key the rows carry: an email, or (email blank) a phone. */
  readonly email: string;
  readonly phone?: string;
  readonly placedAt: number;
  readonly sizes: readonly string[];
  /** What the rows are when the order is never read: rejects made now (the rows themselves are not to be kept). */
  readonly unmatched: readonly RejectedRecord[];
}

/**
 * Header names for each field an order needs. A preset lists the names its platform uses; the config's
 * `columns` replaces a preset's list field by field. Email, phone, items and size use every listed column
 * present (email falls back from one to the next per row); the others use the first one present.
 */
export interface ColumnMapping {
  readonly email: readonly string[];
  readonly phone: readonly string[];
  readonly orderId: readonly string[];
  readonly placedAt: readonly string[];
  readonly value: readonly string[];
  readonly status: readonly string[];
  readonly items: readonly string[];
  readonly size: readonly string[];
}

export type ColumnField = keyof ColumnMapping;

/** How the tool finds sizes inside item cells, beyond the `SizeMatcher`'s names and aliases. */
export interface SizeSource {
  readonly sizes: SizeMatcher;
  /** Name of the variant option / attribute that holds the size (`Size`, WooCommerce `pa_size`). */
  readonly sizeOption: string;
  /** When set, sizes in item names and size cells are what it matches (its first group, if any). */
  readonly sizePattern: RegExp | undefined;
}

/** Settings for one file: the run's settings plus what was found out about this file. */
export interface FormatOptions extends SizeSource {
  /** Leave out cancelled, voided and refunded orders (the flow itself sees them all). */
  readonly excludeCancelled: boolean;
  /** The config's `columns`, overriding the preset's names field by field. */
  readonly columns: Partial<ColumnMapping>;
  /** This file's timestamp reader (its day/month order is settled per file). */
  readonly timestamps: TimestampReader;
  /** Money written `1.234,56` (semicolon files from EU spreadsheets). */
  readonly decimalComma: boolean;
}

/** Reads the records of one file after its header. */
export interface RecordConsumer {
  /**
   * The columns this reader looks at; the others are not decoded (most of a Shopify export's 79
   * columns never matter). Undefined: all of them.
   */
  readonly columns?: readonly number[];
  record(record: CsvRecord): void;
  syntax(issue: CsvSyntaxIssue): void;
  /** End of file: deliver whatever is still open. */
  end(): void;
  /**
   * Formats that can be read in parts (see `OrderFormat.cutColumns`): the id of the order still open
   * (undefined when none), and whether records are held back (then the file may not be cut here).
   */
  cutState?(): { readonly openOrderId: string | undefined; readonly holding: boolean };
}

/**
 * Where a format's file may be cut for reading in parts: between two records whose `orderId` cells
 * differ (an order's rows are consecutive), found by the record's `placedAt` cell being year-first.
 */
export interface CutColumns {
  readonly orderId: number;
  readonly placedAt: number;
}

export interface OrderFormat {
  readonly name: string;
  readonly description: string;
  /** Whether a header looks like this format's (used when no --format is given). */
  detect(columns: HeaderIndex): boolean;
  /** Throws `BackfillError('MISSING_COLUMNS')` naming what is missing and what was found. */
  open(header: readonly string[], file: string, options: FormatOptions, sink: OrderSink): RecordConsumer;
  /** Formats whose files may be read in parts on several threads: the columns that find a cut. */
  cutColumns?(header: readonly string[]): CutColumns | undefined;
}

/** Looks columns up by header name (exports add and move columns over time, so never by position). */
export class HeaderIndex {
  readonly #index = new Map<string, number>();
  readonly header: readonly string[];

  constructor(header: readonly string[]) {
    this.header = header;
    header.forEach((name, i) => {
      const key = name.trim().toLowerCase();
      if (!this.#index.has(key)) this.#index.set(key, i);
    });
  }

  find(name: string): number | undefined {
    return this.#index.get(name.trim().toLowerCase());
  }

  /** The first of `names` present, as its column number. */
  first(names: readonly string[]): number | undefined {
    for (const name of names) {
      const index = this.find(name);
      if (index !== undefined) return index;
    }
    return undefined;
  }

  /** Every one of `names` present, in the order given, without repeats. */
  all(names: readonly string[]): number[] {
    const found: number[] = [];
    for (const name of names) {
      const index = this.find(name);
      if (index !== undefined && !found.includes(index)) found.push(index);
    }
    return found;
  }

  missing(names: readonly string[]): string[] {
    return names.filter((name) => this.find(name) === undefined);
  }

  /**
   * Stops the run (exit 2) when a column the format reads appears twice in the header (`Total` twice:
   * a renamed Subtotal): reading the first one silently could take the wrong numbers.
   */
  requireUnique(used: readonly (number | undefined)[], file: string): void {
    for (const column of used) {
      if (column === undefined) continue;
      const name = this.header[column]!;
      const positions = this.header.flatMap((other, i) => (other.trim().toLowerCase() === name.trim().toLowerCase() ? [i + 1] : []));
      if (positions.length < 2) continue;
      throw new BackfillError('DUPLICATE_COLUMN', `${file}: the header has the column "${name.trim()}" ${positions.length} times, at columns ${positions.join(' and ')}, and this run reads it: it cannot tell which one is meant`, {
        location: { file, line: 1, column: positions[1]! },
        hint: 'Rename or remove the extra column in the header (a renamed copy of another column, such as Subtotal?), then run again.',
      });
    }
  }
}

/** What is wrong with an order: the row to blame, and the column when one cell is. */
export interface OrderProblem {
  readonly line: number;
  readonly code: string;
  readonly reason: string;
  /** 0-based index of the offending column. */
  readonly column?: number;
}

/**
 * Sends every row of a rejected order to the rejects, the row to blame with the reason and the
 * others pointing at it, so the order can be fixed and re-run whole (never half-counted).
 */
export function rejectOrderRows(
  sink: OrderSink,
  file: string,
  header: readonly string[],
  orderId: string,
  rows: readonly CsvRecord[],
  problem: OrderProblem,
): void {
  for (const rejected of orderRowRejects(file, header, orderId, rows, problem)) sink.reject(rejected);
}

/** The rejects `rejectOrderRows` gives, as records. */
export function orderRowRejects(file: string, header: readonly string[], orderId: string, rows: readonly CsvRecord[], problem: OrderProblem): RejectedRecord[] {
  return rows.map((row) => {
    const isCause = row.line === problem.line;
    return {
      file,
      line: row.line,
      code: isCause ? problem.code : 'ORDER_REJECTED',
      reason: isCause ? problem.reason : `order ${orderId} has a bad row at line ${problem.line}`,
      ...(isCause && problem.column !== undefined ? { column: header[problem.column]!, columnNumber: problem.column + 1 } : {}),
      raw: row.raw,
    };
  });
}

/** Hands apart rows to the sink, or, to a sink that takes none, their rejects. */
export function deliverApartRows(sink: OrderSink, rows: ApartRows): void {
  if (sink.apartRows !== undefined) sink.apartRows(rows);
  else for (const rejected of rows.unmatched) sink.reject(rejected);
}
