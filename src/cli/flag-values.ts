/**
 * Flags as typed, validated values. Every check happens here, once, before any file is read;
 * a bad flag is a usage error (exit 2) that names the flag and what it accepts.
 */
import { InvalidArgumentError } from 'commander';
import type { SizeAliasFlag } from '../config/run-settings.js';
import { parseTimestamp } from '../domain/timestamp.js';
import { DEFAULT_SIZE_ALIASES } from '../domain/sizes.js';
import { SETTING_RULES, SettingProblem } from '../config/setting-rules.js';

export { DEFAULT_SIZES, DEFAULT_WINDOWS } from '../config/run-settings.js';

/** `--as-of`: ISO 8601; a date alone is midnight UTC, a time without an offset is UTC. */
export function parseAsOf(text: string): number {
  const parsed = parseTimestamp(text, true);
  if (!parsed.ok) {
    // The parser's own words describe order dates ("like 2025-05-11 09:55:16 -0400"), which --as-of
    // accepts too; say what --as-of takes instead, and keep only a "no such date" reason.
    const impossible = /^no such date/.test(parsed.reason) ? ' (no such date or time)' : '';
    throw new InvalidArgumentError(`expected an ISO 8601 date or time such as 2026-11-26, 2026-11-26T06:00:00Z or 2026-11-26 06:00:00 -0500${impossible}; got "${text}"`);
  }
  return parsed.epochMs;
}

export const parseMode = fromRule(SETTING_RULES.mode.fromText);

/** `--windows 30,60,90`: whole days, 1 to 3650, each once. */
export const parseWindows = fromRule(SETTING_RULES.windows.fromText);

/** `--sizes small,medium`: names as Klaviyo property prefixes, so letters, digits, `_` and `-`. */
export const parseSizes = fromRule(SETTING_RULES.sizes.fromText);

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

/** A flag taking a whole number from `min` to `max`; `expected` completes "expected ..., got ...". */
export function wholeNumberFlag(min: number, max: number, expected: string): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) throw new InvalidArgumentError(`expected ${expected}, got "${text}"`);
    return value;
  };
}

/** A flag taking a Klaviyo id (letters and digits), such as a list's or a metric's. */
export function klaviyoIdFlag(what: string, example: string): (text: string) => string {
  return (text) => {
    if (!/^[A-Za-z0-9]+$/.test(text)) throw new InvalidArgumentError(`expected a Klaviyo ${what} id such as ${example}, got "${text}"`);
    return text;
  };
}

export const parseBytes = wholeNumberFlag(200, Number.MAX_SAFE_INTEGER, 'a whole number of bytes of at least 200');

export const parseCount = wholeNumberFlag(0, Number.MAX_SAFE_INTEGER, 'a whole number, 0 or more');

export const parseThreads = wholeNumberFlag(1, Number.MAX_SAFE_INTEGER, 'a whole number of threads, 1 or more');

/** `--size-alias`, kept apart from the defaults so the config file's aliases can sit between them. */
export function parseSizeAliasFlag(text: string, previous: SizeAliasFlag | undefined): SizeAliasFlag {
  if (text.trim().toLowerCase() === 'none') return { dropDefaults: true, aliases: {} };
  return { dropDefaults: previous?.dropDefaults ?? false, aliases: parseSizeAliases(text, { ...previous?.aliases }) };
}

/** `--timezone America/New_York`: an IANA zone name, for times written without an offset. */
export const parseTimeZone = fromRule(SETTING_RULES.timezone.fromText);

/** `--date-format DD/MM/YYYY`: which number is the day in dates such as 05/06/2024. */
export const parseDateFormat = fromRule(SETTING_RULES.dateFormat.fromText);

/** `--delimiter ;`: `,`, `;`, `|` or `tab`; by default it is found from each file's header row. */
export const parseDelimiter = fromRule(SETTING_RULES.delimiter.fromText);

/** A rule of the settings table as a commander argument parser: its problem becomes a usage error. */
function fromRule<T>(rule: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return rule(text);
    } catch (error) {
      if (error instanceof SettingProblem) throw new InvalidArgumentError(`expected ${error.expected}; got "${text}"`);
      throw error;
    }
  };
}
