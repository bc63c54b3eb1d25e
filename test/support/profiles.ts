/** Profile tables for push tests: generated rows, written as a profiles CSV in a temporary directory. */
import { join } from 'node:path';
import type { ProfileRow } from '../../src/domain/profile-row.js';
import { writeProfilesCsv } from '../../src/io/profiles-csv.js';
import { referenceProfilesCsv } from './profiles-csv-reference.js';

export const COLUMNS = ['highest_order_value', 'highest_order_date', 'small_order_date', 'large_order_date'];

/** `count` profiles with a mix of numbers, dates and blanks (which must never be sent). */
export function generateRows(count: number): ProfileRow[] {
  return Array.from({ length: count }, (_, i) => {
    const properties: Record<string, number | string> = {
      highest_order_value: i % 7 === 0 ? 1000 + i : Math.round((10 + i * 1.37) * 100) / 100,
      highest_order_date: `2025-0${1 + (i % 9)}-1${i % 10} 0${i % 10}:30:00`,
    };
    if (i % 3 === 0) properties.small_order_date = `2024-12-0${1 + (i % 9)} 12:00:00`;
    if (i % 5 === 1) properties.large_order_date = `2025-02-2${i % 10} 23:59:59`;
    return { email: `customer${String(i).padStart(5, '0')}@example.com`, properties };
  });
}

/** One file whatever its size (compute would split past Klaviyo's 50 MB upload limit). */
export async function writeProfiles(dir: string, rows: readonly ProfileRow[]): Promise<string> {
  const path = join(dir, 'profiles.csv');
  await writeProfilesCsv(path, [referenceProfilesCsv(COLUMNS, rows)][Symbol.iterator](), Number.MAX_SAFE_INTEGER);
  return path;
}
