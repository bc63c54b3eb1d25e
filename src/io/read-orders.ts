/**
 * Drives one or more exports through their format adapter into an `OrderSink`.
 */
import type { Readable } from 'node:stream';
import { BackfillError } from '../errors.js';
import { readCsvRecords } from './csv-records.js';
import type { FormatOptions, OrderFormat, OrderSink } from './formats/format.js';
import { displayName, inputError, openInput } from './input-files.js';

export interface ReadOrdersOptions {
  readonly files: readonly string[];
  readonly format: OrderFormat;
  readonly formatOptions: FormatOptions;
  readonly sink: OrderSink;
  /** Called every few thousand records with the running count, for progress display. */
  readonly onProgress?: (recordsRead: number) => void;
  readonly stdin?: Readable;
}

const PROGRESS_EVERY = 10_000;

/** Reads every file in turn; returns the number of data records read (headers excluded). */
export async function readOrders(options: ReadOrdersOptions): Promise<number> {
  let recordsRead = 0;
  for (const path of options.files) {
    const file = displayName(path);
    const input = await openInput(path, options.stdin);
    let consumer: ReturnType<OrderFormat['open']> | undefined;
    try {
      for await (const item of readCsvRecords(input)) {
        if (consumer === undefined) {
          if (item.kind === 'syntax') {
            throw new BackfillError('INPUT_UNREADABLE', `${file}: the header row is not valid CSV: ${item.reason}`, {
              location: { file, line: item.line },
            });
          }
          consumer = options.format.open(item.fields, file, options.formatOptions, options.sink);
          continue;
        }
        if (item.kind === 'record') {
          consumer.record(item);
          recordsRead++;
          if (recordsRead % PROGRESS_EVERY === 0) options.onProgress?.(recordsRead);
        } else {
          consumer.syntax(item);
        }
      }
    } catch (error) {
      input.destroy();
      if (error instanceof BackfillError) throw error;
      if ((error as NodeJS.ErrnoException).code !== undefined && (error as NodeJS.ErrnoException).syscall !== undefined) {
        throw inputError(file, error);
      }
      throw error;
    }
    if (consumer === undefined) {
      throw new BackfillError('INPUT_EMPTY', `${file} is empty: expected a header row and orders`, {
        location: { file },
        hint: 'Check that the export finished downloading.',
      });
    }
    consumer.end();
  }
  options.onProgress?.(recordsRead);
  return recordsRead;
}
