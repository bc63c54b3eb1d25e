/**
 * The profiles CSV written by csv-stringify, a reference independent of the project's own writer:
 * `Email` (and `Phone Number` when a profile has only a phone), then the property columns, numbers
 * formatted as the project formats money, blanks for missing values.
 */
import { stringify } from 'csv-stringify/sync';
import { formatValue } from '../../src/domain/money.js';
import type { ProfileRow } from '../../src/domain/profile-row.js';

export function referenceProfilesCsv(columns: readonly string[], rows: readonly ProfileRow[]): string {
  const withPhone = rows.some((row) => row.phone !== undefined);
  const header = ['Email', ...(withPhone ? ['Phone Number'] : []), ...columns];
  const records = rows.map((row) => [
    row.email,
    ...(withPhone ? [row.phone ?? ''] : []),
    ...columns.map((column) => {
      const value = row.properties[column];
      return value === undefined ? '' : typeof value === 'number' ? formatValue(value) : value;
    }),
  ]);
  return stringify([header, ...records]);
}
