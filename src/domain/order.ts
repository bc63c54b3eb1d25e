/**
 * A normalized order: what every input adapter produces and every reducer consumes.
 * It carries only what the flow looks at: who, when, how much, and which item sizes.
 */
export interface Order {
  /** The export's order id (Shopify `Name`, WooCommerce `order_id`, ...), used for de-duplication. */
  readonly orderId: string;
  /** Trimmed, lower-cased email: the profile key Klaviyo matches on. */
  readonly email: string;
  /**
   * Only when `email` is blank: the phone number (digits and a leading `+`), the profile key instead.
   * Klaviyo identifies a profile by email or by phone number.
   */
  readonly phone?: string;
  /** When the order was placed, in epoch milliseconds (UTC). */
  readonly placedAt: number;
  /** The order total, the flow's `$value`. */
  readonly value: number;
  /** Canonical size names (as in `--sizes`) of the items in the order, each at most once. */
  readonly sizes: readonly string[];
}

/** Where a record came from in the input, for rejects and error messages. */
export interface SourcePosition {
  readonly file: string;
  /** 1-based line on which the record starts. */
  readonly line: number;
}
