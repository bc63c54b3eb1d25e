/**
 * Writing the same orders in different platforms' layouts, for tests that compare what each reads.
 * Header names follow the real exports (see fixtures/README.md).
 */
import { stringify } from 'csv-stringify/sync';

export interface SampleItem {
  readonly product: string;
  /** A size as the store writes it (`S`, `XL`), or undefined for an item without one. */
  readonly size: string | undefined;
}

export interface SampleOrder {
  readonly id: number;
  readonly email: string;
  /** Epoch ms, whole seconds. */
  readonly placedAt: number;
  readonly cents: number;
  readonly items: readonly SampleItem[];
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Shopify: one row per item, order columns on the first row, `Created at` with a numeric offset. */
export function shopifyCsv(orders: readonly SampleOrder[], offsetHours: number): string {
  const header = ['Name', 'Email', 'Financial Status', 'Currency', 'Total', 'Created at', 'Lineitem quantity', 'Lineitem name', 'Lineitem price', 'Id'];
  const rows: string[][] = [];
  for (const order of orders) {
    const local = new Date(order.placedAt + offsetHours * 3_600_000);
    const sign = offsetHours < 0 ? '-' : '+';
    const createdAt = `${local.toISOString().slice(0, 19).replace('T', ' ')} ${sign}${pad(Math.abs(offsetHours))}00`;
    order.items.forEach((item, i) => {
      const name = item.size === undefined ? item.product : `${item.product} - Black / ${item.size}`;
      const first = i === 0;
      rows.push([`#${order.id}`, order.email, first ? 'paid' : '', first ? 'USD' : '', first ? (order.cents / 100).toFixed(2) : '', createdAt, '1', name, '1.00', first ? String(order.id) : '']);
    });
  }
  return stringify([header, ...rows]);
}

/** WooCommerce (WebToffee): one row per order, `order_date` as DD-MM-YYYY local time, items in line_item_N. */
export function woocommerceCsv(orders: readonly SampleOrder[], offsetHours: number): string {
  const width = Math.max(1, ...orders.map((o) => o.items.length));
  const header = ['order_id', 'order_date', 'status', 'order_total', 'customer_email', 'billing_email', ...Array.from({ length: width }, (_, i) => `line_item_${i + 1}`)];
  const rows = orders.map((order) => {
    const local = new Date(order.placedAt + offsetHours * 3_600_000);
    const date = `${pad(local.getUTCDate())}-${pad(local.getUTCMonth() + 1)}-${local.getUTCFullYear()} ${local.toISOString().slice(11, 19)}`;
    const items = order.items.map((item) => `name:${item.product}|quantity:1|total:1.00${item.size === undefined ? '' : `|size:${item.size}`}`);
    return [String(order.id), date, 'completed', (order.cents / 100).toFixed(2), '', order.email, ...items, ...Array<string>(width - items.length).fill('')];
  });
  return stringify([header, ...rows]);
}
