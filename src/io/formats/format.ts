/**
 * The contract between input adapters (one per export layout) and the rest of the tool.
 * An adapter turns CSV records into normalized `Order`s; everything after that is layout-free.
 */
import type { Order, SourcePosition } from '../../core/order.js';
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
  order(order: Order, at: SourcePosition): void;
  /** An order with no email (POS, draft): not an error, but it cannot be tied to a profile. */
  withoutEmail(orderId: string, at: SourcePosition): void;
  /** An order left out on purpose (e.g. `--exclude-cancelled`). */
  excluded(orderId: string, at: SourcePosition): void;
  reject(rejected: RejectedRecord): void;
}

export interface FormatOptions {
  readonly sizes: SizeMatcher;
  /** Leave out cancelled, voided and refunded orders (the flow itself sees them all). */
  readonly excludeCancelled: boolean;
}

/** Reads the records of one file after its header. */
export interface RecordConsumer {
  record(record: CsvRecord): void;
  syntax(issue: CsvSyntaxIssue): void;
  /** End of file: deliver whatever is still open. */
  end(): void;
}

export interface OrderFormat {
  readonly name: string;
  readonly description: string;
  /** Throws `BackfillError('MISSING_COLUMNS')` naming what is missing and what was found. */
  open(header: readonly string[], file: string, options: FormatOptions, sink: OrderSink): RecordConsumer;
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
    return this.#index.get(name.toLowerCase());
  }

  missing(names: readonly string[]): string[] {
    return names.filter((name) => this.find(name) === undefined);
  }
}
