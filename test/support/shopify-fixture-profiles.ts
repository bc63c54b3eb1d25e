/**
 * The profiles of fixtures/shopify-orders.csv in flow mode as of 2025-06-30, worked out by hand from
 * the fixture (see fixtures/README.md): the oracle of the CLI tests that read that fixture.
 */
export const HEADER = 'Email,highest_order_value,highest_order_date,small_order_date,medium_order_date,large_order_date,xlarge_order_date';

/** Flow mode over the fixture, as of 2025-06-30, by hand. */
export const FLOW_PROFILES = [
  // #1001 1000 (Mar 1, alone) ; #1005 999 (May 20, alone in 30 days) ; #1009 1000 > 999 (defect 1).
  // Two "Small" items in #1005 give one date (defect 3); #1009 has no small item, small stays (defect 4).
  // #1014 (Jul 5) is after as-of. The mixed-case, padded email of #1009 is the same profile.
  ['ann@example.com', '1000', '2025-06-10 16:00:00', '2025-05-20 13:00:00', '2025-06-10 16:00:00', '2025-03-01 15:00:00', ''],
  // #1002 500 ; #1003 120.50 and #1010 200 each have an earlier order within 30 days and are smaller:
  // the 500 from Apr 1 stays although it is older than 30 days on May 15 (the flow's real behaviour).
  ['bob@example.com', '500', '2025-04-01 12:00:00', '2025-04-20 12:00:00', '', '', '2025-04-01 12:00:00'],
  // #1006 is exactly 30 days after #1004: inside the window (inclusive), compared, and smaller.
  ['cara@example.com', '129.49', '2025-05-01 00:00:00', '', '2025-05-01 00:00:00', '2025-05-31 00:00:00', ''],
  // 1359.60 then 1359.99: floatformat:"0" sees "1360" twice and never updates (defect 2); we do.
  ['dan@example.com', '1359.99', '2025-06-05 08:00:00', '2025-06-05 08:00:00', '', '', '2025-06-01 08:00:00'],
  // The refunded #1012 counts by default: the flow fires on every Placed Order.
  ['eve@example.com', '2000', '2025-06-20 18:30:00', '', '', '2025-06-20 18:30:00', ''],
];

export const toCsv = (rows: string[][]): string => [HEADER, ...rows.map((r) => r.join(','))].join('\n') + '\n';

/** The whole profiles CSV those rows make. */
export const SHOPIFY_FLOW_CSV = toCsv(FLOW_PROFILES);
