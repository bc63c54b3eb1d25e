/**
 * Sizes inside the packed item cells of each platform.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SIZE_ALIASES, SizeMatcher } from '../../../src/domain/sizes.js';
import { addSizesInProductDetails } from '../../../src/io/formats/bigcommerce.js';
import type { SizeSource } from '../../../src/io/formats/format.js';
import { addSizesInJsonItems } from '../../../src/io/formats/json-items.js';
import { ItemCellError } from '../../../src/io/formats/row-per-order.js';
import { addSizesInWooItems } from '../../../src/io/formats/woocommerce.js';

const source: SizeSource = {
  sizes: new SizeMatcher(['small', 'medium', 'large', 'xlarge'], DEFAULT_SIZE_ALIASES),
  sizeOption: 'size',
  sizePattern: undefined,
};

function sizes(add: (found: string[], cell: string, source: SizeSource) => void, cell: string, from: SizeSource = source): string[] {
  const found: string[] = [];
  add(found, cell, from);
  return found;
}

test('WooCommerce: attribute keys, pa_ keys, meta labels, escaped separators and name suffixes', () => {
  assert.deepEqual(sizes(addSizesInWooItems, 'name:Tee|product_id:1|quantity:1|total:8.00|size:M|color:Red'), ['medium']);
  assert.deepEqual(sizes(addSizesInWooItems, 'name:Tee|pa_size:xl|tax:1.44'), ['xlarge']);
  // SkyVerge: two items separated by ;, meta as Label=Value with \, escaped inside a value.
  assert.deepEqual(sizes(addSizesInWooItems, 'id:1|name:Tee|meta:Size=S,Note=Gift\\, wrapped;id:2|name:Hoodie - Large|meta:'), ['small', 'large']);
  assert.deepEqual(sizes(addSizesInWooItems, 'product_id:4959|1|30|size: Medium'), ['medium']);
  assert.deepEqual(sizes(addSizesInWooItems, 'Size=L'), ['large']);
  assert.deepEqual(sizes(addSizesInWooItems, 'name:Formal shoe|product_id:13|sku:A12|quantity:1|total:8.00|tax:1.44'), []);
});

test('BigCommerce: the Size option inside Product Variation Details, with ids, entities and commas', () => {
  const details =
    'Product ID: 100, Product Qty: 1, Product Name: Legging, Product Variation Details: Size: S (4), Product Unit Price: 67.50' +
    '|Product ID: 101, Product Name: Brace, Product Variation Details: Size: Large - Height 5&#039; 9&quot;, Reason: Pain, Product Unit Price: 1' +
    '|Product ID: 102, Product Name: Top, Product Variation Details: Colour: Blue, Size: XL, Product Unit Price: 2';
  assert.deepEqual(sizes(addSizesInProductDetails, details), ['small', 'xlarge']);
});

test('JSON items: a size key, a variant title, a name with a suffix; not JSON is an error for the row', () => {
  assert.deepEqual(sizes(addSizesInJsonItems, '[{"ProductName":"Tee","Size":"small"},{"ProductName":"Dress","VariantName":"Red / L"}]'), ['small', 'large']);
  assert.deepEqual(sizes(addSizesInJsonItems, '["Hat - XL", "Scarf"]'), ['xlarge']);
  assert.throws(() => sizes(addSizesInJsonItems, 'Tee, Hat'), ItemCellError);
});

test('sizePattern finds sizes in free text instead of the variant suffix', () => {
  const bySku: SizeSource = { ...source, sizePattern: new RegExp('-(S|M|L|XL)$', 'giu') };
  assert.deepEqual(sizes(addSizesInWooItems, 'name:Tee|sku:TEE-BLK-XL', bySku), []); // the pattern applies to names, not SKUs
  assert.deepEqual(sizes(addSizesInWooItems, 'name:TEE-BLK-XL', bySku), ['xlarge']);
});
