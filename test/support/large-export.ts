/**
 * Shopify-layout exports big enough to be cut in two (with `--split-min-bytes` set low), with the
 * things a cut must survive placed on purpose: bad rows in both halves, an order id in both halves, a
 * quoted field full of record-like lines across the middle.
 */
import { writeFileSync } from 'node:fs';

export interface LargeExportOptions {
  readonly orders: number;
  /** Orders whose Total is not a number (rejected), by index. */
  readonly badTotals?: readonly number[];
  /** The Name of the first order reused by the last one (same email and total: a duplicate). */
  readonly repeatFirstOrderAtEnd?: boolean;
  /**
   * The middle order's line item name is a quoted field of this many lines that look like records of
   * other orders, so a cut guessed from the middle of the file lands inside quotes.
   */
  readonly quotedLinesInMiddle?: number;
  /** Where that quoted field is, as a share of the orders (default: the middle, 0.5). */
  readonly quotedLinesAt?: number;
  /** Saved by Excel on Windows: a byte-order mark and CRLF line ends. */
  readonly excel?: boolean;
  /** Orders (by index, each one with a second line item: a multiple of 3) whose second row is moved to the end of the file, apart from the order. */
  readonly secondRowsAtEnd?: readonly number[];
}

const HEADER = 'Name,Email,Financial Status,Total,Created at,Lineitem name,Cancelled at\n';
const ITEMS = ['Tee - Small', 'Hoodie - Medium / Black', 'Poster - Large', 'Mug', 'Canvas Print - XL'];

/** Writes the export to `path`. Deterministic: the same options always give the same bytes. */
export function writeLargeExport(path: string, options: LargeExportOptions): void {
  const lines: string[] = [HEADER];
  const moved: string[] = [];
  const bad = new Set(options.badTotals ?? []);
  const middle = Math.floor(options.orders * (options.quotedLinesAt ?? 0.5));
  for (let i = 0; i < options.orders; i++) {
    const name = options.repeatFirstOrderAtEnd === true && i === options.orders - 1 ? '#100000' : `#${100_000 + i}`;
    const n = options.repeatFirstOrderAtEnd === true && i === options.orders - 1 ? 0 : i;
    // Customers come back: 97 of them, one without email now and then.
    const email = n % 31 === 5 ? '' : `Customer${n % 97}@Example.com`;
    const day = 1 + (n % 28);
    const createdAt = `2025-${String(1 + (n % 6)).padStart(2, '0')}-${String(day).padStart(2, '0')} ${String(n % 24).padStart(2, '0')}:15:00 -0400`;
    const total = bad.has(i) ? 'twelve' : ((n * 7919) % 50_000 / 100 + 1).toFixed(2);
    let item = ITEMS[n % ITEMS.length]!;
    if (options.quotedLinesInMiddle !== undefined && i === middle) {
      const fake = Array.from({ length: options.quotedLinesInMiddle }, (_, k) => `#9${k},fake${k}@example.com,paid,1.00,2025-01-01 00:00:00 -0400,Tee - Small,`);
      item = `"Gift note:\n${fake.join('\n')}"`;
    }
    lines.push(`${name},${email},paid,${total},${createdAt},${item},\n`);
    // Every third order has a second line item, on a row of its own.
    if (n % 3 === 0) (options.secondRowsAtEnd?.includes(i) === true ? moved : lines).push(`${name},${email},,,${createdAt},${ITEMS[(n + 2) % ITEMS.length]},\n`);
  }
  const text = [...lines, ...moved].join('');
  writeFileSync(path, options.excel === true ? `\uFEFF${text.replaceAll('\n', '\r\n')}` : text);
}
