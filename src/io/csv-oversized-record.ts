/**
 * A record over the scanner's size limit, read on to its end without being kept: the scanner holds a
 * record's bytes while it is open, and a 20 MB note, a 60 MB items cell or a line of 10M commas would
 * otherwise be held whole (or, cut at the limit, read on from the middle as junk rows: 10M of them for
 * a note of 10M line breaks). Only where the record ends is wanted, so its bytes are followed as CSV
 * reads them (the same dialect as csv-scanner.ts: `"` quotes, `""` inside quotes, a record ends at a
 * line feed outside quotes) and dropped: memory stays at one chunk however long the record is.
 *
 * A record that is not well-formed CSV cannot be told from the rows after it once its bytes are gone:
 * a closing quote followed by text, or a quote still open at the end of the file, means a quote that
 * was never meant to open a field swallowed the rows after it. `feed` says so (MALFORMED), and the
 * reader stops rather than guess which of those rows were orders.
 */

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Where the reader is within the record. */
const enum State {
  /** At the start of a field. */
  FieldStart,
  /** In a field that did not open with a quote: quotes in it are text (as Excel writes them). */
  Unquoted,
  /** In a quoted field. */
  Quoted,
  /** Just past a quote in a quoted field: `""`, or the closing quote. */
  QuoteSeen,
  /** Past a closing quote and a `\r`: the `\n` of a CRLF must follow. */
  QuoteCr,
}

/** `feed`: the record goes on past the bytes given. */
export const GOES_ON = -1;
/** `feed`: a closing quote is followed by text; the record is read on from there with its quotes as text. */
export const MALFORMED = -2;

export class OversizedRecord {
  readonly #delimiter: number;
  #state = State.FieldStart;
  /** Line feeds read in the record so far (the one ending it included, once read). */
  lineBreaks = 0;
  /** Bytes read in the record so far. */
  bytes = 0;
  /** Whether a line feed ended it (not the end of the file). */
  endedByLineFeed = false;
  /** Where the last field-opening quote was: its line within the record (0: the first) and its 1-based column. */
  quoteLine = 0;
  quoteColumn = 0;
  /** The line (within the record) of a closing quote found followed by text, once `feed` said MALFORMED. */
  malformedLine = -1;
  /** Bytes of the current line read before the bytes being fed, for columns. */
  #lineBytes = 0;
  /** After MALFORMED: every quote is text, and the record ends at the next line feed. */
  #quotesAsText = false;

  constructor(delimiter: number) {
    this.#delimiter = delimiter;
  }

  /** Whether the end of the file closes the record (it does unless a quoted field is still open). */
  get closedAtEnd(): boolean {
    return this.#state !== State.Quoted;
  }

  /**
   * Reads `bytes` from `from`: returns where the record ends (just past its line feed), GOES_ON when
   * it goes on past them, or MALFORMED where a closing quote is followed by text (then feed on from
   * `malformedAt` in the same bytes: the rest of the record is read with its quotes as text).
   */
  feed(bytes: Uint8Array, from: number): number {
    const delimiter = this.#delimiter;
    const length = bytes.length;
    let state = this.#state;
    let lineStart = from - this.#lineBytes;
    let i = from;
    const stop = (at: number, result: number): number => {
      this.bytes += at - from;
      this.#lineBytes = at - lineStart;
      this.#state = state;
      return result;
    };
    // The next line feed at or after `i` (length: none): looked for again only once passed, since a
    // search per quote through a chunk without one (a 60 MB one-line cell of `""`s) is quadratic.
    let nextLf = -1;
    while (i < length) {
      if (state === State.Quoted) {
        // A quoted field runs to its next quote: jump there, counting the line feeds on the way.
        const quote = bytes.indexOf(QUOTE, i);
        const end = quote < 0 ? length : quote;
        for (;;) {
          if (nextLf < i) nextLf = lineFeedFrom(bytes, i);
          if (nextLf >= end) break;
          this.lineBreaks++;
          lineStart = nextLf + 1;
          i = nextLf + 1;
        }
        if (quote < 0) return stop(length, GOES_ON);
        state = State.QuoteSeen;
        i = quote + 1;
        continue;
      }
      const byte = bytes[i]!;
      if (byte === LF) {
        // Outside a quoted field a line feed ends the record (after a closing quote or its `\r` too).
        this.lineBreaks++;
        lineStart = i + 1;
        state = State.FieldStart;
        this.endedByLineFeed = true;
        return stop(i + 1, i + 1);
      }
      if (state === State.FieldStart) {
        if (byte === QUOTE && !this.#quotesAsText) {
          state = State.Quoted;
          this.quoteLine = this.lineBreaks;
          this.quoteColumn = i - lineStart + 1;
        } else if (byte !== delimiter) state = State.Unquoted;
      } else if (state === State.Unquoted) {
        if (byte === delimiter) state = State.FieldStart;
      } else if (state === State.QuoteSeen && (byte === QUOTE || byte === delimiter || byte === CR)) {
        state = byte === QUOTE ? State.Quoted : byte === delimiter ? State.FieldStart : State.QuoteCr;
      } else {
        // Text after a closing quote (or after its `\r`): the quote that opened the field was text.
        state = State.Unquoted;
        this.#quotesAsText = true;
        this.malformedLine = this.lineBreaks;
        this.malformedAt = i + 1;
        return stop(i + 1, MALFORMED);
      }
      i++;
    }
    return stop(length, GOES_ON);
  }

  /** After MALFORMED: where to feed on from in the same bytes. */
  malformedAt = 0;
}


/** Where the next line feed at or after `from` is, or the length of `bytes` when there is none. */
function lineFeedFrom(bytes: Uint8Array, from: number): number {
  const at = bytes.indexOf(LF, from);
  return at < 0 ? bytes.length : at;
}
