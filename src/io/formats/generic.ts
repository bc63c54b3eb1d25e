/**
 * Any CSV, described by the `columns` mapping in backfill.config.json: one row per order (or
 * consecutive rows per order sharing an order id). Never chosen from the header alone: it is what
 * `--format generic` or a mapping for a file no preset recognises selects.
 */
import { addSizesInText } from './item-sizes.js';
import { rowPerOrderFormat } from './row-per-order.js';

export const genericFormat = rowPerOrderFormat({
  name: 'generic',
  description: 'any CSV, columns named by the "columns" mapping in backfill.config.json',
  columns: { email: [], phone: [], orderId: [], placedAt: [], value: [], status: [], items: [], size: [] },
  exportHint: 'Name the columns this file uses in the "columns" mapping.',
  detect: () => false,
  // Item cells here are item names; sizes are found by the variant suffix or `sizePattern`.
  addSizesInItems: (found, cell, source) => addSizesInText(found, cell, source),
});
