/**
 * Shopify's "Export orders" CSV (Admin > Orders > Export).
 *
 * One row per line item. An order's rows share `Name` (`#1001`) and are consecutive in an export as
 * Shopify writes it; order-level columns (`Total`, `Financial Status`, `Id`, ...) are filled only on
 * its first row. Rows of an order apart from its first row (a file sorted in a spreadsheet) still
 * count: see OpenOrder.apart. Headers have 71 to 79 columns depending on the export's date, so
 * columns are found by name.
 */
import type { Order } from '../../domain/order.js';
import { BackfillError } from '../../errors.js';
import { emailCell, instantCell, lineItemSizesCell, moneyCell, sameCell } from '../../engine/csv/cell-readers.js';
import { MAX_ORDER_VALUE, orderValueProblem } from '../../domain/money.js';
import type { CsvRecord, CsvSyntaxIssue } from '../../engine/csv/csv-records.js';
import { DateOrderGate } from './date-order-gate.js';
import { addSizesInText } from './item-sizes.js';
import { deliverApartRows, HeaderIndex, orderRowRejects, rejectOrderRows, type FormatOptions, type OrderFormat, type OrderProblem, type OrderSink, type RecordConsumer } from './format.js';

const REQUIRED = ['Name', 'Email', 'Created at', 'Total', 'Lineitem name'] as const;

/** Financial statuses that mean the money did not stay with the merchant. */
const CANCELLED_STATUSES = new Set(['voided', 'refunded']);

/** The rows of the order being read, until its `Name` changes; once read, the `Order` itself. */
interface OpenOrder extends Order {
  /** The order's `Name`. */
  readonly orderId: string;
  readonly rows: CsvRecord[];
  email: string;
  placedAt: number;
  value: number;
  cancelled: boolean;
  readonly sizes: string[];
  problem: OrderProblem | undefined;
  /**
   * Item rows without the order's Total, its first row read elsewhere (before or after: other
   * orders' rows lie between): they add their sizes to that order (see OrderSink.apartRows).
   */
  apart: boolean;
}

export const shopifyFormat: OrderFormat = {
  name: 'shopify',
  description: 'Shopify Admin > Orders > Export (one row per line item, grouped by Name)',
  detect: (columns) => columns.missing(REQUIRED).length === 0,
  open(header, file, options, sink) {
    const columns = new HeaderIndex(header);
    const missing = columns.missing(REQUIRED);
    if (missing.length > 0) {
      throw new BackfillError(
        'MISSING_COLUMNS',
        `${file} is missing the Shopify column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}. ` +
          `Columns found: ${header.map((h) => `"${h}"`).join(', ')}.`,
        { location: { file, line: 1 }, hint: 'Export from Shopify Admin > Orders > Export, "Plain CSV file", all columns.' },
      );
    }
    // Excel re-saves rewrite `Created at` as `31/12/2023 22:36`; the gate settles such a file's day/month order.
    const createdAt = columns.find('Created at')!;
    const reader = new ShopifyReader(columns, file, options, sink);
    columns.requireUnique(reader.columns, file);
    return new DateOrderGate(reader, createdAt, header[createdAt]!, options.timestamps, file);
  },
  cutColumns(header) {
    const columns = new HeaderIndex(header);
    const orderId = columns.find('Name');
    const placedAt = columns.find('Created at');
    return orderId === undefined || placedAt === undefined ? undefined : { orderId, placedAt };
  },
};

class ShopifyReader implements RecordConsumer {
  readonly #file: string;
  readonly #options: FormatOptions;
  readonly #sink: OrderSink;
  readonly #width: number;
  readonly #header: readonly string[];
  readonly #name: number;
  readonly #email: number;
  readonly #createdAt: number;
  readonly #total: number;
  readonly #lineItemName: number;
  readonly #financialStatus: number | undefined;
  readonly #cancelledAt: number | undefined;
  readonly columns: readonly number[];
  #open: OpenOrder | undefined;
  /** The order `#flush` is handing to the sink, for `#rawOfFlushing`. */
  #flushing: OpenOrder | undefined;
  readonly #rawOfFlushing = (): string => this.#flushing!.rows.map((row) => row.raw).join('');

  constructor(columns: HeaderIndex, file: string, options: FormatOptions, sink: OrderSink) {
    this.#file = file;
    this.#options = options;
    this.#sink = sink;
    this.#header = columns.header;
    this.#width = columns.header.length;
    this.#name = columns.find('Name')!;
    this.#email = columns.find('Email')!;
    this.#createdAt = columns.find('Created at')!;
    this.#total = columns.find('Total')!;
    this.#lineItemName = columns.find('Lineitem name')!;
    this.#financialStatus = columns.find('Financial Status');
    this.#cancelledAt = columns.find('Cancelled at');
    // The status columns are read only to leave cancelled orders out: otherwise not even decoded.
    const statusColumns = options.excludeCancelled ? [this.#financialStatus, this.#cancelledAt] : [];
    this.columns = [this.#name, this.#email, this.#createdAt, this.#total, this.#lineItemName, ...statusColumns].filter((column) => column !== undefined);
  }

  record(record: CsvRecord): void {
    let open = this.#open;
    const name = open !== undefined && sameCell(open.rows[0]!, record, this.#name) ? open.orderId : (record.text(this.#name) ?? '');
    if (open === undefined || open.orderId !== name || (open.apart && this.#hasTotal(record))) {
      this.#flush();
      open = this.#open = this.#startOrder(name, record);
    } else {
      open.rows.push(record);
      if (record.fieldCount !== this.#width) open.problem ??= this.#widthProblem(record);
    }
    if (open.problem === undefined) this.#addSizes(open, record);
  }

  cutState(): { readonly openOrderId: string | undefined; readonly holding: boolean } {
    // Rows apart from their order are matched with it once the whole run is read: a part that has
    // any cannot stand alone (the file is read in turn from there).
    return { openOrderId: this.#open?.orderId, holding: this.#apartRows > 0 };
  }

  /** Apart rows handed on (see OpenOrder.apart). */
  #apartRows = 0;

  /** Whether the row's Total cell holds anything: an order's first row does, its other item rows do not. */
  #hasTotal(record: CsvRecord): boolean {
    return (record.text(this.#total) ?? '').trim() !== '';
  }

  syntax(issue: CsvSyntaxIssue): void {
    // The swallowed text may hold more rows of the open order; if it starts with that order's
    // Name, the order is incomplete and goes to the rejects with it rather than being half-counted.
    const open = this.#open;
    if (open !== undefined && open.orderId !== '' && issue.raw.startsWith(open.orderId)) {
      open.problem ??= { line: issue.line, code: 'ORDER_INCOMPLETE', reason: `a row of this order is malformed: ${issue.reason}` };
    }
    this.#flush();
    this.#sink.reject({ file: this.#file, line: issue.line, code: issue.code, reason: issue.reason, raw: issue.raw });
  }

  end(): void {
    this.#flush();
  }

  #startOrder(name: string, record: CsvRecord): OpenOrder {
    const order: OpenOrder = {
      orderId: name,
      rows: [record],
      email: '',
      placedAt: 0,
      value: 0,
      cancelled: false,
      sizes: [],
      problem: undefined,
      apart: false,
    };
    if (record.fieldCount !== this.#width) {
      order.problem = this.#widthProblem(record);
      return order;
    }
    if (name.trim() === '') {
      order.problem = this.#cellProblem(record, this.#name, 'MISSING_ORDER_ID', 'no order Name');
      return order;
    }
    // Cells are read one by one, as they are needed: most are needed on an order's first row only.
    const value = moneyCell(record, this.#total, this.#options.decimalComma);
    if (value === undefined || Math.abs(value) >= MAX_ORDER_VALUE) {
      const total = record.text(this.#total)!;
      // No Total: not an order's first row, but an item row of an order whose first row is elsewhere.
      if (total.trim() === '') return this.#startApart(order, record);
      const reason = value !== undefined ? `Total ${orderValueProblem(value, total)}` : `Total is not a number: "${total}"`;
      order.problem = this.#cellProblem(record, this.#total, 'BAD_VALUE', reason);
      return order;
    }
    const placedAt = instantCell(record, this.#createdAt, this.#options.timestamps);
    if (typeof placedAt !== 'number') {
      order.problem = this.#cellProblem(record, this.#createdAt, 'BAD_DATE', `Created at: ${placedAt.reason}`);
      return order;
    }
    order.value = value;
    order.placedAt = placedAt;
    this.#readEmail(order, record);
    order.cancelled = this.#options.excludeCancelled && this.#isCancelled(record);
    return order;
  }

  /**
   * An item row whose Name starts no order here (no Total): a row of an order whose first row is
   * elsewhere in the run. Its own Email and Created at (Shopify repeats both on every row) place its sizes.
   */
  #startApart(order: OpenOrder, record: CsvRecord): OpenOrder {
    order.apart = true;
    const placedAt = instantCell(record, this.#createdAt, this.#options.timestamps);
    if (typeof placedAt !== 'number') {
      order.problem = this.#cellProblem(record, this.#createdAt, 'BAD_DATE', `Created at: ${placedAt.reason}`);
      return order;
    }
    order.placedAt = placedAt;
    this.#readEmail(order, record);
    return order;
  }

  #addSizes(order: OpenOrder, record: CsvRecord): void {
    if (order.email === '') {
      this.#readEmail(order, record);
    }
    // A `sizePattern` takes the place of the variant suffix, as for every other format's item names.
    if (this.#options.sizePattern !== undefined) {
      addSizesInText(order.sizes, record.text(this.#lineItemName) ?? '', this.#options);
      return;
    }
    for (const size of lineItemSizesCell(record, this.#lineItemName, this.#options.sizes)) {
      if (!order.sizes.includes(size)) order.sizes.push(size);
    }
  }

  /** The row's email, lower-cased and trimmed; one push could not send is a bad row here too (the same check): it never reaches the CSV. */
  #readEmail(order: OpenOrder, record: CsvRecord): void {
    const email = emailCell(record, this.#email);
    if (typeof email === 'string') {
      order.email = email;
      return;
    }
    order.email = email.email;
    order.problem ??= this.#cellProblem(record, this.#email, 'BAD_EMAIL', email.reason);
  }

  #isCancelled(record: CsvRecord): boolean {
    const cancelledAt = this.#cancelledAt === undefined ? '' : record.text(this.#cancelledAt)!.trim();
    const status = this.#financialStatus === undefined ? '' : record.text(this.#financialStatus)!.trim().toLowerCase();
    return cancelledAt !== '' || CANCELLED_STATUSES.has(status);
  }

  #flush(): void {
    const order = this.#open;
    this.#open = undefined;
    if (order === undefined) return;
    const at = { file: this.#file, line: order.rows[0]!.line };
    if (order.problem !== undefined) {
      rejectOrderRows(this.#sink, this.#file, this.#header, order.orderId, order.rows, order.problem);
    } else if (order.apart) {
      // Without an Email the rows add nothing: their order is one without email too, or theirs cannot be told.
      if (order.email === '') return;
      this.#apartRows++;
      const first = order.rows[0]!;
      const unmatched = this.#cellProblem(first, this.#total, 'BAD_VALUE', `no Total on the order's first row: no row of order ${order.orderId} with its Total was read (an order's rows need not be consecutive, but one of them must carry its Total)`);
      deliverApartRows(this.#sink, { orderId: order.orderId, email: order.email, placedAt: order.placedAt, sizes: order.sizes, unmatched: orderRowRejects(this.#file, this.#header, order.orderId, order.rows, unmatched) });
    } else if (order.email === '') {
      this.#sink.withoutEmail(order.orderId, at);
    } else if (this.#options.excludeCancelled && order.cancelled) {
      this.#sink.excluded(order.orderId, at);
    } else {
      // The open order is the Order (no copy per order), and one function gives the raw rows of the
      // order being handed over, which the sink may ask for only during the call.
      this.#flushing = order;
      this.#sink.order(order, at, this.#rawOfFlushing);
    }
  }

  #widthProblem(record: CsvRecord): OrderProblem {
    return {
      line: record.line,
      code: 'FIELD_COUNT',
      reason: `has ${record.fieldCount} fields, the header has ${this.#width}`,
    };
  }

  #cellProblem(record: CsvRecord, column: number, code: string, reason: string): OrderProblem {
    return { line: record.line, code, reason, column };
  }
}
