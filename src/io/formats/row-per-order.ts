/**
 * The reader shared by every layout with one row per order (WooCommerce, BigCommerce, Klaviyo event
 * exports, any mapped CSV). A layout names its columns and says how to find sizes in its item cells;
 * this module does the rest. Consecutive rows with the same order id are one order (one-row-per-item
 * layouts): its total, date and status come from the first row, sizes from all.
 */
import { BackfillError } from '../../errors.js';
import { emailProblem } from '../../domain/email.js';
import { instantCell, moneyCell } from '../../engine/csv/cell-readers.js';
import { stripExcelPrefix } from '../../domain/order-timestamps.js';
import type { CsvRecord, CsvSyntaxIssue } from '../../engine/csv/csv-records.js';
import { MAX_ORDER_VALUE, orderValueProblem } from '../../domain/money.js';
import { CANCELLED_STATUSES } from '../../domain/order-status.js';
import { DateOrderGate } from './date-order-gate.js';
import { addSizesInSizeCell } from './item-sizes.js';
import { type ColumnField, type ColumnMapping, type FormatOptions, HeaderIndex, type OrderFormat, type OrderProblem, type OrderSink, type RecordConsumer, rejectOrderRows, type SizeSource } from './format.js';

export interface RowPerOrderLayout {
  readonly name: string;
  readonly description: string;
  /** The column names this platform writes. */
  readonly columns: ColumnMapping;
  /** How to get the export, shown when columns are missing. */
  readonly exportHint: string;
  detect(columns: HeaderIndex): boolean;
  /** Item columns found by pattern rather than by name (WebToffee's `line_item_1` ... `line_item_N`). */
  extraItemColumns?(columns: HeaderIndex): number[];
  /** Adds the sizes named in one item cell; throws an `ItemCellError` when the cell cannot be read. */
  addSizesInItems(found: string[], cell: string, source: SizeSource): void;
}

export class ItemCellError extends Error {}

export function rowPerOrderFormat(layout: RowPerOrderLayout): OrderFormat {
  return {
    name: layout.name,
    description: layout.description,
    detect: (columns) => layout.detect(columns),
    open(header, file, options, sink) {
      const columns = new HeaderIndex(header);
      const resolved = resolveColumns(layout, columns, file, options);
      const { email, phone, orderId, placedAt, value, status, items, size } = resolved;
      columns.requireUnique([...email, ...phone, orderId, placedAt, value, status, ...items, ...size], file);
      const reader = new RowPerOrderReader(layout, resolved, columns, file, options, sink);
      return new DateOrderGate(reader, resolved.placedAt, header[resolved.placedAt]!, options.timestamps, file);
    },
  };
}

interface ResolvedColumns {
  readonly email: number[];
  readonly phone: number[];
  readonly orderId: number | undefined;
  readonly placedAt: number;
  readonly value: number;
  readonly status: number | undefined;
  readonly items: number[];
  readonly size: number[];
}

function resolveColumns(layout: RowPerOrderLayout, columns: HeaderIndex, file: string, options: FormatOptions): ResolvedColumns {
  const names = (field: ColumnField): readonly string[] => options.columns[field] ?? layout.columns[field];
  const email = columns.all(names('email'));
  const phone = columns.all(names('phone'));
  const placedAt = columns.first(names('placedAt'));
  const value = columns.first(names('value'));
  const missing: string[] = [];
  if (email.length === 0 && phone.length === 0) missing.push(`an email or phone column (${[...names('email'), ...names('phone')].map(quote).join(', ') || 'none mapped'}) [keys "columns.email", "columns.phone"]`);
  if (placedAt === undefined) missing.push(`the order date (${names('placedAt').map(quote).join(', ') || 'none mapped'}) [key "columns.placedAt"]`);
  if (value === undefined) missing.push(`the order total (${names('value').map(quote).join(', ') || 'none mapped'}) [key "columns.value"]`);
  if (missing.length > 0) {
    throw new BackfillError(
      'MISSING_COLUMNS',
      `${file} has no column for ${missing.join('; nor for ')}. Columns found: ${columns.header.map(quote).join(', ')}.`,
      {
        location: { file, line: 1 },
        hint: `${layout.exportHint} Or name the columns in backfill.config.json, e.g. "columns": { "email": "Customer Email", "placedAt": "Order Date", "value": "Total" } (README, "Input formats and configuration").`,
      },
    );
  }
  const items = columns.all(names('items'));
  for (const extra of layout.extraItemColumns?.(columns) ?? []) if (!items.includes(extra)) items.push(extra);
  return {
    email,
    phone,
    orderId: columns.first(names('orderId')),
    placedAt: placedAt!,
    value: value!,
    status: columns.first(names('status')),
    items,
    size: columns.all(names('size')),
  };
}

function quote(name: string): string {
  return `"${name}"`;
}

interface OpenOrder {
  readonly id: string;
  readonly rows: CsvRecord[];
  email: string;
  phone: string;
  placedAt: number;
  value: number;
  cancelled: boolean;
  readonly sizes: string[];
  problem: OrderProblem | undefined;
}

class RowPerOrderReader implements RecordConsumer {
  readonly #layout: RowPerOrderLayout;
  readonly #at: ResolvedColumns;
  readonly #header: readonly string[];
  readonly #file: string;
  readonly #options: FormatOptions;
  readonly #sink: OrderSink;
  #open: OpenOrder | undefined;

  constructor(layout: RowPerOrderLayout, at: ResolvedColumns, columns: HeaderIndex, file: string, options: FormatOptions, sink: OrderSink) {
    this.#layout = layout;
    this.#at = at;
    this.#header = columns.header;
    this.#file = file;
    this.#options = options;
    this.#sink = sink;
  }

  record(record: CsvRecord): void {
    const { fields } = record;
    const id = this.#at.orderId === undefined ? '' : stripExcelPrefix((fields[this.#at.orderId] ?? '').trim());
    const open = this.#open;
    if (open !== undefined && id !== '' && open.id === id) {
      open.rows.push(record);
      this.#readItems(open, record);
      return;
    }
    this.#flush();
    this.#open = this.#startOrder(id, record);
  }

  syntax(issue: CsvSyntaxIssue): void {
    this.#flush();
    this.#sink.reject({ file: this.#file, line: issue.line, code: issue.code, reason: issue.reason, raw: issue.raw });
  }

  end(): void {
    this.#flush();
  }

  #startOrder(id: string, record: CsvRecord): OpenOrder {
    const order: OpenOrder = { id, rows: [record], email: '', phone: '', placedAt: 0, value: 0, cancelled: false, sizes: [], problem: undefined };
    const { fields } = record;
    const at = this.#at;
    if (record.fieldCount !== this.#header.length) {
      order.problem = { line: record.line, code: 'FIELD_COUNT', reason: `has ${record.fieldCount} fields, the header has ${this.#header.length}` };
      return order;
    }
    if (at.orderId !== undefined && id === '') {
      order.problem = { line: record.line, code: 'MISSING_ORDER_ID', reason: 'no order id', column: at.orderId };
      return order;
    }
    const value = moneyCell(record, at.value, this.#options.decimalComma);
    if (value === undefined || Math.abs(value) >= MAX_ORDER_VALUE) {
      const total = fields[at.value]!;
      const reason = value !== undefined ? `order total ${orderValueProblem(value, total)}` : total.trim() === '' ? 'no order total' : `order total is not a number: "${total}"`;
      order.problem = { line: record.line, code: 'BAD_VALUE', reason, column: at.value };
      return order;
    }
    const placedAt = instantCell(record, at.placedAt, this.#options.timestamps);
    if (typeof placedAt !== 'number') {
      order.problem = { line: record.line, code: 'BAD_DATE', reason: `${this.#header[at.placedAt]}: ${placedAt.reason}`, column: at.placedAt };
      return order;
    }
    order.value = value;
    order.placedAt = placedAt;
    order.cancelled = at.status !== undefined && CANCELLED_STATUSES.has(fields[at.status]!.trim().toLowerCase());
    this.#readItems(order, record);
    return order;
  }

  /** Identity and sizes: any row of the order may carry them. */
  #readItems(order: OpenOrder, record: CsvRecord): void {
    if (order.problem !== undefined) return;
    const { fields } = record;
    if (order.email === '') {
      const column = firstFilledColumn(fields, this.#at.email);
      order.email = column === undefined ? '' : stripExcelPrefix(fields[column]!.trim()).toLowerCase();
      // An email push could not send is a bad row here too (the same check): it never reaches the CSV.
      const problem = column === undefined ? undefined : emailProblem(order.email);
      if (problem !== undefined) {
        order.problem = { line: record.line, code: 'BAD_EMAIL', reason: problem, column };
        return;
      }
    }
    if (order.email === '' && order.phone === '') order.phone = normalizePhone(firstFilled(fields, this.#at.phone));
    for (const column of this.#at.size) this.#readCell(order, record, column, (found, cell) => addSizesInSizeCell(found, cell, this.#options));
    for (const column of this.#at.items) {
      this.#readCell(order, record, column, (found, cell) => this.#layout.addSizesInItems(found, cell, this.#options));
    }
  }

  #readCell(order: OpenOrder, record: CsvRecord, column: number, read: (found: string[], cell: string) => void): void {
    const cell = record.fields[column] ?? '';
    if (cell.trim() === '' || order.problem !== undefined) return;
    try {
      read(order.sizes, cell);
    } catch (error) {
      if (!(error instanceof ItemCellError)) throw error;
      order.problem = { line: record.line, code: 'BAD_ITEMS', reason: `${this.#header[column]}: ${error.message}`, column };
    }
  }

  #flush(): void {
    const order = this.#open;
    this.#open = undefined;
    if (order === undefined) return;
    const first = order.rows[0]!;
    const at = { file: this.#file, line: first.line };
    const orderId = order.id;
    if (order.problem !== undefined) {
      rejectOrderRows(this.#sink, this.#file, this.#header, order.id, order.rows, order.problem);
    } else if (order.email === '' && order.phone === '') {
      this.#sink.withoutEmail(orderId, at);
    } else if (this.#options.excludeCancelled && order.cancelled) {
      this.#sink.excluded(orderId, at);
    } else {
      const identity = order.email !== '' ? { email: order.email } : { email: '', phone: order.phone };
      this.#sink.order({ orderId, ...identity, placedAt: order.placedAt, value: order.value, sizes: order.sizes }, at, () =>
        order.rows.map((row) => row.raw).join(''),
      );
    }
  }
}

function firstFilled(fields: readonly string[], columns: readonly number[]): string {
  const column = firstFilledColumn(fields, columns);
  return column === undefined ? '' : stripExcelPrefix(fields[column]!.trim());
}

function firstFilledColumn(fields: readonly string[], columns: readonly number[]): number | undefined {
  return columns.find((column) => stripExcelPrefix((fields[column] ?? '').trim()) !== '');
}

/** `'+1 (555) 010-0199` -> `+15550100199`: Klaviyo matches phone numbers in E.164, without formatting. */
export function normalizePhone(text: string): string {
  const digits = text.replace(/[^\d+]/g, '');
  return /\d/.test(digits) ? digits : '';
}
