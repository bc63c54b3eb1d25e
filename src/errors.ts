/**
 * Typed errors. Each carries a stable `code` and what the user needs to fix the problem; the command
 * line (src/cli/main.ts, src/cli/exit-codes.ts) is the one place that turns them into messages and
 * exit codes.
 */

export type ErrorCode =
  | 'USAGE'
  | 'INPUT_NOT_FOUND'
  | 'INPUT_UNREADABLE'
  | 'INPUT_EMPTY'
  | 'INPUT_CHANGED'
  | 'MISSING_COLUMNS'
  | 'DUPLICATE_COLUMN'
  | 'FORMAT_UNKNOWN'
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'TIME_ZONE_MISSING'
  | 'DATE_ORDER_UNKNOWN'
  | 'BAD_ROW'
  | 'OUTPUT_FAILED'
  | 'SAME_FILE'
  | 'LOCKED'
  | 'MISSING_API_KEY'
  | 'CONFIRMATION_REQUIRED'
  | 'RUN_LOG_MISMATCH'
  | 'KLAVIYO_REFUSED'
  | 'KLAVIYO_UNAVAILABLE'
  | 'KLAVIYO_UNEXPECTED'
  /** An answer larger than a run can hold (exit 2: running again does not make it smaller). */
  | 'KLAVIYO_TOO_LARGE'
  | 'METRIC_NOT_FOUND'
  | 'METRIC_AMBIGUOUS'
  | 'EVENT_STORE'
  | 'INTERRUPTED';

export interface ErrorLocation {
  readonly file: string;
  readonly line?: number;
  /** 1-based column number. */
  readonly column?: number;
  /** The header name of that column, when known. */
  readonly columnName?: string;
}

export class BackfillError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation | undefined;
  /** The next thing to try, shown under the message. */
  readonly hint: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { location?: ErrorLocation; hint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'BackfillError';
    this.code = code;
    this.location = options.location;
    this.hint = options.hint;
  }
}

/** `orders.csv:12:16 (Created at)`: where a problem is, in the form editors and terminals link. */
export function formatLocation(location: ErrorLocation): string {
  let text = location.file;
  if (location.line !== undefined) text += `:${location.line}`;
  if (location.column !== undefined) text += `:${location.column}`;
  if (location.columnName !== undefined) text += ` (column "${location.columnName}")`;
  return text;
}
