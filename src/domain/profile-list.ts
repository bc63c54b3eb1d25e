/**
 * The profiles a push sends, by index: what the fingerprint, the batch plan, the request bodies, the
 * job results and the incremental state read. Two kinds satisfy it: rows already in memory (computed
 * from orders: `rowList`), and the columns of a profiles CSV (profile-columns.ts), which makes a row
 * only when one is asked for, so that a million profiles are not a million objects kept alive.
 */
import type { JsonBytes } from '../engine/tables/json-bytes.js';
import { profileProblem } from './profile-problem.js';
import type { ProfileRow } from './profile-row.js';

export interface ProfileList {
  readonly length: number;
  /** Profile `index` as a row (for a columnar list, a new object each call: make them a batch at a time). */
  row(index: number): ProfileRow;
  /** `row(index).email`, without the row. */
  email(index: number): string;
  /** Appends exactly `JSON.stringify(row(index).email)`, as UTF-8, to `out`. */
  writeEmailJson(index: number, out: JsonBytes): void;
  /**
   * Appends exactly `JSON.stringify(row(index).properties)`, as UTF-8, to `out`, without the row where
   * it can: the fingerprint hashes it and the plan measures it.
   */
  writePropertiesJson(index: number, out: JsonBytes): void;
  /** The bytes of the email's JSON and the properties' JSON together, as UTF-8: what a batch plan measures. */
  jsonLength(index: number): number;
  /** Exactly `profileProblem(row(index))`. */
  problem(index: number): string | undefined;
  /** The names of the properties some profile holds as text (the dates), sorted. */
  textProperties(): string[];
}

/** Rows in memory as a ProfileList. */
export function rowList(rows: readonly ProfileRow[]): ProfileList {
  return {
    length: rows.length,
    row: (index) => rows[index]!,
    email: (index) => rows[index]!.email,
    writeEmailJson: (index, out) => out.text(JSON.stringify(rows[index]!.email)),
    writePropertiesJson: (index, out) => out.text(JSON.stringify(rows[index]!.properties)),
    jsonLength: (index) => Buffer.byteLength(JSON.stringify(rows[index]!.email)) + Buffer.byteLength(JSON.stringify(rows[index]!.properties)),
    problem: (index) => profileProblem(rows[index]!),
    textProperties: () => textPropertiesOf(rows.length, (index) => rows[index]!),
  };
}

/** The text-valued property names over `count` rows, sorted: the general way, row by row. */
export function textPropertiesOf(count: number, rowAt: (index: number) => ProfileRow): string[] {
  const names = new Set<string>();
  for (let index = 0; index < count; index++) {
    for (const [name, value] of Object.entries(rowAt(index).properties)) if (typeof value === 'string') names.add(name);
  }
  return [...names].sort();
}
