/**
 * Drives one or more exports through their format adapter into an `OrderSink`: per file, undo gzip,
 * find the delimiter, read the header, pick the format, and give it this file's settings.
 */
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { BackfillError } from '../errors.js';
import { TimestampReader, type DayMonthOrder } from '../domain/order-timestamps.js';
import type { TimeZone } from '../domain/time-zone.js';
import { pushAll, scanCsv, type CsvItemSink, type CsvSyntaxIssue } from '../engine/csv/csv-records.js';
import type { CsvScanner, ScannerOptions } from '../engine/csv/csv-scanner.js';
import { CUT_MIN_BYTES, fileRange, findCuts, type FileCut } from '../engine/parallel/file-cut.js';
import { movableRangeChunks, type MovableRange } from '../engine/parallel/movable-range.js';
import type { ColumnMapping, FormatOptions, OrderFormat, OrderSink, RecordConsumer, SizeSource } from './formats/format.js';
import { detectFormat } from './formats/registry.js';
import { assertInputsUnchanged, displayName, inputError, openInput, snapshotInput, STDIN_PATH, type InputSnapshot } from './input-files.js';
import { notCsvText } from './content-kind.js';
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
  /** The size limit of a record (csv-scanner.ts MAX_RECORD_BYTES when undefined); tests set it low. */
  readonly maxRecordBytes?: number;
}

/** How one file was read, for the summary. */
export interface FileReport {
  readonly file: string;
  readonly format: string;
  readonly delimiter: Delimiter;
  /** How many parts it was read in (see file-cut.ts and reading/part-threads.ts); 1: in turn. */
  readonly parts: number;
}

export interface ReadOrdersOptions {
  readonly files: readonly string[];
  readonly settings: InputSettings;
  readonly sink: OrderSink;
  /** Called every few thousand records, for progress display. */
  readonly onProgress?: (progress: ReadProgress) => void;
  readonly onFile?: (report: FileReport) => void;
  readonly stdin?: Readable;
  /** Reads a large file's later parts on other threads (compute); undefined: every file in one part. */
  readonly splitter?: FileSplitter;
}

const PROGRESS_EVERY = 10_000;

/** How far a run has read, for progress display. */
export interface ReadProgress {
  /** Records read so far, over every file (both parts of a cut file). */
  readonly records: number;
  /** The file being read, as named in messages, and its place among the run's files (from 1). */
  readonly file: string;
  readonly fileNumber: number;
  readonly files: number;
  /**
   * Bytes of the file read by this thread, and the bytes it has to read (of a cut file, its first part:
   * the other part is read alongside at about the same pace); undefined for stdin.
   */
  readonly bytesRead?: number;
  readonly bytesTotal?: number;
}

/**
 * Reads the later parts of a large file elsewhere (other threads) while this one reads the first:
 * see file-cut.ts. What it delivers to the sink is what reading on here would have delivered.
 */
export interface FileSplitter {
  /** Files smaller than this are read in one part (default CUT_MIN_BYTES). */
  readonly minBytes?: number;
  /** At most this many parts (this thread's included). */
  readonly parts: number;
  /**
   * A file large enough to cut is about to be looked at: threads may start now, to load their code
   * while the cut is looked for. Returns what to call when the file is not cut after all.
   */
  prepare?(): () => void;
  /** Starts reading each part after the first with these settings; `onRecords` hears how far they got, together. */
  start(cut: FileCut, settings: InputSettings, onRecords: (recordsSoFar: number) => void): LaterParts;
}

/** How far the later parts stood for reading on: `records` read in them; from `resumeAt` on, nothing was delivered. */
export interface LaterPartsTaken {
  readonly records: number;
  /** How many parts were taken: the later parts of the cut, and the parts of them read on another thread than their own. */
  readonly parts: number;
  /** The cut where reading in turn must go on, at this line; undefined: every part was taken. */
  readonly resumeAt: { readonly offset: number; readonly line: number } | undefined;
}

export interface LaterParts {
  /**
   * The first part was read up to the first cut and ended there in whole records, with `openOrderId`
   * open. Delivers, in file order, as many later parts as stand for reading on here: `flush` first
   * (the order open at the cut), then each part's orders and rejects. Undefined, with nothing
   * delivered, when not even the second part does (then this thread reads on).
   */
  finish(at: {
    readonly line: number;
    readonly openOrderId: string | undefined;
    readonly flush: () => void;
    /** No file follows: nothing read later needs the last part's order ids. */
    readonly lastFile: boolean;
  }): Promise<LaterPartsTaken | undefined>;
  cancel(): void;
}

/** Reads every file in turn; returns the number of data records read (headers excluded). */
export async function readOrders(options: ReadOrdersOptions): Promise<number> {
  const progress = { records: 0 };
  const snapshots: (InputSnapshot | undefined)[] = [];
  for (const [index, path] of options.files.entries()) {
    // Taken before any of the file is read (its cut looked for included), checked once all are read.
    snapshots.push(await snapshotInput(path));
    await readFile(path, index, options, progress);
  }
  await assertInputsUnchanged(snapshots);
  const last = displayName(options.files.at(-1) ?? STDIN_PATH);
  options.onProgress?.({ records: progress.records, file: last, fileNumber: options.files.length, files: options.files.length });
  return progress.records;
}

async function readFile(path: string, index: number, options: ReadOrdersOptions, progress: { records: number }): Promise<void> {
  const { settings } = options;
  const file = displayName(path);
  const cut = await cutOf(path, file, options);
  const size = options.onProgress === undefined || path === STDIN_PATH ? undefined : await fileSize(path);
  const shown = new FileProgress(options, file, index, progress, cut?.cuts[0]!.offset ?? size);
  const laterParts = cut === undefined ? undefined : options.splitter!.start(cut, settings, (recordsSoFar) => shown.laterParts(recordsSoFar));
  const raw = await openInput(path, options.stdin, cut === undefined ? undefined : { end: cut.cuts[0]!.offset });
  shown.reading(raw);
  let input = raw;
  try {
    const csv = await csvText(raw, file);
    input = csv.stream;
    const delimiter = settings.delimiter ?? csv.delimiter;
    const perFile = fileOptions(settings, delimiter);
    const settledBefore = perFile.timestamps.dayMonthEvidence;
    const records = new FileRecords(file, settings, perFile, options.sink, () => {
      if (++progress.records % PROGRESS_EVERY === 0) shown.update();
    });
    const scanner = await scanCsv(input, { delimiter }, (scanner) => records.sinkFor(scanner), { final: cut === undefined, scanning: scannerOptions(settings) });
    const consumer = records.consumer();
    if (cut !== undefined && laterParts !== undefined) {
      // The first part ends at the first cut. The later parts stand for reading on only if reading in
      // turn ended a record exactly there, another order is open, nothing is held back or was settled
      // from the file (the later parts were read without it), and all parts split fields alike.
      const state = consumer.cutState?.();
      const cutHolds =
        scanner.pendingBytes === 0 &&
        state !== undefined &&
        !state.holding &&
        state.openOrderId !== cut.cuts[0]!.firstOrderId &&
        perFile.timestamps.dayMonthEvidence === settledBefore &&
        delimiter === cut.delimiter;
      const taken = cutHolds ? await laterParts.finish({ line: scanner.line, openOrderId: state!.openOrderId, flush: () => consumer.end(), lastFile: index === options.files.length - 1 }) : undefined;
      shown.laterPartsDone();
      laterParts.cancel();
      if (taken !== undefined) {
        progress.records += taken.records;
        if (taken.resumeAt !== undefined) {
          // The parts before this cut were taken (the order open at the first cut with them): reading
          // in turn goes on from the cut, as a part of its own, into the same sink.
          const rest = await readLaterPart(cut, { start: taken.resumeAt, end: undefined }, settings, options.sink, undefined, perFile.timestamps.zoneChecked);
          progress.records += rest.records;
        }
        // This thread's part and the parts taken (what is read in turn after them goes with this thread's).
        options.onFile?.({ file, format: records.formatName, delimiter, parts: 1 + taken.parts });
        return;
      }
      // No later part stands: this thread reads on through the rest of the file.
      await pushAll(fileRange(path, cut.cuts[0]!.offset), scanner);
      scanner.end();
    }
    consumer.end();
    options.onFile?.({ file, format: records.formatName, delimiter, parts: 1 });
  } catch (error) {
    laterParts?.cancel();
    input.destroy();
    throw readError(file, error);
  }
}

/**
 * Where a file is cut into parts read on other threads, or undefined: read in one part (no splitter,
 * stdin, a small or compressed file, or no cut found: then reading it reports any problem with it).
 */
async function cutOf(path: string, file: string, options: ReadOrdersOptions): Promise<FileCut | undefined> {
  const { splitter, settings } = options;
  if (splitter === undefined || path === STDIN_PATH) return undefined;
  // Threads may start loading their code while the cut is looked for.
  const release = splitter.prepare !== undefined && ((await fileSize(path)) ?? 0) >= (splitter.minBytes ?? CUT_MIN_BYTES) ? splitter.prepare() : undefined;
  const cut = await findCuts(path, settings.delimiter, (header) => tryFormatFor(header, file, settings), {
    parts: splitter.parts,
    ...(splitter.minBytes === undefined ? {} : { minBytes: splitter.minBytes }),
  }).catch(() => undefined);
  if (cut === undefined) release?.();
  return cut;
}

/** The input as CSV text: gzip undone, the delimiter sniffed; anything that is not CSV text stops the run here. */
async function csvText(raw: Readable, file: string): Promise<{ readonly stream: Readable; readonly delimiter: Delimiter }> {
  const plain = await decompressed(raw);
  const sniffed = await sniffDelimiter(plain.stream);
  const unlike = notCsvText(sniffed.head);
  if (unlike !== undefined) {
    sniffed.stream.destroy();
    throw new BackfillError('INPUT_UNREADABLE', `${file} is ${plain.gzip ? `gzip-compressed ${unlike.what}` : unlike.what}, not an order export in CSV`, {
      location: { file },
      hint: unlike.instead,
    });
  }
  return { stream: sniffed.stream, delimiter: sniffed.delimiter };
}

/** A file's records from the scanner: the header picks the format, every other record goes to it. */
class FileRecords {
  formatName = '';
  #consumer: RecordConsumer | undefined;
  readonly #file: string;
  readonly #settings: InputSettings;
  readonly #perFile: FormatOptions;
  readonly #sink: OrderSink;
  readonly #onRecord: () => void;

  constructor(file: string, settings: InputSettings, perFile: FormatOptions, sink: OrderSink, onRecord: () => void) {
    this.#file = file;
    this.#settings = settings;
    this.#perFile = perFile;
    this.#sink = sink;
    this.#onRecord = onRecord;
  }

  sinkFor(scanner: CsvScanner): CsvItemSink {
    return {
      record: (record) => {
        if (this.#consumer === undefined) {
          const format = formatFor(record.fields, this.#file, this.#settings);
          this.#consumer = format.open(record.fields, this.#file, this.#perFile, this.#sink);
          this.formatName = format.name;
          // From here on only the columns the format reads are decoded.
          scanner.decodeOnly(this.#consumer.columns);
          return;
        }
        this.#consumer.record(record);
        this.#onRecord();
      },
      syntax: (issue) => {
        if (this.#consumer === undefined) {
          throw new BackfillError('INPUT_UNREADABLE', `${this.#file}: the header row is not valid CSV: ${issue.reason}`, {
            location: { file: this.#file, line: issue.line },
          });
        }
        if (issue.unrecoverable === true) throw unrecoverableError(this.#file, issue);
        this.#consumer.syntax(issue);
      },
    };
  }

  /** The format's reader, once the header was read; a file without one is empty. */
  consumer(): RecordConsumer {
    if (this.#consumer === undefined) {
      throw new BackfillError('INPUT_EMPTY', `${this.#file} is empty: expected a header row and orders`, {
        location: { file: this.#file },
        hint: 'Check that the export finished downloading.',
      });
    }
    return this.#consumer;
  }
}

/**
 * Progress over a file: the records read here and by the later parts' threads together. It never
 * goes back, even when this thread reads on through records later parts had counted (then it waits
 * until they are read again).
 */
class FileProgress {
  readonly #options: ReadOrdersOptions;
  readonly #file: string;
  readonly #fileNumber: number;
  readonly #progress: { readonly records: number };
  /** The bytes this thread reads: the first part of a cut file, else the file; undefined for stdin. */
  readonly #bytesTotal: number | undefined;
  #raw: Readable | undefined;
  /** Records the later parts' threads read so far, while they are read. */
  #laterPartsRecords = 0;
  #laterPartsReading = true;
  #shown = 0;

  constructor(options: ReadOrdersOptions, file: string, index: number, progress: { readonly records: number }, bytesTotal: number | undefined) {
    this.#options = options;
    this.#file = file;
    this.#fileNumber = index + 1;
    this.#progress = progress;
    this.#bytesTotal = bytesTotal;
  }

  /** The stream this thread reads, whose bytes read so far show. */
  reading(raw: Readable): void {
    this.#raw = raw;
  }

  laterParts(recordsSoFar: number): void {
    if (!this.#laterPartsReading) return; // a late word from a part already taken in or given up
    this.#laterPartsRecords = recordsSoFar;
    this.update();
  }

  laterPartsDone(): void {
    this.#laterPartsReading = false;
    this.#laterPartsRecords = 0;
  }

  update(): void {
    const total = this.#progress.records + this.#laterPartsRecords;
    if (total <= this.#shown) return;
    this.#shown = total;
    const bytesRead = (this.#raw as { bytesRead?: number } | undefined)?.bytesRead;
    const bytesTotal = this.#bytesTotal;
    this.#options.onProgress?.({
      records: total,
      file: this.#file,
      fileNumber: this.#fileNumber,
      files: this.#options.files.length,
      ...(bytesRead !== undefined && bytesTotal !== undefined ? { bytesRead, bytesTotal } : {}),
    });
  }
}

/** What a failure while reading a file is, for the user: its own BackfillError, or one that names the file. */
function readError(file: string, error: unknown): unknown {
  if (error instanceof BackfillError) return error;
  if (isSystemError(error)) return inputError(file, error);
  const code = (error as { code?: unknown }).code;
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') {
    return new BackfillError('INPUT_UNREADABLE', `${file}: starts like a gzip file but does not decompress (${(error as Error).message})`, {
      location: { file },
      cause: error,
    });
  }
  return error;
}

/** One part of a cut file: from a cut to the next cut, or to the end of the file. */
export interface PartRange {
  /** Where the part starts, and the line that is on in the file (any line, when no reject will show it). */
  readonly start: { readonly offset: number; readonly line: number };
  /** Where it ends (a cut); undefined: at the end of the file. Not read when `movable` is given. */
  readonly end: number | undefined;
  /**
   * The part's bytes as a range whose end another thread may move back while it is read (see
   * movable-range.ts); it ends at the end of the file when its end is FILE_END.
   */
  readonly movable?: MovableRange;
}

/** A movable range's end that stands for the end of the file, whatever its size by then. */
export const FILE_END = Number.MAX_SAFE_INTEGER;

/** A part as read: its records, whether it stands for reading in turn, the line breaks in it, and how it ended. */
export interface PartRead {
  readonly records: number;
  /**
   * It needed nothing settled from the parts before (its dates never asked the day/month question),
   * and, when it ends at a cut, reading ended a record exactly there, with nothing held back. The
   * order open there must also be another than the one the next part starts with: see `openOrderId`.
   */
  readonly standsAlone: boolean;
  readonly lineBreaks: number;
  /** Where it ended, its range's end in the end (a movable one may have been moved back); undefined: the end of the file. */
  readonly end: number | undefined;
  /** The order open where it ended at a cut, for the caller, who knows the part after it, to check against that part's first. */
  readonly openOrderId: string | undefined;
}

/**
 * Reads one part of a cut file, as if reading in turn had got to its start: the header first, then
 * the part. Used on the threads that read the later parts (reading/read-part-worker.ts), and here
 * to read on from a cut after the parts before it were taken.
 */
export async function readLaterPart(
  cut: FileCut,
  range: PartRange,
  settings: InputSettings,
  sink: OrderSink,
  onRecords?: (recordsSoFar: number) => void,
  /** Reading on from a cut: whether reading in turn had checked the file's first date for a zone. */
  zoneChecked = false,
): Promise<PartRead> {
  const file = displayName(cut.path);
  const perFile = fileOptions(settings, cut.delimiter);
  perFile.timestamps.zoneChecked = zoneChecked;
  const settledBefore = perFile.timestamps.dayMonthEvidence;
  let consumer: RecordConsumer | undefined;
  let records = 0;
  const scanner = await scanCsv(
    fileRange(cut.path, 0, cut.headerEnd),
    { delimiter: cut.delimiter },
    (scanner) => ({
      record(record) {
        if (consumer === undefined) {
          consumer = formatFor(record.fields, file, settings).open(record.fields, file, perFile, sink);
          scanner.decodeOnly(consumer.columns);
          return;
        }
        consumer.record(record);
        if (++records % PROGRESS_EVERY === 0) onRecords?.(records);
      },
      syntax(issue) {
        // Thrown here too: a later part must not stand for reading on when reading in turn stops.
        if (issue.unrecoverable === true) throw unrecoverableError(file, issue);
        consumer?.syntax(issue);
      },
    }),
    { final: false, scanning: scannerOptions(settings) },
  );
  if (consumer === undefined || scanner.pendingBytes > 0) return { records, standsAlone: false, lineBreaks: 0, end: range.end, openOrderId: undefined };
  scanner.continueAtLine(range.start.line);
  const { movable } = range;
  await pushAll(movable === undefined ? fileRange(cut.path, range.start.offset, range.end) : movableRangeChunks(cut.path, movable), scanner);
  const lineBreaks = scanner.line - range.start.line;
  const end = movable === undefined ? range.end : movable.end === FILE_END ? undefined : movable.end;
  let endsWell = true;
  let openOrderId: string | undefined;
  if (end === undefined) scanner.end();
  else {
    const state = consumer.cutState?.();
    endsWell = scanner.pendingBytes === 0 && state !== undefined;
    openOrderId = state?.openOrderId;
  }
  const holding = consumer.cutState?.().holding ?? true;
  consumer.end();
  return { records, standsAlone: endsWell && !holding && perFile.timestamps.dayMonthEvidence === settledBefore, lineBreaks, end, openOrderId };
}

/** How the scanner reads this run's files: only the size limit of a record can be set (for tests). */
function scannerOptions(settings: InputSettings): ScannerOptions {
  return settings.maxRecordBytes === undefined ? {} : { maxRecordBytes: settings.maxRecordBytes };
}

/**
 * A record over the size limit that is not well-formed CSV stops the run: the rows after it were read
 * into it, and which of them were orders cannot be told (see csv-oversized-record.ts).
 */
function unrecoverableError(file: string, issue: CsvSyntaxIssue): BackfillError {
  return new BackfillError('INPUT_UNREADABLE', `${file}: ${issue.reason}`, {
    location: { file, line: issue.line, column: issue.column },
    hint: 'Nothing was written. Fix that quote (a quote inside a quoted field is written twice: "") or remove it, and run again.',
  });
}

/** The format a file is read with: the one set, or the one its header shows (throws when none does). */
function formatFor(header: readonly string[], file: string, settings: InputSettings): OrderFormat {
  return settings.format ?? detectFormat(header, file, Object.keys(settings.columns).length > 0);
}

function tryFormatFor(header: readonly string[], file: string, settings: InputSettings): OrderFormat | undefined {
  try {
    return formatFor(header, file, settings);
  } catch {
    return undefined;
  }
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

async function fileSize(path: string): Promise<number | undefined> {
  return stat(path).then(
    (info) => (info.isFile() ? info.size : undefined),
    () => undefined, // opening it reports the problem
  );
}

function isSystemError(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code !== undefined && (error as NodeJS.ErrnoException).syscall !== undefined;
}
