/**
 * One table of what each setting accepts, serving every source: flags and BACKFILL_* variables (text,
 * through commander), backfill.config.json and the settings a push run log keeps (JSON). Each rule
 * checks once and says what it expects; the source wraps that into its own error (a usage error naming
 * the flag, or CONFIG_INVALID naming the key), so a limit such as "1 to 3650 days" exists once.
 */
import type { ReducerMode } from '../domain/definitions.js';
import { DATE_FORMATS } from '../domain/order-timestamps.js';
import { TimeZone } from '../domain/time-zone.js';
import { FORMAT_NAMES } from '../io/formats/registry.js';
import type { Delimiter } from '../io/input-stream.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A value a rule refuses; `expected` completes "must be ..." or "expected ...". */
export class SettingProblem extends Error {
  /** A nested key (`columns.mail`) where the problem is below the setting itself. */
  readonly key: string | undefined;
  /** The value shown as "got ..."; `null` shows none. Default: the setting's value. */
  readonly got: Json | undefined;

  constructor(readonly expected: string, where: { readonly key?: string; readonly got?: Json } = {}) {
    super(expected);
    this.name = 'SettingProblem';
    this.key = where.key;
    this.got = where.got;
  }
}

export interface SettingRule<T> {
  /** From a flag or an environment variable. */
  readonly fromText?: (text: string) => T;
  /** From the config file or a stored run log. */
  readonly fromJson: (value: Json) => T;
}

export const MAX_WINDOW_DAYS = 3650;
const SIZE_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const DELIMITER_NAMES: Readonly<Record<string, Delimiter>> = { ',': ',', ';': ';', '|': '|', '\t': '\t', '\\t': '\t', tab: '\t' };

function oneOf<T extends string>(allowed: readonly T[], { caseless = false }: { readonly caseless?: boolean } = {}): Required<SettingRule<T>> {
  const pick = (value: unknown): T => {
    const text = typeof value === 'string' ? (caseless ? value.trim().toUpperCase() : value) : undefined;
    const found = allowed.find((a) => a === text);
    if (found === undefined) throw new SettingProblem(`one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
    return found;
  };
  return { fromText: pick, fromJson: pick };
}

/** Whole days from 1 to 3650, each once: two equal windows would write the same property twice. */
function checkWindows(days: readonly unknown[], example: string): number[] {
  const expected = `a list of whole numbers of days from 1 to ${MAX_WINDOW_DAYS}, each once, such as ${example}`;
  if (days.length === 0 || !days.every((d) => Number.isInteger(d) && (d as number) >= 1 && (d as number) <= MAX_WINDOW_DAYS)) throw new SettingProblem(expected);
  const repeated = days.find((d, i) => days.indexOf(d) !== i);
  if (repeated !== undefined) throw new SettingProblem(`${expected} (${String(repeated)} is given twice)`);
  return days as number[];
}

function checkSizes(names: readonly string[]): string[] {
  const sizes = names.map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  const bad = sizes.find((s) => !SIZE_NAME.test(s));
  if (bad !== undefined) throw new SettingProblem(`a list of size names made of letters, digits, _ or - ("${bad}" is not)`);
  return sizes;
}

function timeZone(value: unknown): TimeZone {
  const zone = typeof value === 'string' && value.trim() !== '' ? TimeZone.named(value.trim()) : undefined;
  if (zone === undefined) throw new SettingProblem('an IANA time zone name such as "America/New_York" or "Europe/Berlin"');
  return zone;
}

function delimiter(value: unknown): Delimiter | undefined {
  if (value === 'auto') return undefined;
  const found = typeof value === 'string' ? (DELIMITER_NAMES[value] ?? DELIMITER_NAMES[value.toLowerCase()]) : undefined;
  if (found === undefined) throw new SettingProblem('one of "auto", ",", ";", "|", "tab"');
  return found;
}

export function isJsonObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function boolean(value: Json): boolean {
  if (typeof value !== 'boolean') throw new SettingProblem('true or false');
  return value;
}

export function nonEmptyString(value: Json): string {
  if (typeof value !== 'string' || value.trim() === '') throw new SettingProblem('a non-empty string');
  return value;
}

export function stringRecord(value: Json): Record<string, string> {
  if (!isJsonObject(value) || !Object.values(value).every((v) => typeof v === 'string')) throw new SettingProblem('an object of strings, such as { "S": "small" }');
  return value as Record<string, string>;
}

/** The rules shared by flags, environment and file. */
export const SETTING_RULES = {
  format: oneOf(['auto', ...FORMAT_NAMES]),
  mode: oneOf<ReducerMode>(['flow', 'window']),
  dateFormat: oneOf(Object.keys(DATE_FORMATS), { caseless: true }),
  timezone: { fromText: timeZone, fromJson: timeZone } satisfies SettingRule<TimeZone>,
  delimiter: { fromText: delimiter, fromJson: delimiter } satisfies SettingRule<Delimiter | undefined>,
  windows: {
    fromText: (text) => {
      const parts = text.split(',').map((part) => part.trim());
      return checkWindows(parts.map((part) => (/^\d+$/.test(part) ? Number(part) : Number.NaN)), '30,60,90');
    },
    fromJson: (value) => checkWindows(Array.isArray(value) ? value : [], '[30, 90]'),
  } satisfies SettingRule<number[]>,
  sizes: {
    fromText: (text) => checkSizes(text.split(',')),
    fromJson: (value) => {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new SettingProblem('a list of size names made of letters, digits, _ or -');
      return checkSizes(value as string[]);
    },
  } satisfies SettingRule<string[]>,
  excludeCancelled: { fromJson: boolean } satisfies SettingRule<boolean>,
} as const;
