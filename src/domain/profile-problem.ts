/**
 * What Klaviyo would refuse for a whole bulk import request, checked for each profile before anything
 * is sent: an email it cannot key on, a property value that is not a finite number or a non-empty string.
 */
import { emailProblem } from './email.js';
import type { ProfileRow } from './profile-row.js';

export function profileProblem(row: ProfileRow): string | undefined {
  if (row.email === '' && row.phone !== undefined) {
    return `known only by phone (${row.phone}): push sends profiles keyed by email; import this row from the CSV instead`;
  }
  const badEmail = emailProblem(row.email);
  if (badEmail !== undefined) return badEmail;
  for (const [name, value] of Object.entries(row.properties)) {
    if (name.trim() === '') return 'a property has an empty name';
    if (typeof value === 'number' ? !Number.isFinite(value) : value === '') return `property ${name} has no usable value`;
  }
  return undefined;
}
