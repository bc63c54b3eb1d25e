/**
 * An RFC 4180 scanner that knows nothing about streams: it is handed text and calls back with records.
 *
 * Written for this tool rather than taken from csv-parse for two reasons. Positions: every record
 * carries the line it starts on and its exact raw text, which the rejects file needs (csv-parse counts
 * `\r\n` inside quotes twice and drops the `\n` of CRLF from its raw text). Recovery: a malformed
 * record costs one physical line, not the rest of the file; after a stray or unclosed quote the
 * scanner rejects the line where the record began and reads on from the next line, so rows after a
 * typo are still used and nothing is silently swallowed.
 *
 * Dialect: one-character delimiter, `"` quotes, `""` for a quote inside quotes, records end at `\n`
 * or `\r\n`, blank lines are skipped. A quote inside an unquoted field is kept as text (Excel writes
 * such fields). A byte-order mark at the start is dropped.
 */

export interface ScannedRecord {
  readonly fields: string[];
  /** 1-based line on which the record starts. */
  readonly line: number;
  /** The record's text, its line break included. */
  readonly raw: string;
}

export type SyntaxIssueCode = 'CSV_INVALID_CLOSING_QUOTE' | 'CSV_QUOTE_NOT_CLOSED' | 'CSV_RECORD_TOO_LARGE';

export interface ScanIssue {
  readonly code: SyntaxIssueCode;
  readonly line: number;
  /** 1-based column (in characters) of the offending quote. */
  readonly column: number;
  readonly reason: string;
  /** The physical line rejected, line break included. */
  readonly raw: string;
}

export interface ScanSink {
  record(record: ScannedRecord): void;
  issue(issue: ScanIssue): void;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** A record still open after this many characters is taken to be a runaway quote. */
export const MAX_RECORD_CHARS = 8 * 1024 * 1024;

type ScanOutcome =
  | { readonly kind: 'record'; readonly end: number; readonly fields: string[] }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'bad-quote'; readonly at: number };

export class CsvScanner {
  readonly #delimiter: number;
  readonly #sink: ScanSink;
  /** Text of the record still open at the end of the last chunk. */
  #carry = '';
  #line = 1;
  #started = false;

  constructor(delimiter: string, sink: ScanSink) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new Error(`unsupported CSV delimiter ${JSON.stringify(delimiter)}`);
    }
    this.#delimiter = delimiter.charCodeAt(0);
    this.#sink = sink;
  }

  push(chunk: string): void {
    let text = this.#carry + chunk;
    if (!this.#started) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.#carry = text.slice(this.#scan(text, false));
  }

  /** End of input: an open record is complete if its quotes are balanced, and malformed if not. */
  end(): void {
    const text = this.#carry;
    this.#carry = '';
    this.#scan(text, true);
  }

  /** Scans whole records from `text`; returns where the unfinished tail starts. */
  #scan(text: string, atEnd: boolean): number {
    let start = 0;
    while (start < text.length) {
      const first = text.charCodeAt(start);
      if (first === LF || (first === CR && text.charCodeAt(start + 1) === LF)) {
        start += first === LF ? 1 : 2; // blank line
        this.#line++;
        continue;
      }
      if (first === CR && start + 1 === text.length && !atEnd) return start;
      const outcome = this.#scanRecord(text, start, atEnd);
      if (outcome.kind === 'incomplete') {
        if (!atEnd && text.length - start <= MAX_RECORD_CHARS) return start;
        start = this.#rejectLine(text, start, text.length - start > MAX_RECORD_CHARS && !atEnd ? 'CSV_RECORD_TOO_LARGE' : 'CSV_QUOTE_NOT_CLOSED', openingQuote(text, start, this.#delimiter));
        continue;
      }
      if (outcome.kind === 'bad-quote') {
        const lineEnd = text.indexOf('\n', outcome.at);
        if (lineEnd < 0 && !atEnd) return start; // the rest of the line is still to come
        start = this.#rejectLine(text, start, 'CSV_INVALID_CLOSING_QUOTE', outcome.at);
        continue;
      }
      const raw = text.slice(start, outcome.end);
      this.#sink.record({ fields: outcome.fields, line: this.#line, raw });
      this.#line += countLineBreaks(raw);
      start = outcome.end;
    }
    return start;
  }

  /**
   * Rejects the physical line a malformed record starts on and resumes on the next one. For a bad
   * closing quote that is usually the whole bad row; for an unclosed quote it keeps the rest of the
   * file readable instead of swallowing it into one field.
   */
  #rejectLine(text: string, start: number, code: SyntaxIssueCode, quoteAt: number): number {
    const lineEnd = text.indexOf('\n', code === 'CSV_INVALID_CLOSING_QUOTE' ? quoteAt : start);
    const end = lineEnd < 0 ? text.length : lineEnd + 1;
    const raw = text.slice(start, end);
    const quoteLine = this.#line + countLineBreaks(text.slice(start, quoteAt));
    const quoteLineStart = Math.max(start, text.lastIndexOf('\n', quoteAt - 1) + 1);
    this.#sink.issue({
      code,
      line: this.#line,
      column: quoteAt - quoteLineStart + 1,
      reason: describe(code, quoteLine),
      raw,
    });
    this.#line += countLineBreaks(raw);
    return end;
  }

  /** One record from `start`: its fields and where the next begins, or why it cannot end yet. */
  #scanRecord(text: string, start: number, atEnd: boolean): ScanOutcome {
    const delimiter = this.#delimiter;
    const fields: string[] = [];
    let i = start;
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        // Quoted field: runs to the quote that is followed by a delimiter, a line break or the end.
        let value = '';
        let pieceStart = i + 1;
        let j = pieceStart;
        for (;;) {
          const close = text.indexOf('"', j);
          if (close < 0) return { kind: 'incomplete' };
          const next = text.charCodeAt(close + 1);
          if (next === QUOTE) {
            value += text.slice(pieceStart, close + 1);
            pieceStart = j = close + 2;
            continue;
          }
          if (close + 1 === text.length && !atEnd) return { kind: 'incomplete' };
          value += text.slice(pieceStart, close);
          i = close + 1;
          if (next === delimiter || next === LF || Number.isNaN(next)) break;
          if (next === CR) {
            const after = text.charCodeAt(close + 2);
            if (after === LF) break;
            if (Number.isNaN(after)) {
              if (atEnd) break;
              return { kind: 'incomplete' };
            }
          }
          return { kind: 'bad-quote', at: close };
        }
        fields.push(value);
      } else {
        // Unquoted field: runs to the next delimiter or line break.
        let j = i;
        let code = text.charCodeAt(j);
        while (j < text.length && code !== delimiter && code !== LF) code = text.charCodeAt(++j);
        if (j === text.length && !atEnd) return { kind: 'incomplete' };
        const end = code === LF && text.charCodeAt(j - 1) === CR ? j - 1 : j;
        fields.push(text.slice(i, end));
        i = j;
      }
      const code = text.charCodeAt(i);
      if (code === delimiter) {
        i++;
        continue;
      }
      if (code === CR) i++;
      if (text.charCodeAt(i) === LF) return { kind: 'record', end: i + 1, fields };
      return { kind: 'record', end: i, fields }; // end of input without a final line break
    }
  }
}

/** Where the unclosed quote of a record starting at `start` opens: the last field-opening quote. */
function openingQuote(text: string, start: number, delimiter: number): number {
  let at = start;
  let quoted = false;
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      if (!quoted && (i === start || text.charCodeAt(i - 1) === delimiter || text.charCodeAt(i - 1) === LF)) at = i;
      quoted = !quoted;
    }
  }
  return at;
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

function describe(code: SyntaxIssueCode, quoteLine: number): string {
  switch (code) {
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `a quote at line ${quoteLine} ends a quoted field but is followed by more text: quotes inside a quoted field must be doubled ("")`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field opened on this line is never closed; this line was rejected and reading went on at the next one';
    case 'CSV_RECORD_TOO_LARGE':
      return `a quoted field opened on this line runs on for more than ${MAX_RECORD_CHARS} characters; this line was rejected and reading went on at the next one`;
  }
}
