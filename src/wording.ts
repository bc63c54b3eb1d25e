/**
 * How counts and names read in messages and summaries: grouped digits, a count with its noun in the
 * singular or the plural, and a long list of names cut to its first few.
 */

/**
 * How counts read in messages and summaries: `1,234,567`, whatever the machine's locale. Whole
 * numbers are grouped here rather than by `toLocaleString('en-US')`, whose first call loads the
 * locale data: about a twentieth of a second, paid by every run that printed a count or a progress line.
 */
export function formatCount(value: number): string {
  if (!Number.isSafeInteger(value)) return value.toLocaleString('en-US');
  const digits = String(Math.abs(value));
  let grouped = digits.slice(0, digits.length % 3 || 3);
  for (let at = grouped.length; at < digits.length; at += 3) grouped += `,${digits.slice(at, at + 3)}`;
  return value < 0 || Object.is(value, -0) ? `-${grouped}` : grouped;
}

/**
 * Names in a one-line message: all of them when there are few, else the first few and how many more
 * (`a.csv, b.csv, c.csv and 2,997 more`). A pattern can match thousands of files, and a summary line
 * naming each one is a line no one reads (90 KB for 3,000 files).
 */
export function someNames(names: readonly string[], shown = 3): string {
  if (names.length <= shown + 1) return names.join(', ');
  return `${names.slice(0, shown).join(', ')} and ${formatCount(names.length - shown)} more`;
}

/**
 * `1 order`, `2 orders`, `1,234 import jobs`: a count and its noun, singular for exactly one. The
 * plural is the noun with an `s` unless given (`1 retry`, `2 retries`).
 */
export function counted(value: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${formatCount(value)} ${value === 1 ? noun : pluralNoun}`;
}
