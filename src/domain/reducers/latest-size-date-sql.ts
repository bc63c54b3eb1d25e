/**
 * The latest date per size (latest-size-date.ts) as SQL: per size,
 * when the profile's latest order with an item of that size was placed. An order line's size is one
 * option value (`S`, `Medium`), trimmed and matched case-insensitively against the size and its
 * aliases, as compute matches a variant's option (`SizeMatcher.sizeOf`).
 */
import type { SizeDefinition } from '../definitions.js';
import { indent, selectList, type ReducerSql, type SqlContext } from './reducer-sql.js';

export function latestSizeDateSql(sizes: readonly SizeDefinition[], { dialect, orders, orderLines: lines, namesOfSize: namesOf }: SqlContext): ReducerSql {
  const size = `lower(${dialect.trimmed(dialect.identifier(lines.sizeColumn))})`;
  const names = (definition: SizeDefinition) => namesOf(definition.size).map(dialect.string).join(', ');
  return {
    ctes: [
      {
        name: 'backfill_size_lines',
        comment: 'Order lines with an item of a computed size: the size as written, trimmed and lower-cased.',
        body: indent([
          `SELECT ${dialect.identifier(lines.orderIdColumn)} AS order_id, ${size} AS size`,
          `FROM ${lines.relation}`,
          `WHERE ${size} IN (${sizes.map(names).join(', ')})`,
        ]),
      },
      {
        name: 'backfill_size_dates',
        comment: "Per size: when the profile's latest order with an item of that size (or one of its aliases) was placed.",
        body: indent([
          'SELECT o.email,',
          ...selectList(sizes.map((definition, i) => `max(CASE WHEN l.size IN (${names(definition)}) THEN o.placed_at END) AS placed_at_${i + 1}`)),
          `FROM ${orders} AS o`,
          'JOIN backfill_size_lines AS l ON l.order_id = o.order_id',
          'GROUP BY o.email',
        ]),
      },
    ],
    relation: 'backfill_size_dates',
    columns: sizes.map((definition, i) => ({ property: definition.dateProperty, column: `placed_at_${i + 1}`, kind: 'date' as const })),
  };
}
