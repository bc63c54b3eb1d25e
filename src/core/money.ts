/**
 * Order values as exports write them. Shopify writes plain `1359.00`, but spreadsheet-edited files
 * carry `$1,359.00`, `1359 EUR` or an Excel text prefix `'1359.00`; all mean 1359.
 */

// Optional Excel text prefix, sign, upper-case ISO code or currency symbol (\p{Sc}), digits with optional `,`
// thousands groups and `.` decimals, then an optional trailing code or symbol. A decimal comma
// (`12,50`) does not match: it is refused rather than read as 1250.
const MONEY = /^'?\s*([-+]?)\s*(?:[A-Z]{3}\s*)?\p{Sc}?\s*([-+]?)((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)\s*(?:[A-Z]{3}|\p{Sc})?$/u;

/** The number a money cell stands for, or undefined when it is not one (blank included). */
export function parseMoney(text: string): number | undefined {
  const match = MONEY.exec(text.trim());
  if (match === null) return undefined;
  const [, signBefore = '', signAfter = '', digits = ''] = match;
  if (signBefore !== '' && signAfter !== '') return undefined;
  const value = Number(digits.replaceAll(',', ''));
  if (!Number.isFinite(value)) return undefined;
  return signBefore === '-' || signAfter === '-' ? -value : value;
}

/** A value as a plain decimal for CSV and JSON (`129.5`, `1359`): no symbol, no grouping, no exponent. */
export function formatValue(value: number): string {
  const text = String(value);
  return text.includes('e') ? value.toFixed(2) : text;
}
