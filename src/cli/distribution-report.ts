/**
 * The picture `backfill segments` shows for choosing a threshold: a histogram of text bars (`#`, so
 * it reads without colour, in cron mail too), the quantiles, and the candidate thresholds with the
 * segment size each gives. Every line fits 80 columns. Pure: text out, the CLI writes it.
 */
import type { WindowDefinition } from '../domain/definitions.js';
import { QUANTILES, type ValueDistribution } from '../domain/value-distribution.js';
import { formatCount } from '../wording.js';

export const REPORT_WIDTH = 80;
const BAR = '#';
const MIN_BAR = 10;

/** The whole block; `threshold` is marked among the candidates when given. */
export function distributionText(window: WindowDefinition, values: ValueDistribution, asOf: string, threshold: number | undefined): string[] {
  const lines = wrap(`Spread of ${window.valueProperty} over the ${formatCount(values.count)} profiles whose ${window.dateProperty} is in the last ${window.days} days (as of ${asOf}):`.split(' '), '');
  if (values.count === 0) return [...lines, '  (none: no profile has an order in that window, so every threshold gives an empty segment)'];
  lines.push(...histogram(values));
  const quantiles = values.quantiles!;
  const quantileWords = QUANTILES.map((p, index) => `p${p} ${formatAmount(quantiles[`p${p}`])}${index < QUANTILES.length - 1 ? ',' : ''}`);
  lines.push(...wrap(['Quantiles (nearest rank):', ...quantileWords], '  '));
  lines.push('  Candidate thresholds (round numbers at or below the quantiles):');
  const rows = values.candidates.map((c) => [formatAmount(c.threshold), formatCount(c.count), share(c.count, values.count), c.threshold === threshold ? '<- --threshold' : '']);
  const widths = [9, 9, 6].map((minimum, column) => Math.max(minimum, ...rows.map((row) => row[column]!.length)));
  lines.push(`    ${'threshold'.padStart(widths[0]!)}  ${'profiles'.padStart(widths[1]!)}  ${'share'.padStart(widths[2]!)}`);
  for (const row of rows) lines.push(`    ${row[0]!.padStart(widths[0]!)}  ${row[1]!.padStart(widths[1]!)}  ${row[2]!.padStart(widths[2]!)}${row[3] === '' ? '' : `  ${row[3]}`}`);
  return lines;
}

/** One line a bucket: `  1,000 to 2,000  ##########   123  10.0%`; bars scaled to the fullest bucket. */
function histogram(values: ValueDistribution): string[] {
  const froms = values.buckets.map((b) => formatAmount(b.from));
  const tos = values.buckets.map((b) => formatAmount(b.to));
  const counts = values.buckets.map((b) => formatCount(b.count));
  const shares = values.buckets.map((b) => share(b.count, values.count));
  const [wf, wt, wc, ws] = [froms, tos, counts, shares].map((column) => Math.max(...column.map((text) => text.length))) as [number, number, number, number];
  // `  <from> to <to>  <bar> <count> <share>`
  const room = Math.max(MIN_BAR, REPORT_WIDTH - (2 + wf + 4 + wt + 2) - (1 + wc + 2 + ws));
  const fullest = Math.max(...values.buckets.map((b) => b.count));
  const lines = values.buckets.map((bucket, index) => {
    const length = bucket.count === 0 ? 0 : Math.max(1, Math.round((bucket.count / fullest) * room));
    return `  ${froms[index]!.padStart(wf)} to ${tos[index]!.padEnd(wt)}  ${BAR.repeat(length).padEnd(room)} ${counts[index]!.padStart(wc)}  ${shares[index]!.padStart(ws)}`;
  });
  lines.push(values.scale === 'log' ? '  (log scale, 1-2-5 steps: the values span orders of magnitude; "to" excluded)' : '  (buckets of equal width; "to" excluded)');
  return lines;
}

/** `1,234`, `1,234.5`, `0.25`: grouped, at most two decimals. */
export function formatAmount(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  const whole = Math.trunc(rounded);
  const cents = Math.round(Math.abs(rounded - whole) * 100);
  const sign = rounded < 0 && whole === 0 ? '-' : '';
  return `${sign}${formatCount(whole)}${cents === 0 ? '' : `.${String(cents).padStart(2, '0').replace(/0$/, '')}`}`;
}

function share(count: number, total: number): string {
  return `${total === 0 ? '0.0' : ((100 * count) / total).toFixed(1)}%`;
}

/** Words (each kept whole, `p50 1,234,` too) wrapped to the report's width, continuation lines indented. */
function wrap(words: readonly string[], indent: string): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of words) {
    if (line.trim() !== '' && line.length + 1 + word.length > REPORT_WIDTH) {
      lines.push(line);
      line = `${indent}  ${word}`;
    } else line = line.trim() === '' ? `${indent}${word}` : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}
