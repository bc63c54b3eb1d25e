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

/** Past this many configured sizes, line item names are read as text only (a size is a bit of a 31-bit mask). */
const MAX_SIZES_BY_BYTES = 31;

export class SizeMatcher {
  readonly #canonicalByName = new Map<string, string>();
  readonly #byLineItemName = new Map<string, readonly string[]>();
  /**
   * For `sizesInLineItemBytes`: the names that are ASCII, one after another as bytes, name n at
   * `#nameStarts[n]` up to `#nameStarts[n + 1]`, with the bit of the size it names in `#nameBits[n]`.
   */
  readonly #nameBytes: Uint8Array;
  readonly #nameStarts: Int32Array;
  readonly #nameBits: Int32Array;
  /** The configured sizes by bit; undefined when there are too many for a mask. */
  readonly #sizesByBit: readonly string[] | undefined;
  readonly #sizesOfMask = new Map<number, readonly string[]>();

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
    const sizesByBit = [...configured];
    this.#sizesByBit = sizesByBit.length <= MAX_SIZES_BY_BYTES ? sizesByBit : undefined;
    // An ASCII option, lower-cased, is ASCII: a name that is not can never equal it.
    const asciiNames = [...this.#canonicalByName].filter(([name]) => /^[\x00-\x7f]*$/.test(name));
    this.#nameBytes = Uint8Array.from(asciiNames.map(([name]) => name).join(''), (c) => c.charCodeAt(0));
    this.#nameStarts = new Int32Array(asciiNames.length + 1);
    this.#nameBits = new Int32Array(asciiNames.length);
    asciiNames.forEach(([name, size], n) => {
      this.#nameStarts[n + 1] = this.#nameStarts[n]! + name.length;
      this.#nameBits[n] = 1 << sizesByBit.indexOf(size);
    });
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

  /**
   * The sizes `sizesInLineItemName` finds in an ASCII name whose bytes are `bytes[start, end)`, as a
   * set (in the order the sizes were configured); undefined when there are too many sizes, and the
   * name is to be read as text. The same steps over bytes: a name is on every row of an export, and
   * a string of it cost more than the matching.
   */
  sizesInLineItemBytes(bytes: Uint8Array, start: number, end: number): readonly string[] | undefined {
    if (this.#sizesByBit === undefined) return undefined;
    let from = -1;
    for (let i = end - 3; i >= start; i--) {
      if (bytes[i] === SPACE && bytes[i + 1] === DASH && bytes[i + 2] === SPACE) {
        from = i + 3;
        break;
      }
    }
    if (from < 0) return NO_SIZES;
    let mask = 0;
    // Split on " / " from the left, as `split` does.
    let option = from;
    for (let i = from; i + 3 <= end; i++) {
      if (bytes[i] === SPACE && bytes[i + 1] === SLASH && bytes[i + 2] === SPACE) {
        mask |= this.#bitOfOption(bytes, option, i);
        option = i + 3;
        i += 2;
      }
    }
    mask |= this.#bitOfOption(bytes, option, end);
    if (mask === 0) return NO_SIZES;
    let sizes = this.#sizesOfMask.get(mask);
    if (sizes === undefined) {
      sizes = this.#sizesByBit.filter((_, bit) => (mask & (1 << bit)) !== 0);
      this.#sizesOfMask.set(mask, sizes);
    }
    return sizes;
  }

  /** The bit of the size the option value in `bytes[start, end)` names (trimmed, any case), or 0. */
  #bitOfOption(bytes: Uint8Array, start: number, end: number): number {
    while (start < end && isAsciiSpace(bytes[start]!)) start++;
    while (end > start && isAsciiSpace(bytes[end - 1]!)) end--;
    const length = end - start;
    const names = this.#nameBytes;
    const starts = this.#nameStarts;
    for (let n = 0; n < this.#nameBits.length; n++) {
      const from = starts[n]!;
      if (starts[n + 1]! - from !== length) continue;
      let i = 0;
      while (i < length) {
        const code = bytes[start + i]!;
        if ((code >= 0x41 && code <= 0x5a ? code + 0x20 : code) !== names[from + i]) break;
        i++;
      }
      if (i === length) return this.#nameBits[n]!;
    }
    return 0;
  }
}

const SPACE = 0x20;
const DASH = 0x2d;
const SLASH = 0x2f;
const NO_SIZES: readonly string[] = [];

/** What `trim` takes off in ASCII: tab, line feed, vertical tab, form feed, carriage return, space. */
function isAsciiSpace(code: number): boolean {
  return code === SPACE || (code >= 0x09 && code <= 0x0d);
}
