import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
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

test('the sizes found in a name from its bytes are the ones found in its text, for any ASCII name', () => {
  const matchers = [sizes, new SizeMatcher(['small', 'XL'], { 'Extra  Large': 'xl', '': 'small', 's': 'small' }), new SizeMatcher(['Größe', 'm'])];
  const pieces = fc.constantFrom(' - ', ' / ', ' -', '- ', '/', ' ', '\t', '\r', 'S', 's', 'M', 'l', 'XL', 'xL', 'x-large', 'Extra Large', 'EXTRA  LARGE', 'small', 'SMALL ', 'Large', 'Tee', 'Black', 'M/L', '$25', 'xlarge');
  const names = fc.array(pieces, { maxLength: 10 }).map((parts) => parts.join(''));
  fc.assert(
    fc.property(names, fc.constantFrom('', ' ', '-', 'S'), fc.nat(matchers.length - 1), (name, around, which) => {
      const matcher = matchers[which]!;
      const bytes = Buffer.from(around + name + around, 'latin1');
      const found = matcher.sizesInLineItemBytes(bytes, around.length, around.length + name.length);
      assert.deepEqual(new Set(found), new Set(matcher.sizesInLineItemName(name)), JSON.stringify(name));
    }),
    { numRuns: 20_000 },
  );
});

test('with more sizes than a mask holds, names are left to be read as text', () => {
  const many = new SizeMatcher(Array.from({ length: 32 }, (_, i) => `size${i}`));
  assert.equal(many.sizesInLineItemBytes(Buffer.from('Tee - size3'), 0, 11), undefined);
  assert.deepEqual(many.sizesInLineItemName('Tee - size3'), ['size3']);
});
