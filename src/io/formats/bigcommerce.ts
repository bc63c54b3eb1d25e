/**
 * BigCommerce Orders > Export, default template: one row per order, all items in `Product Details`,
 * separated by `|`; each item is `Label: value` fields separated by `, `, for example
 * `Product ID: 100, Product Qty: 1, Product Name: Yoga Legging, Product Variation Details: Size: S (4), ...`.
 * The size is an option inside `Product Variation Details`, whose values may hold commas and colons
 * and are HTML-escaped, so fields are split only before the next known `Product ...:` label.
 * `Order Date` is a date alone, `dd/mm/yyyy` in the default template.
 */
import { addSize, addSizesInText, isSizeOption, sizeOfOptionValue } from './item-sizes.js';
import { decodeHtmlEntities } from './escaped-text.js';
import type { SizeSource } from './format.js';
import { rowPerOrderFormat } from './row-per-order.js';

const ITEM_FIELD_BOUNDARY = /, (?=Product [A-Za-z ]+: )/;
const OPTION_BOUNDARY = /, (?=[^,:]+: )/;

export const bigcommerceFormat = rowPerOrderFormat({
  name: 'bigcommerce',
  description: 'BigCommerce Orders > Export (one row per order, items in Product Details)',
  columns: {
    email: ['Customer Email', 'Billing Email'],
    phone: ['Customer Phone', 'Billing Phone'],
    orderId: ['Order ID'],
    placedAt: ['Order Date', 'Date Created'],
    value: ['Order Total (inc tax)', 'Order Total'],
    status: ['Order Status'],
    items: ['Product Details'],
    size: [],
  },
  exportHint: 'Export from BigCommerce Orders > Export with the default template.',
  detect: (columns) => columns.find('Order ID') !== undefined && columns.find('Product Details') !== undefined,
  addSizesInItems: addSizesInProductDetails,
});

export function addSizesInProductDetails(found: string[], cell: string, source: SizeSource): void {
  for (const item of cell.split('|')) {
    for (const field of item.split(ITEM_FIELD_BOUNDARY)) {
      const colon = field.indexOf(': ');
      if (colon < 0) continue;
      const label = field.slice(0, colon).trim();
      const value = field.slice(colon + 2);
      if (label === 'Product Name') addSizesInText(found, decodeHtmlEntities(value).trim(), source);
      else if (label === 'Product Variation Details') addSizesInVariation(found, value, source);
    }
  }
}

/** `Size: S (4), Colour: Blue`: option name and value pairs. */
function addSizesInVariation(found: string[], details: string, source: SizeSource): void {
  for (const option of details.split(OPTION_BOUNDARY)) {
    const colon = option.indexOf(': ');
    if (colon >= 0 && isSizeOption(decodeHtmlEntities(option.slice(0, colon)), source)) {
      addSize(found, sizeOfOptionValue(decodeHtmlEntities(option.slice(colon + 2)).trim(), source));
    }
  }
}
