/**
 * Settles a file's day/month order before its orders are read, and stops early when its times need a
 * zone that was not given. `05/06/2024` is May 6th or June 5th depending on the store's locale, and
 * the rows alone cannot say; one date with a day above 12 settles it for the whole file. Until then,
 * records are held back (in order) rather than guessed; if the file ends, or the hold-back limit is
 * reached, without such a date, the run stops and names the setting that settles it.
 */
import { BackfillError } from '../../errors.js';
import { dayMonthNumbers, hasOwnOffset, type TimestampReader } from '../../domain/order-timestamps.js';
import type { CsvRecord, CsvSyntaxIssue } from '../../engine/csv/csv-records.js';
import { startsWithYear } from '../../engine/csv/cell-readers.js';
import type { RecordConsumer } from './format.js';
import { formatCount } from '../../wording.js';

/** Enough for any store's export to show a day above 12; small enough to hold in memory. */
export const HOLD_BACK_LIMIT = 20_000;

const DATE_FORMAT_HINT =
  'Set the order of day and month with --date-format DD/MM/YYYY or --date-format MM/DD/YYYY ' +
  '(or "dateFormat" in backfill.config.json).';

export class DateOrderGate implements RecordConsumer {
  readonly #inner: RecordConsumer;
  readonly #column: number;
  readonly #columnName: string;
  readonly #reader: TimestampReader;
  readonly #file: string;
  readonly #held: (CsvRecord | CsvSyntaxIssue)[] = [];
  #firstAmbiguous: { line: number; text: string } | undefined;

  get columns(): readonly number[] | undefined {
    return this.#inner.columns;
  }

  constructor(inner: RecordConsumer, column: number, columnName: string, reader: TimestampReader, file: string) {
    this.#inner = inner;
    this.#column = column;
    this.#columnName = columnName;
    this.#reader = reader;
    this.#file = file;
  }

  record(record: CsvRecord): void {
    const column = this.#column;
    // Year-first dates (`2025-05-11 ...`, Shopify's own layout) never need the day/month question;
    // such a date is told by its first five characters, without decoding it.
    const yearFirst = startsWithYear(record, column);
    if (this.#reader.zoneChecked && (yearFirst || this.#reader.dayMonthOrder !== undefined)) {
      if (this.#firstAmbiguous === undefined || this.#reader.dayMonthOrder !== undefined) {
        this.#inner.record(record);
        return;
      }
    }
    const text = record.text(column) ?? '';
    if (!this.#reader.zoneChecked && text.trim() !== '') this.#checkZone(record, text);
    if (this.#reader.dayMonthOrder === undefined && !yearFirst) {
      const numbers = dayMonthNumbers(text);
      if (numbers !== undefined) {
        const [first, second] = numbers;
        if (first > 12 || second > 12) {
          this.#reader.dayMonthOrder = first > 12 ? 'dmy' : 'mdy';
          this.#reader.dayMonthEvidence = `"${text.trim()}" at line ${record.line}`;
          this.#release();
        } else {
          this.#firstAmbiguous ??= { line: record.line, text: text.trim() };
        }
      }
    }
    if (this.#firstAmbiguous === undefined || this.#reader.dayMonthOrder !== undefined) {
      this.#inner.record(record);
      return;
    }
    this.#held.push(record);
    if (this.#held.length >= HOLD_BACK_LIMIT) throw this.#unknownOrder(`in its first ${formatCount(HOLD_BACK_LIMIT)} rows`);
  }

  cutState(): { readonly openOrderId: string | undefined; readonly holding: boolean } {
    const inner = this.#inner.cutState?.() ?? { openOrderId: undefined, holding: true };
    return { openOrderId: inner.openOrderId, holding: inner.holding || this.#held.length > 0 };
  }

  syntax(issue: CsvSyntaxIssue): void {
    if (this.#held.length > 0) this.#held.push(issue);
    else this.#inner.syntax(issue);
  }

  end(): void {
    if (this.#held.length > 0) throw this.#unknownOrder('anywhere');
    this.#inner.end();
  }

  #release(): void {
    for (const item of this.#held) {
      if (item.kind === 'record') this.#inner.record(item);
      else this.#inner.syntax(item);
    }
    this.#held.length = 0;
  }

  #checkZone(record: CsvRecord, text: string): void {
    this.#reader.zoneChecked = true;
    if (this.#reader.zone !== undefined || hasOwnOffset(text)) return;
    throw new BackfillError(
      'TIME_ZONE_MISSING',
      `${this.#file}:${record.line}: "${this.#columnName}" holds times without a UTC offset ("${text.trim()}"), ` +
        'and no time zone is set to read them in',
      {
        location: { file: this.#file, line: record.line, column: this.#column + 1, columnName: this.#columnName },
        hint: "Name the store's time zone with --timezone America/New_York (or \"timezone\" in backfill.config.json).",
      },
    );
  }

  #unknownOrder(where: string): BackfillError {
    const first = this.#firstAmbiguous!;
    return new BackfillError(
      'DATE_ORDER_UNKNOWN',
      `${this.#file}: dates in "${this.#columnName}" such as "${first.text}" (line ${first.line}) could be day/month or ` +
        `month/day, and no date ${where} has a day above 12 to tell which`,
      { location: { file: this.#file, line: first.line, column: this.#column + 1, columnName: this.#columnName }, hint: DATE_FORMAT_HINT },
    );
  }
}
