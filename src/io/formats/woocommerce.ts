/**
 * WooCommerce order exports. Core WooCommerce has none with emails and items, so these are the
 * plugins' layouts, all one row per order (or one row per item, repeated order columns):
 *  - WebToffee "Order Import Export": items in `line_item_1` ... `line_item_N`, each
 *    `name:Tee|product_id:13|sku:A12|quantity:1|total:8.00|color:Red|...`, variation attributes as extra
 *    keys (`size:M`, `pa_size:m`); `order_date` store-local without offset, often `16-05-2018 07:32:06`.
 *  - SkyVerge "Customer / Order / Coupon Export": all items in `line_items`, separated by `;`, each
 *    `id:1|name:Tee|quantity:1|meta:Size=M,Color=Red`; `date` as `2018-01-06 16:50:00`. Its "one row per
 *    item" variant has `item_name` and `item_meta` (`Size=M`) instead.
 *  - Legacy CSV Import: `order_item_1` ... as `product_id:4959|1|30|size: Medium`.
 * Reserved characters are backslash-escaped inside cells. Email: `customer_email` (the WordPress user),
 * blank for guests, so `billing_email` after it.
 */
import { addSize, addSizesInText, isSizeOption, sizeOfOptionValue } from './item-sizes.js';
import { indexOfUnescaped, splitUnescaped, unescape } from './escaped-text.js';
import type { SizeSource } from './format.js';
import { rowPerOrderFormat } from './row-per-order.js';

const ITEM_COLUMN = /^(line_item|order_item)_\d+$/i;

export const woocommerceFormat = rowPerOrderFormat({
  name: 'woocommerce',
  description: 'WooCommerce plugin exports (WebToffee line_item_N, SkyVerge line_items), one row per order',
  columns: {
    email: ['customer_email', 'billing_email'],
    phone: ['billing_phone'],
    orderId: ['order_id', 'order_number'],
    placedAt: ['order_date', 'date'],
    value: ['order_total'],
    status: ['status'],
    items: ['line_items', 'item_name', 'item_meta'],
    size: [],
  },
  exportHint: 'Export with WebToffee "Order Import Export" or the WooCommerce "Customer / Order / Coupon Export" plugin.',
  detect: (columns) =>
    columns.find('order_total') !== undefined &&
    columns.first(['order_id', 'order_number']) !== undefined &&
    columns.first(['billing_email', 'customer_email']) !== undefined,
  extraItemColumns: (columns) => columns.header.flatMap((name, index) => (ITEM_COLUMN.test(name.trim()) ? [index] : [])),
  addSizesInItems: addSizesInWooItems,
});

export function addSizesInWooItems(found: string[], cell: string, source: SizeSource): void {
  for (const item of splitUnescaped(cell, ';')) {
    if (indexOfUnescaped(item, ':') < 0) {
      // An `item_meta` cell (`Size=M`) or an `item_name` cell (`Hoodie - Large`).
      if (indexOfUnescaped(item, '=') >= 0) addSizesInMeta(found, item, source);
      else addSizesInText(found, unescape(item), source);
      continue;
    }
    for (const pair of splitUnescaped(item, '|')) {
      const colon = indexOfUnescaped(pair, ':');
      if (colon < 0) continue; // legacy exports write some values without keys (`|1|30|`)
      const key = unescape(pair.slice(0, colon)).trim().toLowerCase();
      const value = pair.slice(colon + 1);
      if (key === 'name' || key === 'item_name') addSizesInText(found, unescape(value).trim(), source);
      else if (key === 'meta') addSizesInMeta(found, value, source);
      else if (isSizeOption(key, source)) addSize(found, sizeOfOptionValue(unescape(value).trim(), source));
    }
  }
}

/** `Size=M,Color=Red`: the item's displayed meta, labels as the shopper saw them. */
function addSizesInMeta(found: string[], meta: string, source: SizeSource): void {
  for (const entry of splitUnescaped(meta, ',')) {
    const equals = indexOfUnescaped(entry, '=');
    if (equals < 0) continue;
    if (isSizeOption(unescape(entry.slice(0, equals)), source)) addSize(found, sizeOfOptionValue(unescape(entry.slice(equals + 1)).trim(), source));
  }
}
