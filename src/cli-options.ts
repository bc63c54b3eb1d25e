/**
 * Flags as typed, validated values. Every check happens here, once, before any file is read;
 * a bad flag is a usage error (exit 2) that names the flag and what it accepts.
 */
import { InvalidArgumentError } from 'commander';
import { parseTimestamp } from './core/timestamp.js';
import type { ReducerMode } from './core/definitions.js';
import { DEFAULT_SIZE_ALIASES } from './core/sizes.js';

export const DEFAULT_WINDOWS = [30];
export const DEFAULT_SIZES = ['small', 'medium', 'large', 'xlarge'];

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
