/**
 * The trailing-window maximum (`windowHighestIndex` in trailing-window.ts) as SQL, for every window at
 * once: the greatest value placed in [as-of - N days, as-of], both bounds inclusive (the orders CTE
 * already holds nothing after the as-of), and on equal values the latest order.
 */
import type { WindowDefinition } from '../definitions.js';
import { highestColumns, indent, selectList, type ReducerSql, type SqlContext } from './reducer-sql.js';

export function trailingWindowSql(windows: readonly WindowDefinition[], { dialect, orders, asOf }: SqlContext): ReducerSql {
  const perWindow = (lines: (n: number) => string[]): string[] => selectList(windows.flatMap((_, i) => lines(i + 1)));
  const from = (days: number) => `${asOf} - ${dialect.hours(days * 24)}`;
  const inWindow = (n: number) => `placed_at >= ${from(windows[n - 1]!.days)}`;
  const longest = Math.max(...windows.map((window) => window.days));
  return {
    ctes: [
      {
        name: 'backfill_window_values',
        comment: 'Per order in the longest window and per window: its value when it lies in [as-of - N x 24 hours, as-of], and the greatest such value.',
        body: indent([
          'SELECT email, placed_at,',
          ...perWindow((n) => [`CASE WHEN ${inWindow(n)} THEN value END AS window_value_${n}`, `max(CASE WHEN ${inWindow(n)} THEN value END) OVER (PARTITION BY email) AS window_max_${n}`]),
          `FROM ${orders}`,
          `WHERE placed_at >= ${from(longest)}`,
        ]),
      },
      {
        name: 'backfill_window_highest',
        comment: 'Per window: the greatest value and, of the orders with it, the latest.',
        body: indent([
          'SELECT email,',
          ...perWindow((n) => [`max(window_max_${n}) AS value_${n}`, `max(CASE WHEN window_value_${n} = window_max_${n} THEN placed_at END) AS placed_at_${n}`]),
          'FROM backfill_window_values',
          'GROUP BY email',
        ]),
      },
    ],
    relation: 'backfill_window_highest',
    columns: highestColumns(windows),
  };
}
