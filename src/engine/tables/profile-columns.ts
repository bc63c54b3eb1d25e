/**
 * Profiles read from a profiles CSV, held as columns rather than as a row object per profile: emails
 * in a byte arena (email-column.ts), each `_value` column a Float64Array (NaN: blank), each `_date` column the
 * epoch milliseconds of its `yyyy-MM-dd HH:mm:ss` text in a Float64Array (NaN: blank), and only
 * columns of any other kind as arrays of values. About 80 bytes a profile that the garbage collector
 * never traces, where kept rows cost about 250 that it copied to old space (most of a 1M-row read).
 *
 * A row, a property object's JSON and a profile's problem are made from the columns when asked for,
 * exactly as the row-per-profile reader made them: properties in column order, blanks absent, numbers
 * as numbers, dates as the same text. Filled by the CSV reader one row at a time: the cells of the
 * next row are written with `setNumber`/`setValue`, then `commit` makes them row `length`; cells of a
 * row that is never committed (rejected, or without properties) are overwritten by the next one.
 */
import { emailProblem } from '../../domain/email.js';
import { EmailColumn } from './email-column.js';
import { JsonBytes } from './json-bytes.js';
import { textPropertiesOf, type ProfileList } from '../../domain/profile-list.js';
import { profileProblem } from '../../domain/profile-problem.js';
import type { ProfileRow, PropertyValue } from '../../domain/profile-row.js';
import { formatUtc } from '../../domain/timestamp.js';

/** What a property column holds: a number, a date (epoch ms, written as text), or any value. */
export type PropertyKind = 'value' | 'date' | 'any';

const INITIAL_ROWS = 1 << 10;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;

export class ProfileColumns implements ProfileList {
  /** Property names, in the file's column order (the email column left out). */
  readonly names: readonly string[];
  readonly kinds: readonly PropertyKind[];
  /** Every email read, rows without properties included (they still count as duplicates). */
  readonly emails = new EmailColumn();
  #length = 0;
  #capacity = INITIAL_ROWS;
  /** Row -> its email's number in `emails`. */
  #emailOf = new Int32Array(INITIAL_ROWS);
  /** Per column: its numbers (value and date columns) or values (any), undefined for the other kind. */
  readonly #numbers: (Float64Array | undefined)[];
  readonly #values: ((PropertyValue | undefined)[] | undefined)[];
  /** `"name":` per column as UTF-8, for JSON made straight from the columns. */
  readonly #keysJson: Buffer[];
  /** Where `jsonLength` writes a profile's JSON to measure it. */
  readonly #measure = new JsonBytes();
  /**
   * Whether property objects made from these columns have their keys in column order, one per column:
   * not when a name repeats (the last cell wins, at the first one's place), is `__proto__` (never an own
   * key) or is an array index (such keys come first, in numeric order). Then the JSON and the text
   * properties are taken from the rows themselves, which is always right and only slower.
   */
  readonly #plainKeys: boolean;
  /** A property with an empty name: every profile that sets it has a problem (see profileProblem). */
  readonly #blankName: boolean;

  constructor(names: readonly string[], kinds: readonly PropertyKind[]) {
    this.names = names;
    this.kinds = kinds;
    this.#numbers = kinds.map((kind) => (kind === 'any' ? undefined : new Float64Array(INITIAL_ROWS)));
    this.#values = kinds.map((kind) => (kind === 'any' ? [] : undefined));
    this.#keysJson = names.map((name) => Buffer.from(`${JSON.stringify(name)}:`));
    this.#plainKeys = new Set(names).size === names.length && names.every((name) => name !== '__proto__' && !/^\d+$/.test(name));
    this.#blankName = names.some((name) => name.trim() === '');
  }

  get length(): number {
    return this.#length;
  }

  /** Column `column` of the next row: a number (value), epoch ms (date), NaN for blank. */
  setNumber(column: number, value: number): void {
    this.#numbers[column]![this.#length] = value;
  }

  /** Column `column` (kind any) of the next row; undefined for blank. */
  setValue(column: number, value: PropertyValue | undefined): void {
    this.#values[column]![this.#length] = value;
  }

  /** The cells written since the last commit become row `length`, the profile with email number `email`. */
  commit(email: number): void {
    if (this.#length + 1 >= this.#capacity) this.#grow();
    this.#emailOf[this.#length] = email;
    this.#length++;
  }

  email(index: number): string {
    return this.emails.at(this.#emailOf[index]!);
  }

  writeEmailJson(index: number, out: JsonBytes): void {
    this.emails.writeJson(this.#emailOf[index]!, out);
  }

  row(index: number): ProfileRow {
    const properties: Record<string, PropertyValue> = {};
    const names = this.names;
    for (let column = 0; column < names.length; column++) {
      const value = this.#cell(column, index);
      if (value !== undefined) properties[names[column]!] = value;
    }
    return { email: this.email(index), properties };
  }

  /** All rows at once, for the commands that compare them all (diff, segments). */
  toRows(): ProfileRow[] {
    const rows = new Array<ProfileRow>(this.#length);
    for (let index = 0; index < this.#length; index++) rows[index] = this.row(index);
    return rows;
  }

  jsonLength(index: number): number {
    const json = this.#measure;
    json.clear();
    this.writeEmailJson(index, json);
    this.writePropertiesJson(index, json);
    return json.length;
  }

  writePropertiesJson(index: number, out: JsonBytes): void {
    if (!this.#plainKeys) {
      out.text(JSON.stringify(this.row(index).properties));
      return;
    }
    out.byte(OPEN_BRACE);
    let first = true;
    const kinds = this.kinds;
    for (let column = 0; column < kinds.length; column++) {
      const kind = kinds[column]!;
      if (kind === 'any') {
        const value = this.#values[column]![index];
        if (value === undefined) continue;
        if (!first) out.byte(COMMA);
        out.raw(this.#keysJson[column]!);
        if (typeof value === 'string') out.text(JSON.stringify(value));
        else if (Number.isFinite(value)) out.number(value);
        else out.text('null');
      } else {
        const number = this.#numbers[column]![index]!;
        if (Number.isNaN(number)) continue;
        if (!first) out.byte(COMMA);
        out.raw(this.#keysJson[column]!);
        // A value is finite: the reader checks.
        if (kind === 'value') out.number(number);
        else out.quotedDate(number);
      }
      first = false;
    }
    out.byte(CLOSE_BRACE);
  }

  problem(index: number): string | undefined {
    const email = this.email(index);
    const badEmail = emailProblem(email);
    if (badEmail !== undefined) return badEmail;
    // Values and dates are usable by construction (checked on reading); other cells may not be.
    return this.#blankName || this.#hasUnusableValue(index) ? profileProblem(this.row(index)) : undefined;
  }

  textProperties(): string[] {
    if (!this.#plainKeys) return textPropertiesOf(this.#length, (index) => this.row(index));
    const names = new Set<string>();
    this.kinds.forEach((kind, column) => {
      if (kind === 'value') return;
      for (let index = 0; index < this.#length; index++) {
        if (kind === 'date' ? !Number.isNaN(this.#numbers[column]![index]!) : typeof this.#values[column]![index] === 'string') {
          names.add(this.names[column]!);
          break;
        }
      }
    });
    return [...names].sort();
  }

  #cell(column: number, index: number): PropertyValue | undefined {
    const kind = this.kinds[column]!;
    if (kind === 'any') return this.#values[column]![index];
    const number = this.#numbers[column]![index]!;
    if (Number.isNaN(number)) return undefined;
    return kind === 'value' ? number : formatUtc(number);
  }

  #hasUnusableValue(index: number): boolean {
    for (let column = 0; column < this.kinds.length; column++) {
      const value = this.#values[column]?.[index];
      if (typeof value === 'number' && !Number.isFinite(value)) return true;
    }
    return false;
  }

  #grow(): void {
    const capacity = 2 * this.#capacity;
    const emailOf = new Int32Array(capacity);
    emailOf.set(this.#emailOf);
    this.#emailOf = emailOf;
    this.#numbers.forEach((numbers, column) => {
      if (numbers === undefined) return;
      const grown = new Float64Array(capacity);
      grown.set(numbers);
      this.#numbers[column] = grown;
    });
    this.#capacity = capacity;
  }
}
