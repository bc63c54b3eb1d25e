import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SizeMatcher } from '../../src/domain/sizes.js';

const sizes = new SizeMatcher(['small', 'medium', 'large', 'xlarge']);

test('the size is an option value after the last " - ", matched case-insensitively', () => {
  assert.deepEqual(sizes.sizesInLineItemName('Print - Small'), ['small']);
  assert.deepEqual(sizes.sizesInLineItemName('Tee - Black / XLARGE'), ['xlarge']);
  assert.deepEqual(sizes.sizesInLineItemName('Rieker - L4655-35- Rouge - Large / ROUGE'), ['large']);
});

test('default aliases map apparel abbreviations', () => {
  assert.deepEqual(sizes.sizesInLineItemName('Tee - Black / S'), ['small']);
  assert.deepEqual(sizes.sizesInLineItemName('Hoodie - XL / Navy'), ['xlarge']);
  assert.deepEqual(sizes.sizesInLineItemName('Poster - 18x24 / Extra Large'), ['xlarge']);
});

test('items without a size suffix, or with a non-size suffix, have no size', () => {
  assert.deepEqual(sizes.sizesInLineItemName('The Minimal Snowboard'), []);
  assert.deepEqual(sizes.sizesInLineItemName('Gift Card - $25'), []);
  assert.deepEqual(sizes.sizesInLineItemName('City Windbreaker - Glossy Black / M/L'), []);
  assert.deepEqual(sizes.sizesInLineItemName('Small Print'), []);
});

test('aliases to sizes that are not configured have no effect; configured names always win', () => {
  const custom = new SizeMatcher(['small', 's'], { s: 'small', m: 'medium' });
  assert.equal(custom.sizeOf('S'), 's');
  assert.equal(custom.sizeOf('M'), undefined);
});
