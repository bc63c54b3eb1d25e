/**
 * CSV records with the positions a user needs: the line each record starts on and its raw text.
 * csv-parse does the parsing; malformed records (a stray or unclosed quote) come out as
 * `CsvSyntaxIssue`s in input order, with everything the parser swallowed, so nothing is lost.
 */
import type { Readable } from 'node:stream';
import { parse, type CsvError, type Info } from 'csv-parse';

export interface CsvRecord {
  readonly kind: 'record';
  readonly fields: string[];
  /** 1-based line on which the record starts (records may span lines through quoted newlines). */
  readonly line: number;
  /** The record's text as it was in the file, line break included. */
  readonly raw: string;
}

export interface CsvSyntaxIssue {
  readonly kind: 'syntax';
  readonly code: string;
  readonly line: number;
  readonly reason: string;
  /** All the text the parser could not turn into records, from the bad record on. */
  readonly raw: string;
}

export type CsvItem = CsvRecord | CsvSyntaxIssue;

export interface CsvDialect {
  readonly delimiter: string;
}

interface ParsedRecord {
  record: string[];
  info: Info;
  raw: string;
}

export async function* readCsvRecords(input: Readable, dialect: CsvDialect = { delimiter: ',' }): AsyncGenerator<CsvItem> {
  const parser = parse({
    bom: true,
    delimiter: dialect.delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    raw: true,
  });
  // csv-parse reports skipped records as events while records queue up for the iterator. A skip
  // happens after `records` good records, so it is yielded just before record number `records + 1`.
  // After a bad quote the parser resumes inside the quoted field and may skip again with the same
  // count and a longer raw text: those are one issue, reported at its first line with the last raw.
  const pending: { records: number; issue: CsvSyntaxIssue }[] = [];
  let lastLine = 0;
  parser.on('skip', (error: CsvError) => {
    const context = error as CsvError & { records?: number; lines?: number; raw?: string };
    const records = context.records ?? 0;
    const raw = context.raw ?? '';
    const previous = pending.at(-1);
    if (previous !== undefined && previous.records === records) {
      previous.issue = { ...previous.issue, raw };
      return;
    }
    const line = startLine(context.lines ?? lastLine + 1, raw);
    pending.push({ records, issue: { kind: 'syntax', code: error.code, line, reason: describeSyntaxError(error), raw } });
  });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);

  for await (const parsed of parser as AsyncIterable<ParsedRecord>) {
    while (pending.length > 0 && pending[0]!.records < parsed.info.records) yield pending.shift()!.issue;
    lastLine = parsed.info.lines;
    yield { kind: 'record', fields: parsed.record, line: startLine(parsed.info.lines, parsed.raw), raw: parsed.raw };
  }
  for (const { issue } of pending) yield issue;
}

/** The first line of a record that ends on `endLine` (csv-parse counts the line its record ends on). */
function startLine(endLine: number, raw: string): number {
  let newlines = 0;
  for (let i = raw.indexOf('\n'); i >= 0 && i < raw.length - 1; i = raw.indexOf('\n', i + 1)) newlines++;
  return Math.max(1, endLine - newlines);
}

function describeSyntaxError(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed: the rest of the file was read as part of it';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quote in the middle of a field: quotes inside a quoted field must be doubled ("")';
    default:
      return error.message;
  }
}
