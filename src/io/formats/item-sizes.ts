/**
 * Finding sizes in the places exports put them: a variant option or attribute named like the size
 * option (`Size: S`, `pa_size:m`), an item name with a Shopify-style variant suffix
 * (`Hoodie - Navy / XL`, WooCommerce's `Hoodie - Large`), or any text through the `sizePattern` setting.
 */
import type { SizeSource } from './format.js';

/** Adds `size` to `found` unless it is there already (an order names each size once). */
export function addSize(found: string[], size: string | undefined): void {
  if (size !== undefined && !found.includes(size)) found.push(size);
}

/**
 * Whether an option or attribute name is the size option. WooCommerce prefixes global attributes with
 * `pa_` (and `attribute_pa_` in variation meta), so `pa_size` is the `size` option too.
 */
export function isSizeOption(name: string, source: SizeSource): boolean {
  const bare = name.trim().toLowerCase().replace(/^(attribute_)?pa_/, '');
  return bare === source.sizeOption.toLowerCase();
}

/**
 * The configured size an option value names. BigCommerce appends the option value's id (`S (4)`);
 * if the whole value names no size, it is tried without that suffix.
 */
export function sizeOfOptionValue(value: string, source: SizeSource): string | undefined {
  const size = source.sizes.sizeOf(value);
  if (size !== undefined) return size;
  const withoutId = value.replace(/\s*\(\d+\)\s*$/, '');
  return withoutId === value ? undefined : source.sizes.sizeOf(withoutId);
}

/** Sizes in an item name or other free text: by `sizePattern` when set, else by the variant suffix. */
export function addSizesInText(found: string[], text: string, source: SizeSource): void {
  if (source.sizePattern === undefined) {
    for (const size of source.sizes.sizesInLineItemName(text)) addSize(found, size);
    return;
  }
  source.sizePattern.lastIndex = 0;
  for (const match of text.matchAll(source.sizePattern)) addSize(found, source.sizes.sizeOf(match[1] ?? match[0]));
}

/** A cell that holds sizes themselves (`S`, `M, L`), or text for `sizePattern` when one is set. */
export function addSizesInSizeCell(found: string[], cell: string, source: SizeSource): void {
  if (source.sizePattern !== undefined) {
    addSizesInText(found, cell, source);
    return;
  }
  for (const value of cell.split(/[,;|]/)) addSize(found, sizeOfOptionValue(value, source));
}
