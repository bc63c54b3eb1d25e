/**
 * Progress on the terminal: a spinner line for a person watching, nothing for cron, CI and pipes
 * (they get the summary line alone). It can never hold a run up: it is shown only on a terminal that
 * reports its width (a pseudo-terminal under `script` reports 0 columns, and a spinner there redraws
 * for ever), and colour follows NO_COLOR, FORCE_COLOR and --no-color.
 */
import type { Ora } from 'ora';
import type { ReadProgress } from '../io/read-orders.js';
import { retryWaveLine, type RetryWave } from '../klaviyo/retry-policy.js';
import { redactSecrets } from '../redact.js';
import { formatCount } from '../wording.js';
import type { CliIo } from './io.js';

export interface ProgressOptions {
  /** --quiet, --json, --markdown: no progress at all. */
  readonly silent: boolean;
  /** False for --no-color. */
  readonly color?: boolean;
}

export class Progress {
  readonly #spinner: Ora | undefined;

  private constructor(spinner: Ora | undefined) {
    this.#spinner = spinner;
  }

  /**
   * The progress line for this run. ora is loaded only when the line will show: loading it (and what it
   * loads) took a tenth of a second or more of every run's start, for cron, CI and pipes too.
   */
  static async open(io: CliIo, options: ProgressOptions): Promise<Progress> {
    const columns = io.stderr.columns ?? 0;
    if (options.silent || io.stderr.isTTY !== true || columns <= 0) return new Progress(undefined);
    const { default: ora } = await import('ora');
    return new Progress(ora({ stream: io.stderr, discardStdin: false, color: colorWanted(io, options.color) ? 'cyan' : false }));
  }

  start(text: string): void {
    this.#spinner?.start(text);
  }

  /** Whether the line shows: where it does not, its text need not be made. */
  get shown(): boolean {
    return this.#spinner !== undefined;
  }

  set text(text: string) {
    if (this.#spinner !== undefined) this.#spinner.text = text;
  }

  get text(): string {
    return this.#spinner?.text ?? '';
  }

  stop(): void {
    this.#spinner?.stop();
  }
}

/** --no-color wins; then FORCE_COLOR (0 or false turns colour off); then NO_COLOR; else colour on a terminal. */
export function colorWanted(io: Pick<CliIo, 'env'>, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return (io.env.NO_COLOR ?? '') === '';
}

/**
 * `Reading orders_2.csv (2 of 3): 1,240,000 rows, 41%, 310,000 rows/s, about 12 seconds left`.
 * The share and the time left come from bytes read, when the file's size is known.
 */
export function readingText(progress: ReadProgress, elapsedMs: number): string {
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  const where = progress.files > 1 ? `${progress.file} (${progress.fileNumber} of ${progress.files})` : progress.file;
  const parts = [`${formatCount(progress.records)} rows`];
  const { bytesRead, bytesTotal } = progress;
  if (bytesRead !== undefined && bytesTotal !== undefined && bytesTotal > 0) {
    const share = Math.min(bytesRead / bytesTotal, 1);
    parts.push(`${Math.floor(share * 100)}%`);
    parts.push(`${formatCount(Math.round(progress.records / seconds))} rows/s`);
    if (share > 0.01 && share < 1 && progress.fileNumber === progress.files) {
      parts.push(`about ${humanDuration((seconds * (1 - share)) / share)} left`);
    }
  } else {
    parts.push(`${formatCount(Math.round(progress.records / seconds))} rows/s`);
  }
  return `Reading ${where}: ${parts.join(', ')}`;
}

/** `1 minute 5 seconds`, `26 hours 40 minutes`; under a second reads `1 second`. Units that are 0 are left out. */
export function humanDuration(seconds: number): string {
  const whole = Math.max(1, Math.round(seconds));
  const units: [string, number][] = [
    ['hour', Math.floor(whole / 3600)],
    ['minute', Math.floor((whole % 3600) / 60)],
    ['second', whole % 60],
  ];
  return units
    .filter(([, count]) => count > 0)
    .map(([unit, count]) => `${count} ${unit}${count === 1 ? '' : 's'}`)
    .join(' ');
}

/**
 * Where no progress line shows (cron, CI, a pipe), a request being retried says so on stderr, once
 * per wave, so a silent endpoint is not a silent run; `--quiet` keeps it quiet. Undefined: no notices.
 */
export function retryNotices(io: CliIo, quiet: boolean | undefined): { readonly onRetry: (wave: RetryWave) => void } | undefined {
  if (io.stderr.isTTY === true || quiet === true) return undefined;
  return { onRetry: (wave) => io.stderr.write(redactSecrets(retryWaveLine(wave))) };
}
