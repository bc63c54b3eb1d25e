/**
 * Drives one or more exports through their format adapter into an `OrderSink`: per file, undo gzip,
 * find the delimiter, read the header, pick the format, and give it this file's settings.
 */
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { BackfillError } from '../errors.js';
import { TimestampReader, type DayMonthOrder } from '../core/order-timestamps.js';
import type { TimeZone } from '../core/time-zone.js';
import { pushAll, scanCsv, type CsvSyntaxIssue } from './csv-records.js';
import type { ScannerOptions } from './csv-scanner.js';
import { CUT_MIN_BYTES, fileRange, findCuts, type FileCut } from './file-cut.js';
import { movableRangeChunks, type MovableRange } from './movable-range.js';
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
  const lastFile = index === options.files.length - 1;
  const { settings } = options;
  const file = displayName(path);
  const splitter = options.splitter;
  const release = splitter?.prepare !== undefined && path !== STDIN_PATH && ((await fileSize(path)) ?? 0) >= (splitter.minBytes ?? CUT_MIN_BYTES) ? splitter.prepare() : undefined;
  const cut =
    splitter === undefined || path === STDIN_PATH
      ? undefined
      : await findCuts(path, settings.delimiter, (header) => tryFormatFor(header, file, settings), {
          parts: splitter.parts,
          ...(splitter.minBytes === undefined ? {} : { minBytes: splitter.minBytes }),
        }).catch(
          () => undefined, // no cut: the file is read in one part, which reports any problem with it
        );
  if (cut === undefined) release?.();
  // Progress counts every part's records; it never goes back, even when the first part reads on
  // through records later parts had counted (then it waits until they are read again).
  let secondSoFar = 0;
  let secondReading = true;
  let shown = 0;
  let raw: Readable | undefined;
  const showProgress = () => {
    const total = progress.records + secondSoFar;
    if (total <= shown) return;
    shown = total;
    const bytesRead = (raw as { bytesRead?: number } | undefined)?.bytesRead;
    const bytesTotal = cut?.cuts[0]!.offset ?? size;
    options.onProgress?.({
      records: total,
      file,
      fileNumber: index + 1,
      files: options.files.length,
      ...(bytesRead !== undefined && bytesTotal !== undefined ? { bytesRead, bytesTotal } : {}),
    });
  };
  const secondPart =
    cut === undefined
      ? undefined
      : options.splitter!.start(cut, settings, (recordsSoFar) => {
          if (!secondReading) return; // a late word from a part already taken in or given up
          secondSoFar = recordsSoFar;
          showProgress();
        });
  const size = options.onProgress === undefined || path === STDIN_PATH ? undefined : await fileSize(path);
  raw = await openInput(path, options.stdin, cut === undefined ? undefined : { end: cut.cuts[0]!.offset });
  let input = raw;
  let consumer = undefined as RecordConsumer | undefined;
  let formatName = '';
  try {
    const plain = await decompressed(input);
    input = plain.stream;
    const sniffed = await sniffDelimiter(input);
    input = sniffed.stream;
    const unlike = notCsvText(sniffed.head);
    if (unlike !== undefined) {
      throw new BackfillError('INPUT_UNREADABLE', `${file} is ${plain.gzip ? `gzip-compressed ${unlike.what}` : unlike.what}, not an order export in CSV`, {
        location: { file },
        hint: unlike.instead,
      });
    }
    const delimiter = settings.delimiter ?? sniffed.delimiter;
    const perFile = fileOptions(settings, delimiter);
    const settledBefore = perFile.timestamps.dayMonthEvidence;
    const scanner = await scanCsv(
      input,
      { delimiter },
      (scanner) => ({
        record(record) {
          if (consumer === undefined) {
            const format = formatFor(record.fields, file, settings);
            consumer = format.open(record.fields, file, perFile, options.sink);
            formatName = format.name;
            // From here on only the columns the format reads are decoded.
            scanner.decodeOnly(consumer.columns);
            return;
          }
          consumer.record(record);
          if (++progress.records % PROGRESS_EVERY === 0) showProgress();
        },
        syntax(issue) {
          if (consumer === undefined) {
            throw new BackfillError('INPUT_UNREADABLE', `${file}: the header row is not valid CSV: ${issue.reason}`, {
              location: { file, line: issue.line },
            });
          }
          if (issue.unrecoverable === true) throw unrecoverableError(file, issue);
          consumer.syntax(issue);
        },
      }),
      { final: cut === undefined, scanning: scannerOptions(settings) },
    );
    if (consumer === undefined) {
      throw new BackfillError('INPUT_EMPTY', `${file} is empty: expected a header row and orders`, {
        location: { file },
        hint: 'Check that the export finished downloading.',
      });
    }
    if (cut !== undefined && secondPart !== undefined) {
      // The first part ends at the first cut. The later parts stand for reading on only if reading in
      // turn ended a record exactly there, another order is open, nothing is held back or was settled
      // from the file (the later parts were read without it), and all parts split fields alike.
      const open = consumer;
      const state = open.cutState?.();
      const cutHolds =
        scanner.pendingBytes === 0 &&
        state !== undefined &&
        !state.holding &&
        state.openOrderId !== cut.cuts[0]!.firstOrderId &&
        perFile.timestamps.dayMonthEvidence === settledBefore &&
        delimiter === cut.delimiter;
      const taken = cutHolds ? await secondPart.finish({ line: scanner.line, openOrderId: state!.openOrderId, flush: () => open.end(), lastFile }) : undefined;
      secondReading = false;
      secondSoFar = 0;
      secondPart.cancel();
      if (taken !== undefined) {
        progress.records += taken.records;
        if (taken.resumeAt !== undefined) {
          // The parts before this cut were taken (the order open at the first cut with them): reading
          // in turn goes on from the cut, as a part of its own, into the same sink.
          const rest = await readLaterPart(cut, { start: taken.resumeAt, end: undefined }, settings, options.sink, undefined, perFile.timestamps.zoneChecked);
          progress.records += rest.records;
        }
        // This thread's part and the parts taken (what is read in turn after them goes with this thread's).
        options.onFile?.({ file, format: formatName, delimiter, parts: 1 + taken.parts });
        return;
      }
      await pushAll(fileRange(path, cut.cuts[0]!.offset), scanner);
      scanner.end();
    }
    consumer.end();
    options.onFile?.({ file, format: formatName, delimiter, parts: 1 });
  } catch (error) {
    secondPart?.cancel();
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
