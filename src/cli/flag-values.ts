/**
 * Flags as typed, validated values. Every check happens here, once, before any file is read;
 * a bad flag is a usage error (exit 2) that names the flag and what it accepts.
 */
import { InvalidArgumentError } from 'commander';
import type { SizeAliasFlag } from '../config/run-settings.js';
import { parseTimestamp } from '../core/timestamp.js';
import type { ReducerMode } from '../core/definitions.js';
import { DATE_FORMATS } from '../core/order-timestamps.js';
import { DEFAULT_SIZE_ALIASES } from '../core/sizes.js';
import { TimeZone } from '../core/time-zone.js';
import type { Delimiter } from '../io/input-stream.js';

export { DEFAULT_SIZES, DEFAULT_WINDOWS } from '../config/run-settings.js';

/** `--as-of`: ISO 8601; a date alone is midnight UTC, a time without an offset is UTC. */
export function parseAsOf(text: string): number {
  const parsed = parseTimestamp(text, true);
  if (!parsed.ok) throw new InvalidArgumentError(`expected an ISO 8601 date or time such as 2026-11-26 or 2026-11-26T06:00:00Z (${parsed.reason})`);
  return parsed.epochMs;
}

export function parseMode(text: string): ReducerMode {
  if (text === 'flow' || text === 'window') return text;
  throw new InvalidArgumentError(`expected "flow" or "window", got "${text}"`);
}

/** `--windows 30,60,90`: whole days, 1 to 3650. */
export function parseWindows(text: string): number[] {
  const days = text.split(',').map((part) => part.trim());
  const parsed = days.map(Number);
  if (days.length === 0 || parsed.some((d, i) => !/^\d+$/.test(days[i]!) || d < 1 || d > 3650)) {
    throw new InvalidArgumentError(`expected whole numbers of days separated by commas, such as 30,60,90; got "${text}"`);
  }
  return parsed;
}

/** `--sizes small,medium`: names as Klaviyo property prefixes, so letters, digits, `_` and `-`. */
export function parseSizes(text: string): string[] {
  const sizes = text.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  const bad = sizes.find((s) => !/^[a-z0-9][a-z0-9_-]*$/.test(s));
  if (bad !== undefined) throw new InvalidArgumentError(`"${bad}" is not a size name: use letters, digits, _ or -`);
  return sizes;
}

/**
 * `--size-alias S=small,XL=xlarge`: variant values that mean a configured size. Given aliases are added
 * to the defaults (S, M, L, XL, X-Large, Extra Large); `none` starts from no aliases at all.
 */
export function parseSizeAliases(text: string, previous: Record<string, string> = { ...DEFAULT_SIZE_ALIASES }): Record<string, string> {
  if (text.trim().toLowerCase() === 'none') return {};
  const aliases = { ...previous };
  for (const pair of text.split(',')) {
    const [alias, size, extra] = pair.split('=').map((part) => part.trim());
    if (!alias || !size || extra !== undefined) {
      throw new InvalidArgumentError(`expected ALIAS=size pairs such as S=small,XL=xlarge; got "${pair}"`);
    }
    aliases[alias.toLowerCase()] = size.toLowerCase();
  }
  return aliases;
}

export function parseBytes(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 200) throw new InvalidArgumentError(`expected a whole number of bytes of at least 200, got "${text}"`);
  return value;
}

export function parseThreads(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(`expected a whole number of threads, 1 or more, got "${text}"`);
  return value;
}

/** `--size-alias`, kept apart from the defaults so the config file's aliases can sit between them. */
export function parseSizeAliasFlag(text: string, previous: SizeAliasFlag | undefined): SizeAliasFlag {
  if (text.trim().toLowerCase() === 'none') return { dropDefaults: true, aliases: {} };
  return { dropDefaults: previous?.dropDefaults ?? false, aliases: parseSizeAliases(text, { ...previous?.aliases }) };
}

/** `--timezone America/New_York`: an IANA zone name, for times written without an offset. */
export function parseTimeZone(text: string): TimeZone {
  const zone = TimeZone.named(text.trim());
  if (zone === undefined) throw new InvalidArgumentError(`expected an IANA time zone name such as America/New_York or Europe/Berlin, got "${text}"`);
  return zone;
}

/** `--date-format DD/MM/YYYY`: which number is the day in dates such as 05/06/2024. */
export function parseDateFormat(text: string): string {
  const format = text.trim().toUpperCase();
  if (DATE_FORMATS[format] === undefined) throw new InvalidArgumentError(`expected ${Object.keys(DATE_FORMATS).join(' or ')}, got "${text}"`);
  return format;
}

/** `--delimiter ;`: `,`, `;`, `|` or `tab`; by default it is found from each file's header row. */
export function parseDelimiter(text: string): Delimiter {
  if (text === ',' || text === ';' || text === '|') return text;
  if (text === '\t' || text === '\\t' || text.toLowerCase() === 'tab') return '\t';
  throw new InvalidArgumentError(`expected , ; | or tab, got "${text}"`);
}
