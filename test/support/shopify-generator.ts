/**
 * A deterministic Shopify-layout order export of any size, for benchmarks: the 79-column header of
 * current exports, one row per line item, order-level columns on the first row only, store-local
 * timestamps whose offset changes with DST, sized variants in `Lineitem name`, some orders without
 * email, mixed-case emails and the odd multi-line note.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export const SHOPIFY_HEADER =
  'Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References';

const PRODUCTS = ['Canvas Print', 'Poster', 'Tee', 'Hoodie', 'Framed Print', 'Gift Card'];
const VARIANTS = ['Small', 'Medium', 'Large', 'XLarge', 'Black / S', 'White / M', 'Navy / L', 'Grey / XL', '$25', 'Matte'];

/** mulberry32: a small, fast, seeded PRNG, so every run writes the same bytes. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `2025-05-11 09:55:16 -0400` in New York time (DST from the second Sunday of March to the first of November, roughly). */
function shopifyTimestamp(epochMs: number): string {
  const date = new Date(epochMs);
  const month = date.getUTCMonth();
  const offsetHours = month >= 2 && month <= 9 ? -4 : -5;
  const local = new Date(epochMs + offsetHours * 3_600_000);
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} -0${-offsetHours}00`;
}

export interface GeneratedExport {
  readonly orders: number;
  readonly rows: number;
  readonly bytes: number;
}

export async function generateShopifyExport(path: string, orders: number, customers: number, seed = 42): Promise<GeneratedExport> {
  const next = random(seed);
  const out = createWriteStream(path);
  const emptyTail = ','.repeat(79 - 60);
  const start = Date.UTC(2024, 0, 1);
  const span = 2 * 365 * 86_400_000;
  let rows = 0;
  let bytes = 0;
  let buffer = `${SHOPIFY_HEADER}\n`;
  // Newest first, as most Shopify exports are.
  for (let n = orders; n >= 1; n--) {
    const customer = Math.floor(next() * customers);
    const email = next() < 0.1 ? '' : `${next() < 0.05 ? 'Customer' : 'customer'}${customer}@example.com`;
    const created = shopifyTimestamp(start + Math.floor((n / orders) * span) - Math.floor(next() * 3_600_000));
    const items = 1 + Math.floor(next() * next() * 3);
    const prices = Array.from({ length: items }, () => (5 + Math.floor(next() * 50_000) / 100).toFixed(2));
    const total = prices.reduce((sum, p) => sum + Number(p), 0).toFixed(2);
    const note = next() < 0.02 ? '"Leave at the door,\nthanks"' : '';
    for (let i = 0; i < items; i++) {
      const product = PRODUCTS[Math.floor(next() * PRODUCTS.length)]!;
      const item = product === 'Gift Card' ? 'Gift Card - $25' : `${product} - ${VARIANTS[Math.floor(next() * VARIANTS.length)]!}`;
      const orderLevel =
        i === 0
          ? `paid,${created},fulfilled,${created},no,USD,${total},0.00,0.00,${total},,0.00,Standard,`
          : `,,,,,,,,,,,,,`;
      const tail =
        i === 0
          ? `${note},,,shopify_payments,,0.00,Example Prints,0.00,,,,${5_900_000_000 + n},,Low,web,0.00`
          : `,,,,,,Example Prints,,,,,,,,,0.00`;
      buffer += `#${n},${email},${orderLevel}${created},1,${item},${prices[i]},,,true,true,fulfilled,,,,,,,,,,,,,,,,,,,,,${tail}${emptyTail}\n`;
      rows++;
    }
    if (buffer.length > 1 << 20) {
      bytes += Buffer.byteLength(buffer);
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  bytes += Buffer.byteLength(buffer);
  out.end(buffer);
  await once(out, 'close');
  return { orders, rows, bytes };
}
