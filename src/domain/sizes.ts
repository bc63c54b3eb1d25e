/**
 * Item sizes, as the flow's `item.Size == "small"` test sees them.
 *
 * Shopify has no size column: the size is one of the variant's option values, written after the
 * product title in `Lineitem name` as `"<Product> - <Option1> / <Option2>"` (`Tee - Black / XL`).
 * Values are matched case-insensitively against the configured sizes and their aliases.
 */

/** Common apparel abbreviations. Only aliases whose target is a configured size take effect. */
export const DEFAULT_SIZE_ALIASES: Readonly<Record<string, string>> = {
  s: 'small',
  m: 'medium',
  l: 'large',
  xl: 'xlarge',
  'x-large': 'xlarge',
  'extra large': 'xlarge',
};

/** Distinct line item names remembered; past this the cache starts over (bounded memory). */
const LINE_ITEM_CACHE_LIMIT = 50_000;

export class SizeMatcher {
  readonly #canonicalByName = new Map<string, string>();
  readonly #byLineItemName = new Map<string, readonly string[]>();
  /** The configured sizes, lower-cased, each once, in their order. */
  readonly canonicalSizes: readonly string[];

  /** What the matcher was made from, to make the same one on another thread. */
  readonly configuration: { readonly sizes: readonly string[]; readonly aliases: Readonly<Record<string, string>> };

  constructor(sizes: readonly string[], aliases: Readonly<Record<string, string>> = DEFAULT_SIZE_ALIASES) {
    this.configuration = { sizes: [...sizes], aliases: { ...aliases } };
    const configured = new Set(sizes.map((size) => size.toLowerCase()));
    for (const [alias, size] of Object.entries(aliases)) {
      const canonical = size.toLowerCase();
      if (configured.has(canonical)) this.#canonicalByName.set(alias.trim().toLowerCase(), canonical);
    }
    // A configured size always means itself, whatever the aliases say.
    for (const size of configured) this.#canonicalByName.set(size, size);
    this.canonicalSizes = [...configured];
  }

  /** Every option value that names a size (lower-cased), with the size it names. */
  optionNames(): (readonly [name: string, size: string])[] {
    return [...this.#canonicalByName];
  }

  /**
   * Every option value (lower-cased) that names `size`: the size itself first, then its aliases in
   * order. What a template, which cannot call `sizeOf`, compares an item's size with.
   */
  namesOf(size: string): string[] {
    const canonical = size.toLowerCase();
    const aliases = [...this.#canonicalByName].filter(([name, target]) => target === canonical && name !== canonical).map(([name]) => name);
    return [canonical, ...aliases.sort()];
  }

  /** The configured size a single option value names (`"XL"` -> `"xlarge"`), if any. */
  sizeOf(optionValue: string): string | undefined {
    return this.#canonicalByName.get(optionValue.trim().toLowerCase());
  }

  /**
   * Sizes named in a Shopify-style line item name: the text after the last `" - "`, split into option
   * values on `" / "` (with the spaces, so a value such as `M/L` stays whole). No suffix, no size.
   */
  sizesInLineItemName(lineItemName: string): readonly string[] {
    // A store sells a limited catalogue: the same names come back on most rows of a large export.
    const cached = this.#byLineItemName.get(lineItemName);
    if (cached !== undefined) return cached;
    const variantStart = lineItemName.lastIndexOf(' - ');
    const found: string[] = [];
    if (variantStart >= 0) {
      for (const option of lineItemName.slice(variantStart + 3).split(' / ')) {
        const size = this.sizeOf(option);
        if (size !== undefined && !found.includes(size)) found.push(size);
      }
    }
    if (this.#byLineItemName.size >= LINE_ITEM_CACHE_LIMIT) this.#byLineItemName.clear();
    this.#byLineItemName.set(lineItemName, found);
    return found;
  }
}
