/**
 * The flow replay's maximum (`flowHighestIndex` in flow-replay.ts) as SQL, for every window at once.
 *
 * The replay stores an order when it is alone in its window (no other order in [t - N days, t], orders
 * at the very same instant included), and otherwise only when its value is strictly greater than the
 * stored one. So what is stored at the end comes from the run of orders that starts at the last order
 * alone in its window (or at the first order, when none is alone): it is the first order of that run
 * reaching the run's greatest value. That is what the CTEs compute, with no recursion:
 *  1. per order, how many of the profile's orders lie in [t - N days, t] (a RANGE frame: its CURRENT
 *     ROW takes in every order at the same instant, both bounds inclusive);
 *  2. per profile, the start of the last run: the latest order counted alone;
 *  3. per profile, the greatest value from that start on, then the earliest order with that value (the
 *     first to reach it: a later equal value is not strictly greater, so it never replaced it).
 */
import type { WindowDefinition } from '../definitions.js';
import { highestColumns, indent, selectList, type ReducerSql, type SqlContext } from './reducer-sql.js';

export function flowReplaySql(windows: readonly WindowDefinition[], { dialect, orders }: SqlContext): ReducerSql {
  /** The select-list lines for every window (n counts from 1), comma-separated. */
  const perWindow = (lines: (window: WindowDefinition, n: number) => string[]): string[] => selectList(windows.flatMap((window, i) => lines(window, i + 1)));
  const inRun = (n: number) => `run_start_${n} IS NULL OR placed_at >= run_start_${n}`;
  return {
    ctes: [
      {
        name: 'backfill_flow_counts',
        comment: "Per order and window: the profile's orders in [placed_at - N x 24 hours, placed_at], this one and any at the same instant included.",
        body: indent([
          'SELECT email, placed_at, value,',
          ...perWindow(({ days }, n) => [`count(*) OVER (PARTITION BY email ORDER BY placed_at RANGE BETWEEN ${dialect.hours(days * 24)} PRECEDING AND CURRENT ROW) AS in_window_${n}`]),
          `FROM ${orders}`,
        ]),
      },
      {
        name: 'backfill_flow_runs',
        comment: 'Per window: where the last run starts, at the latest order alone in its window (the flow stores it whatever its value).',
        body: indent([
          'SELECT email, placed_at, value,',
          ...perWindow((_, n) => [`max(CASE WHEN in_window_${n} = 1 THEN placed_at END) OVER (PARTITION BY email) AS run_start_${n}`]),
          'FROM backfill_flow_counts',
        ]),
      },
      {
        name: 'backfill_flow_run_values',
        comment: "Per window: the values of the last run's orders, and the greatest of them.",
        body: indent([
          'SELECT email, placed_at,',
          ...perWindow((_, n) => [`CASE WHEN ${inRun(n)} THEN value END AS run_value_${n}`, `max(CASE WHEN ${inRun(n)} THEN value END) OVER (PARTITION BY email) AS run_max_${n}`]),
          'FROM backfill_flow_runs',
        ]),
      },
      {
        name: 'backfill_flow_highest',
        comment: 'Per window: the stored order, the first of the last run to reach its greatest value (only a strictly greater value replaces the stored one).',
        body: indent([
          'SELECT email,',
          ...perWindow((_, n) => [`max(run_max_${n}) AS value_${n}`, `min(CASE WHEN run_value_${n} = run_max_${n} THEN placed_at END) AS placed_at_${n}`]),
          'FROM backfill_flow_run_values',
          'GROUP BY email',
        ]),
      },
    ],
    relation: 'backfill_flow_highest',
    columns: highestColumns(windows),
  };
}
