/**
 * CSV records from a stream, with the positions a user needs: the line each record starts on and its
 * raw text. Malformed records come out as `CsvSyntaxIssue`s, in input order.
 */
import type { Readable } from 'node:stream';
import { CsvScanner, type ScanIssue } from './csv-scanner.js';

export interface CsvRecord {
  readonly kind: 'record';
  readonly fields: string[];
  /** 1-based line on which the record starts (records may span lines through quoted newlines). */
  readonly line: number;
  /** The record's text as it was in the file, line break included. */
  readonly raw: string;
}

export interface CsvSyntaxIssue extends ScanIssue {
  readonly kind: 'syntax';
}

export type CsvItem = CsvRecord | CsvSyntaxIssue;

export interface CsvDialect {
  readonly delimiter: string;
}

export async function* readCsvRecords(input: Readable, dialect: CsvDialect = { delimiter: ',' }): AsyncGenerator<CsvItem> {
  let batch: CsvItem[] = [];
  const scanner = new CsvScanner(dialect.delimiter, {
    record: (record) => batch.push({ kind: 'record', ...record }),
    issue: (issue) => batch.push({ kind: 'syntax', ...issue }),
  });
  // UTF-8 decoding that keeps multi-byte characters split across chunks whole.
  input.setEncoding('utf8');
  for await (const chunk of input as AsyncIterable<string>) {
    scanner.push(chunk);
    if (batch.length > 0) {
      const ready = batch;
      batch = [];
      yield* ready;
    }
  }
  scanner.end();
  yield* batch;
}
