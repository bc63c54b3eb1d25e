/** How counts read in messages and summaries: `1,234,567`, whatever the machine's locale. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
