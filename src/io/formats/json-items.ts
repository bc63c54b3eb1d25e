/**
 * Klaviyo's own "Placed Order" events exported to CSV, and any CSV whose items column holds a JSON
 * array: `[{"ProductName": "Tee", "Size": "small"}]`, or plain names `["Tee - Black / S"]`.
 * Klaviyo documents no column layout for its UI export, so the columns are those its event
 * properties use (`$value`, `$event_id`, `Items`) plus common spellings; map others in the config.
 */
import { addSize, addSizesInText, isSizeOption, sizeOfOptionValue } from './item-sizes.js';
import type { SizeSource } from './format.js';
import { ItemCellError, rowPerOrderFormat } from './row-per-order.js';

const ITEM_COLUMNS = ['Items', '$extra.line_items', 'Line Items', 'line_items', 'Products'];
const VALUE_COLUMNS = ['$value', 'Value', 'Order Total', 'Total'];
/** Keys holding a variant title (`Black / S`), split into option values like Shopify's. */
const VARIANT_KEYS = new Set(['variantname', 'variant_name', 'variant_title', 'varianttitle', 'variant']);
/** Keys holding a product or line-item name, which may end in a variant suffix. */
const NAME_KEYS = new Set(['productname', 'product_name', 'name', 'title']);

export const jsonItemsFormat = rowPerOrderFormat({
  name: 'json-items',
  description: "Klaviyo Placed Order event export, or any CSV with a JSON array of items in a cell",
  columns: {
    email: ['$email', 'Email', 'Customer Email', 'Profile Email'],
    phone: ['$phone_number', 'Phone Number'],
    orderId: ['$event_id', 'Event ID', 'OrderId', 'Order ID', 'order_id'],
    placedAt: ['Timestamp', 'Datetime', 'Event Time', 'Time', 'Date'],
    value: VALUE_COLUMNS,
    status: [],
    items: ITEM_COLUMNS,
    size: [],
  },
  exportHint: "Export the Placed Order metric's events with their Items property.",
  detect: (columns) => columns.first(ITEM_COLUMNS) !== undefined && columns.first(VALUE_COLUMNS) !== undefined,
  addSizesInItems: addSizesInJsonItems,
});

export function addSizesInJsonItems(found: string[], cell: string, source: SizeSource): void {
  let items: unknown;
  try {
    items = JSON.parse(cell);
  } catch {
    throw new ItemCellError(`not a JSON array of items: "${cell.length > 60 ? `${cell.slice(0, 60)}...` : cell}"`);
  }
  addSizesInItemList(found, items, source);
}

/**
 * A Klaviyo event's items property, read as an items cell is: the list itself (what the API gives),
 * or its JSON text. Returns why it cannot be read, if it cannot.
 */
export function readEventItems(found: string[], items: unknown, source: SizeSource): string | undefined {
  try {
    if (typeof items === 'string') addSizesInJsonItems(found, items, source);
    else addSizesInItemList(found, items, source);
    return undefined;
  } catch (error) {
    if (error instanceof ItemCellError) return error.message;
    throw error;
  }
}

function addSizesInItemList(found: string[], items: unknown, source: SizeSource): void {
  if (!Array.isArray(items)) throw new ItemCellError('not a JSON array of items');
  for (const item of items) {
    if (typeof item === 'string') addSizesInText(found, item, source);
    else if (typeof item === 'object' && item !== null) addSizesInItemObject(found, item as Record<string, unknown>, source);
  }
}

function addSizesInItemObject(found: string[], item: Record<string, unknown>, source: SizeSource): void {
  for (const [key, value] of Object.entries(item)) {
    if (typeof value !== 'string') continue;
    const lowerKey = key.toLowerCase();
    if (isSizeOption(key, source)) addSize(found, sizeOfOptionValue(value, source));
    else if (VARIANT_KEYS.has(lowerKey)) for (const option of value.split(' / ')) addSize(found, source.sizes.sizeOf(option));
    else if (NAME_KEYS.has(lowerKey)) addSizesInText(found, value, source);
  }
}
