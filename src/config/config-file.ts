/**
 * `backfill.config.json`: what is stable for a merchant (column names, time zone, date format,
 * sizes, property names). Read and validated once at start-up; every error names the key and what it
 * accepts. Values here are overridden by environment variables and flags (see run-settings.ts).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PropertyNames, ReducerMode } from '../core/definitions.js';
import { DATE_FORMATS } from '../core/order-timestamps.js';
import { TimeZone } from '../core/time-zone.js';
import { BackfillError } from '../errors.js';
import type { ColumnField, ColumnMapping } from '../io/formats/format.js';
import { FORMAT_NAMES } from '../io/formats/registry.js';
import { DELIMITERS, type Delimiter } from '../io/input-stream.js';

export const CONFIG_FILE_NAME = 'backfill.config.json';

export interface FileConfig {
  /** Where it was read from, for messages. */
  readonly path: string;
  readonly format?: string;
  readonly columns?: Partial<ColumnMapping>;
  readonly sizeOption?: string;
  readonly sizePattern?: RegExp;
  readonly sizes?: string[];
  readonly sizeAliases?: Record<string, string>;
  readonly defaultSizeAliases?: boolean;
  readonly timezone?: TimeZone;
  readonly dateFormat?: string;
  readonly delimiter?: Delimiter;
  readonly decimalSeparator?: '.' | ',';
  readonly mode?: ReducerMode;
  readonly windows?: number[];
  readonly properties?: PropertyNames;
  readonly excludeCancelled?: boolean;
  /** `--from klaviyo`: the event property key paths holding the items. */
  readonly eventItems?: string[];
  /** `--from klaviyo`: how far before the newest stored event each fetch starts. */
  readonly eventOverlapHours?: number;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const COLUMN_FIELDS: readonly ColumnField[] = ['email', 'phone', 'orderId', 'placedAt', 'value', 'status', 'items', 'size'];
const SIZE_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const DELIMITER_NAMES: Readonly<Record<string, Delimiter>> = { ',': ',', ';': ';', '\t': '\t', tab: '\t', '|': '|' };

/**
 * Reads the config: `explicitPath` (from --config or BACKFILL_CONFIG) must exist; otherwise
 * `backfill.config.json` in `cwd` is read if present. Undefined when there is none.
 */
export async function loadConfig(explicitPath: string | undefined, cwd: string): Promise<FileConfig | undefined> {
  const path = explicitPath ?? resolve(cwd, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && explicitPath === undefined) return undefined;
    throw new BackfillError('CONFIG_NOT_FOUND', `${explicitPath ?? path}: cannot read the config file (${(error as Error).message})`, {
      location: { file: explicitPath ?? path },
      cause: error,
    });
  }
  const shown = explicitPath ?? CONFIG_FILE_NAME;
  let json: Json;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, '')) as Json;
  } catch (error) {
    throw new BackfillError('CONFIG_INVALID', `${shown} is not valid JSON: ${(error as Error).message}`, { location: { file: shown } });
  }
  return parseConfig(json, shown);
}

/** Validates parsed JSON into a `FileConfig`; `shown` names the file in errors. */
export function parseConfig(json: Json, shown: string): FileConfig {
  const fail = (key: string, expected: string, got?: Json): never => {
    const actual = got === undefined ? '' : `; got ${JSON.stringify(got)}`;
    throw new BackfillError('CONFIG_INVALID', `${shown}: "${key}" must be ${expected}${actual}`, {
      location: { file: shown },
      hint: 'Every key is described in the README, section "Input formats and configuration".',
    });
  };
  if (!isObject(json)) return fail('(top level)', 'a JSON object such as { "format": "shopify" }', json);
  const config: { -readonly [K in keyof FileConfig]: FileConfig[K] } = { path: shown };
  for (const [key, value] of Object.entries(json)) {
    switch (key) {
      case '$schema':
      case '$comment':
        break;
      case 'format':
        config.format = oneOf(key, value, ['auto', ...FORMAT_NAMES], fail);
        break;
      case 'columns':
        config.columns = parseColumns(value, fail);
        break;
      case 'sizeOption':
        config.sizeOption = nonEmptyString(key, value, fail);
        break;
      case 'sizePattern': {
        const source = nonEmptyString(key, value, fail);
        try {
          config.sizePattern = new RegExp(source, 'giu');
        } catch (error) {
          fail(key, `a regular expression (${(error as Error).message})`, value);
        }
        break;
      }
      case 'sizes':
        config.sizes = stringArray(key, value, fail).map((size) => {
          const name = size.trim().toLowerCase();
          if (!SIZE_NAME.test(name)) fail(key, 'a list of size names made of letters, digits, _ or -', value);
          return name;
        });
        break;
      case 'sizeAliases':
        config.sizeAliases = Object.fromEntries(
          Object.entries(stringRecord(key, value, fail)).map(([alias, size]) => [alias.trim().toLowerCase(), size.trim().toLowerCase()]),
        );
        break;
      case 'defaultSizeAliases':
        config.defaultSizeAliases = boolean(key, value, fail);
        break;
      case 'timezone': {
        const name = nonEmptyString(key, value, fail);
        config.timezone = TimeZone.named(name) ?? fail(key, 'an IANA time zone name such as "America/New_York" or "Europe/Berlin"', value);
        break;
      }
      case 'dateFormat':
        config.dateFormat = oneOf(key, value, Object.keys(DATE_FORMATS), fail);
        break;
      case 'delimiter': {
        const name = oneOf(key, value, ['auto', ',', ';', 'tab', '\t', '|'], fail);
        if (name !== 'auto') config.delimiter = DELIMITER_NAMES[name]!;
        break;
      }
      case 'decimalSeparator': {
        const separator = oneOf(key, value, ['auto', '.', ','], fail);
        if (separator === '.' || separator === ',') config.decimalSeparator = separator;
        break;
      }
      case 'mode':
        config.mode = oneOf(key, value, ['flow', 'window'], fail) as ReducerMode;
        break;
      case 'windows':
        if (!Array.isArray(value) || value.length === 0 || !value.every((d) => Number.isInteger(d) && (d as number) >= 1 && (d as number) <= 3650)) {
          fail(key, 'a list of whole numbers of days from 1 to 3650, such as [30, 90]', value);
        }
        config.windows = value as number[];
        break;
      case 'properties':
        config.properties = parseProperties(value, fail);
        break;
      case 'excludeCancelled':
        config.excludeCancelled = boolean(key, value, fail);
        break;
      case 'eventItems': {
        const paths = typeof value === 'string' ? [value] : value;
        if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string' && p.trim() !== '')) {
          fail(key, 'an event property key (or dotted path, such as "$extra.line_items"), or a list of them', value);
        }
        config.eventItems = (paths as string[]).map((p) => p.trim());
        break;
      }
      case 'eventOverlapHours':
        if (typeof value !== 'number' || !(value >= 0) || value > 24 * 90) fail(key, 'a number of hours from 0 to 2160', value);
        config.eventOverlapHours = value as number;
        break;
      default:
        throw new BackfillError('CONFIG_INVALID', `${shown}: unknown key "${key}"`, {
          location: { file: shown },
          hint: `Known keys: ${CONFIG_KEYS.join(', ')}.`,
        });
    }
  }
  return config;
}

export const CONFIG_KEYS = [
  'format', 'columns', 'sizeOption', 'sizePattern', 'sizes', 'sizeAliases', 'defaultSizeAliases', 'timezone',
  'dateFormat', 'delimiter', 'decimalSeparator', 'mode', 'windows', 'properties', 'excludeCancelled', 'eventItems',
  'eventOverlapHours',
] as const;

type Fail = (key: string, expected: string, got?: Json) => never;

function parseColumns(value: Json, fail: Fail): Partial<ColumnMapping> {
  if (!isObject(value)) return fail('columns', `an object mapping ${COLUMN_FIELDS.join(', ')} to column names`, value);
  const columns: { -readonly [K in ColumnField]?: readonly string[] } = {};
  for (const [field, names] of Object.entries(value)) {
    if (!(COLUMN_FIELDS as readonly string[]).includes(field)) {
      fail(`columns.${field}`, `one of the fields ${COLUMN_FIELDS.map((f) => `"${f}"`).join(', ')}`);
    }
    const list = typeof names === 'string' ? [names] : names;
    if (!Array.isArray(list) || list.length === 0 || !list.every((n) => typeof n === 'string' && n.trim() !== '')) {
      fail(`columns.${field}`, 'a column name, or a list of column names tried in order', names);
    }
    columns[field as ColumnField] = list as string[];
  }
  return columns;
}

function parseProperties(value: Json, fail: Fail): PropertyNames {
  const expected = 'an object like { "windows": { "30": { "value": "vip_max_order_value", "date": "vip_max_order_date" } }, "sizes": { "small": "small_order_date" } }';
  if (!isObject(value)) return fail('properties', expected, value);
  const names: { windows?: Record<string, { value?: string; date?: string }>; sizes?: Record<string, string> } = {};
  for (const [key, entry] of Object.entries(value)) {
    if (key === 'sizes') names.sizes = Object.fromEntries(Object.entries(stringRecord('properties.sizes', entry, fail)).map(([s, n]) => [s.toLowerCase(), propertyName(`properties.sizes.${s}`, n, fail)]));
    else if (key === 'windows') {
      if (!isObject(entry)) return fail('properties.windows', expected, entry);
      names.windows = {};
      for (const [days, pair] of Object.entries(entry)) {
        if (!/^\d+$/.test(days)) fail(`properties.windows.${days}`, 'keyed by a number of days, such as "30"');
        if (!isObject(pair) || Object.keys(pair).some((k) => k !== 'value' && k !== 'date')) {
          fail(`properties.windows.${days}`, 'an object with "value" and/or "date" property names', pair);
        }
        const named: { value?: string; date?: string } = {};
        if (pair.value !== undefined) named.value = propertyName(`properties.windows.${days}.value`, pair.value, fail);
        if (pair.date !== undefined) named.date = propertyName(`properties.windows.${days}.date`, pair.date, fail);
        names.windows[String(Number(days))] = named;
      }
    } else fail(`properties.${key}`, 'one of "windows", "sizes"');
  }
  return names;
}

/** Klaviyo reserves `$`-prefixed property names for its own. */
function propertyName(key: string, value: Json, fail: Fail): string {
  if (typeof value !== 'string' || value.trim() === '' || value.startsWith('$')) return fail(key, 'a property name (not empty, not starting with $)', value);
  return value.trim();
}

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function oneOf(key: string, value: Json, allowed: readonly string[], fail: Fail): string {
  if (typeof value !== 'string' || !allowed.includes(value)) return fail(key, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, value);
  return value;
}

function nonEmptyString(key: string, value: Json, fail: Fail): string {
  if (typeof value !== 'string' || value.trim() === '') return fail(key, 'a non-empty string', value);
  return value;
}

function boolean(key: string, value: Json, fail: Fail): boolean {
  if (typeof value !== 'boolean') return fail(key, 'true or false', value);
  return value;
}

function stringArray(key: string, value: Json, fail: Fail): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return fail(key, 'a list of strings', value);
  return value as string[];
}

function stringRecord(key: string, value: Json, fail: Fail): Record<string, string> {
  if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string')) return fail(key, 'an object of strings, such as { "S": "small" }', value);
  return value as Record<string, string>;
}
