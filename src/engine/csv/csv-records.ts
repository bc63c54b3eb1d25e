/**
 * CSV records from a byte stream, with the positions a user needs: the line each record starts on
 * and its raw text. Malformed records come out as `CsvSyntaxIssue`s, in input order.
 */
import type { Readable } from 'node:stream';
import { CsvScanner, type ScanIssue, type ScannedRecord, type ScannerOptions, type ScanSink, type StructuredRecords } from './csv-scanner.js';

export type CsvRecord = ScannedRecord;

export interface CsvSyntaxIssue extends ScanIssue {
  readonly kind: 'syntax';
}

export type CsvItem = CsvRecord | CsvSyntaxIssue;

export interface CsvDialect {
  readonly delimiter: string;
}

export interface CsvItemSink {
  record(record: CsvRecord): void;
  syntax(issue: CsvSyntaxIssue): void;
  /** The structural pass's records all at once (see ScanSink.records). */
  records?(batch: StructuredRecords): void;
}

/**
 * Feeds a stream through a scanner, calling the sink synchronously for every record in order: no
 * promise per record, which on files of millions of rows costs more than the parsing. The sink may
 * call `scanner.decodeOnly` from inside (after the header) to have only some columns decoded.
 */
export async function scanCsv(
  input: Readable,
  dialect: CsvDialect,
  sink: (scanner: CsvScanner) => CsvItemSink,
  { final = true, scanning = {} }: { readonly final?: boolean; readonly scanning?: ScannerOptions } = {},
): Promise<CsvScanner> {
  let target: CsvItemSink | undefined;
  const forward: ScanSink = {
    record: (record) => target!.record(record),
    issue: (issue) => target!.syntax({ kind: 'syntax', ...issue }),
  };
  const scanner = new CsvScanner(dialect.delimiter, forward, scanning);
  target = sink(scanner);
  if (target.records !== undefined) forward.records = (batch) => target!.records!(batch);
  await pushAll(input, scanner);
  // Not final: more of the same file may follow (read-orders.ts, a file read in parts).
  if (final) scanner.end();
  return scanner;
}

/** Pushes every chunk of `input` through `scanner` (and does not end it). */
export async function pushAll(input: AsyncIterable<Buffer | string>, scanner: CsvScanner): Promise<void> {
  for await (const chunk of input) scanner.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
}

/** The same as an async iterable, for small files where convenience beats speed (a profiles CSV, tests). */
export async function* readCsvRecords(input: Readable, dialect: CsvDialect = { delimiter: ',' }): AsyncGenerator<CsvItem> {
  let batch: CsvItem[] = [];
  const scanner = new CsvScanner(dialect.delimiter, {
    record: (record) => batch.push(record),
    issue: (issue) => batch.push({ kind: 'syntax', ...issue }),
  });
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    scanner.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (batch.length > 0) {
      const ready = batch;
      batch = [];
      yield* ready;
    }
  }
  scanner.end();
  yield* batch;
}
