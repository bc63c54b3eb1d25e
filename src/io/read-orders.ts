/**
 * Drives one or more exports through their format adapter into an `OrderSink`: per file, undo gzip,
 * find the delimiter, read the header, pick the format, and give it this file's settings.
 */
import type { Readable } from 'node:stream';
import { BackfillError } from '../errors.js';
import { TimestampReader, type DayMonthOrder } from '../core/order-timestamps.js';
import type { TimeZone } from '../core/time-zone.js';
import { scanCsv } from './csv-records.js';
import type { ColumnMapping, FormatOptions, OrderFormat, OrderSink, RecordConsumer, SizeSource } from './formats/format.js';
import { detectFormat } from './formats/registry.js';
import { displayName, inputError, openInput } from './input-files.js';
import { decompressed, sniffDelimiter, type Delimiter } from './input-stream.js';

/** What is the same for every file of a run. */
export interface InputSettings extends SizeSource {
  /** Undefined: chosen per file from its header. */
  readonly format: OrderFormat | undefined;
  /** Undefined: found per file from its header row. */
  readonly delimiter: Delimiter | undefined;
  /** Undefined: `,` in semicolon-delimited files, `.` otherwise. */
  readonly decimalSeparator: '.' | ',' | undefined;
  readonly timeZone: TimeZone | undefined;
  /** Undefined: settled per file from its dates, or the run stops (never guessed). */
  readonly dayMonthOrder: DayMonthOrder | undefined;
  readonly columns: Partial<ColumnMapping>;
  readonly excludeCancelled: boolean;
}

/** How one file was read, for the summary. */
export interface FileReport {
  readonly file: string;
  readonly format: string;
  readonly delimiter: Delimiter;
}

export interface ReadOrdersOptions {
  readonly files: readonly string[];
  readonly settings: InputSettings;
  readonly sink: OrderSink;
  /** Called every few thousand records with the running count, for progress display. */
  readonly onProgress?: (recordsRead: number) => void;
  readonly onFile?: (report: FileReport) => void;
  readonly stdin?: Readable;
}

const PROGRESS_EVERY = 10_000;

/** Reads every file in turn; returns the number of data records read (headers excluded). */
export async function readOrders(options: ReadOrdersOptions): Promise<number> {
  let recordsRead = 0;
  const { settings } = options;
  for (const path of options.files) {
    const file = displayName(path);
    let input = await openInput(path, options.stdin);
    let consumer = undefined as RecordConsumer | undefined;
    try {
      input = await decompressed(input);
      const sniffed = await sniffDelimiter(input);
      input = sniffed.stream;
      const delimiter = settings.delimiter ?? sniffed.delimiter;
      await scanCsv(input, { delimiter }, (scanner) => ({
        record(record) {
          if (consumer === undefined) {
            const format = settings.format ?? detectFormat(record.fields, file, Object.keys(settings.columns).length > 0);
            consumer = format.open(record.fields, file, fileOptions(settings, delimiter), options.sink);
            options.onFile?.({ file, format: format.name, delimiter });
            // From here on only the columns the format reads are decoded.
            scanner.decodeOnly(consumer.columns);
            return;
          }
          consumer.record(record);
          recordsRead++;
          if (recordsRead % PROGRESS_EVERY === 0) options.onProgress?.(recordsRead);
        },
        syntax(issue) {
          if (consumer === undefined) {
            throw new BackfillError('INPUT_UNREADABLE', `${file}: the header row is not valid CSV: ${issue.reason}`, {
              location: { file, line: issue.line },
            });
          }
          consumer.syntax(issue);
        },
      }));
      if (consumer === undefined) {
        throw new BackfillError('INPUT_EMPTY', `${file} is empty: expected a header row and orders`, {
          location: { file },
          hint: 'Check that the export finished downloading.',
        });
      }
      consumer.end();
    } catch (error) {
      input.destroy();
      if (error instanceof BackfillError) throw error;
      if (isSystemError(error)) throw inputError(file, error);
      if ((error as { code?: unknown }).code === 'Z_DATA_ERROR' || (error as { code?: unknown }).code === 'Z_BUF_ERROR') {
        throw new BackfillError('INPUT_UNREADABLE', `${file}: starts like a gzip file but does not decompress (${(error as Error).message})`, {
          location: { file },
          cause: error,
        });
      }
      throw error;
    }
  }
  options.onProgress?.(recordsRead);
  return recordsRead;
}

function fileOptions(settings: InputSettings, delimiter: Delimiter): FormatOptions {
  return {
    sizes: settings.sizes,
    sizeOption: settings.sizeOption,
    sizePattern: settings.sizePattern,
    excludeCancelled: settings.excludeCancelled,
    columns: settings.columns,
    // A fresh reader per file: one file's day/month order says nothing about the next file's.
    timestamps: new TimestampReader(settings.timeZone, settings.dayMonthOrder),
    decimalComma: (settings.decimalSeparator ?? (delimiter === ';' ? ',' : '.')) === ',',
  };
}

function isSystemError(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code !== undefined && (error as NodeJS.ErrnoException).syscall !== undefined;
}
