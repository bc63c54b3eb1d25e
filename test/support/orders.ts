/** Shopify exports for the nightly tests: the fixture, plus orders added to it as a shop would. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { FIXTURES } from './cli.js';

export const SHOPIFY_ORDERS = join(FIXTURES, 'shopify-orders.csv');

export interface NewOrder {
  readonly name: string;
  readonly email: string;
  readonly total: string;
  /** Shopify's `Created at`, e.g. `2025-06-25 10:00:00 -0400`. */
  readonly createdAt: string;
  /** A line item name without a size, unless the test wants one. */
  readonly item?: string;
}

/** The fixture export with `orders` appended (one line item each), written to `dir`; returns its path. */
export async function exportWith(dir: string, file: string, orders: readonly NewOrder[]): Promise<string> {
  const text = await readFile(SHOPIFY_ORDERS, 'utf8');
  const records = parse(text, { columns: true }) as Record<string, string>[];
  const template = records.find((r) => r.Name === '#1002')!;
  const added = orders.map((order, i) => ({
    ...template,
    Name: order.name,
    Email: order.email,
    'Paid at': order.createdAt,
    'Fulfilled at': order.createdAt,
    'Created at': order.createdAt,
    Subtotal: order.total,
    Total: order.total,
    'Lineitem name': order.item ?? 'Plain Mug',
    'Lineitem price': order.total,
    Id: `59000000099${i}`,
  }));
  const path = join(dir, file);
  await writeFile(path, text + stringify(added));
  return path;
}
