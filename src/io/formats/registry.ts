/**
 * The formats the tool reads, and choosing one for a file from its header row.
 */
import { BackfillError } from '../../errors.js';
import { bigcommerceFormat } from './bigcommerce.js';
import { HeaderIndex, type OrderFormat } from './format.js';
import { genericFormat } from './generic.js';
import { jsonItemsFormat } from './json-items.js';
import { shopifyFormat } from './shopify.js';
import { woocommerceFormat } from './woocommerce.js';

/** In detection order: the most specific header signatures first. */
export const FORMATS: readonly OrderFormat[] = [shopifyFormat, woocommerceFormat, bigcommerceFormat, jsonItemsFormat, genericFormat];

export const FORMAT_NAMES: readonly string[] = FORMATS.map((format) => format.name);

export function formatNamed(name: string): OrderFormat | undefined {
  return FORMATS.find((format) => format.name === name);
}

/** Words that mark a column as a customer email or phone, for telling the user what is missing. */
const IDENTITY_COLUMN = /e-?mail|phone|mobile|courriel|telefon/i;

/**
 * The format a header belongs to. With no preset matching, a file is read as `generic` if the config
 * maps columns; otherwise the run stops, listing the columns found and the mapping keys.
 */
export function detectFormat(header: readonly string[], file: string, hasMapping: boolean): OrderFormat {
  const columns = new HeaderIndex(header);
  const detected = FORMATS.find((format) => format.detect(columns));
  if (detected !== undefined) return detected;
  if (hasMapping) return genericFormat;
  const found = header.map((name) => `"${name}"`).join(', ');
  const hasIdentity = header.some((name) => IDENTITY_COLUMN.test(name));
  throw new BackfillError(
    hasIdentity ? 'FORMAT_UNKNOWN' : 'MISSING_COLUMNS',
    hasIdentity
      ? `${file}: the header matches no known export (${FORMAT_NAMES.filter((n) => n !== 'generic').join(', ')}). Columns found: ${found}.`
      : `${file} has no email or phone column, so its orders cannot be tied to profiles. Columns found: ${found}.`,
    {
      location: { file, line: 1 },
      hint:
        'Name the columns in backfill.config.json: "columns": { "email": "...", "phone": "...", "orderId": "...", ' +
        '"placedAt": "...", "value": "..." } (see README, "Input formats and configuration"), or pick a layout with --format.',
    },
  );
}
