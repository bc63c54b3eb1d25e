/**
 * `backfill.config.json`: what is stable for a merchant (column names, time zone, date format,
 * sizes, property names). Read and validated once at start-up; every error names the key and what it
 * accepts. Values here are overridden by environment variables and flags (see run-settings.ts).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PropertyNames, ReducerMode } from '../core/definitions.js';
import type { TimeZone } from '../core/time-zone.js';
import { BackfillError } from '../errors.js';
import type { ColumnField, ColumnMapping } from '../io/formats/format.js';
import type { Delimiter } from '../io/input-stream.js';
import { parseItemSizePath, type EventFields } from '../core/flow/event-fields.js';
import { boolean, isJsonObject, nonEmptyString, SETTING_RULES, SettingProblem, stringRecord, type Json } from './setting-rules.js';

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
  /** Where `backfill flow`'s webhooks read the order from the event (flags override each). */
  readonly flowEvent?: Partial<EventFields>;
  /** `push --incremental` clears emptied windows (as `--clear-emptied`); `diff` shows what it would clear. */
  readonly clearEmptied?: boolean;
}


const COLUMN_FIELDS: readonly ColumnField[] = ['email', 'phone', 'orderId', 'placedAt', 'value', 'status', 'items', 'size'];

/**
 * Reads the config: `explicitPath` (from --config or BACKFILL_CONFIG) must exist; otherwise
 * `backfill.config.json` in `cwd` is read if present. Undefined when there is none.
 */
export async function loadConfig(explicitPath: string | undefined, cwd: string): Promise<FileConfig | undefined> {
  return explicitPath === undefined ? readConfig(resolve(cwd, CONFIG_FILE_NAME), { optional: true }) : readConfig(explicitPath);
}

/** Reads and validates the config at `path`; undefined when it is `optional` and does not exist. */
export async function readConfig(path: string, { optional = false }: { readonly optional?: boolean } = {}): Promise<FileConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && optional) return undefined;
    throw new BackfillError('CONFIG_NOT_FOUND', `${path}: cannot read the config file (${(error as Error).message})`, {
      location: { file: path },
      cause: error,
    });
  }
  const shown = optional ? CONFIG_FILE_NAME : path;
  let json: Json;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, '')) as Json;
  } catch (error) {
    throw new BackfillError('CONFIG_INVALID', `${shown} is not valid JSON: ${(error as Error).message}`, { location: { file: shown } });
  }
  return parseConfig(json, shown);
}

/** What each key of the file accepts; undefined (for "auto") leaves the key unset. */
const CONFIG_RULES: { readonly [K in Exclude<keyof FileConfig, 'path'>]-?: (value: Json) => FileConfig[K] } = {
  format: SETTING_RULES.format.fromJson,
  columns: parseColumns,
  sizeOption: nonEmptyString,
  sizePattern: (value) => {
    const source = nonEmptyString(value);
    try {
      return new RegExp(source, 'giu');
    } catch (error) {
      throw new SettingProblem(`a regular expression (${(error as Error).message})`);
    }
  },
  sizes: SETTING_RULES.sizes.fromJson,
  sizeAliases: (value) => Object.fromEntries(Object.entries(stringRecord(value)).map(([alias, size]) => [alias.trim().toLowerCase(), size.trim().toLowerCase()])),
  defaultSizeAliases: boolean,
  timezone: SETTING_RULES.timezone.fromJson,
  dateFormat: SETTING_RULES.dateFormat.fromJson,
  delimiter: SETTING_RULES.delimiter.fromJson,
  decimalSeparator: (value) => {
    if (value === 'auto') return undefined;
    if (value === '.' || value === ',') return value;
    throw new SettingProblem('one of "auto", ".", ","');
  },
  mode: SETTING_RULES.mode.fromJson,
  windows: SETTING_RULES.windows.fromJson,
  properties: parseProperties,
  excludeCancelled: SETTING_RULES.excludeCancelled.fromJson,
  eventItems: (value) => {
    const paths = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string' && p.trim() !== '')) {
      throw new SettingProblem('an event property key (or dotted path, such as "$extra.line_items"), or a list of them');
    }
    return (paths as string[]).map((p) => p.trim());
  },
  eventOverlapHours: (value) => {
    if (typeof value !== 'number' || !(value >= 0) || value > 24 * 90) throw new SettingProblem('a number of hours from 0 to 2160');
    return value;
  },
  flowEvent: parseFlowEvent,
  clearEmptied: boolean,
};

export const CONFIG_KEYS = Object.keys(CONFIG_RULES) as readonly (keyof typeof CONFIG_RULES)[];

/** `{"value": "$value", "date": "created_at" or "now", "items": "items[].Size"}`, each optional. */
function parseFlowEvent(value: Json): Partial<EventFields> {
  const expected = '{ "value": "$value", "date": "created_at" (or "now"), "items": "items[].Size" }, each optional';
  if (!isJsonObject(value)) throw new SettingProblem(expected);
  const fields: { -readonly [K in keyof EventFields]?: string } = {};
  for (const [key, entry] of Object.entries(value)) {
    if (key !== 'value' && key !== 'date' && key !== 'items') throw new SettingProblem(expected, { key: `flowEvent.${key}`, got: null });
    const text = nonEmptyString(entry);
    if (key === 'items') {
      const parsed = parseItemSizePath(text);
      if (parsed === undefined) throw new SettingProblem('<items>[].<size key>, such as "items[].Size"', { key: 'flowEvent.items' });
      fields.items = parsed.items;
      fields.itemSize = parsed.itemSize;
    } else fields[key] = text;
  }
  return fields;
}

/** Validates parsed JSON into a `FileConfig`; `shown` names the file in errors. */
export function parseConfig(json: Json, shown: string): FileConfig {
  const fail = (key: string, expected: string, got?: Json | null): never => {
    const actual = got === undefined || got === null ? '' : `; got ${JSON.stringify(got)}`;
    throw new BackfillError('CONFIG_INVALID', `${shown}: "${key}" must be ${expected}${actual}`, {
      location: { file: shown },
      hint: 'Every key is described in the README, section "Input formats and configuration".',
    });
  };
  if (!isJsonObject(json)) return fail('(top level)', 'a JSON object such as { "format": "shopify" }', json);
  const config: Record<string, unknown> = { path: shown };
  for (const [key, value] of Object.entries(json)) {
    if (key === '$schema' || key === '$comment') continue;
    const rule = (CONFIG_RULES as Readonly<Record<string, (value: Json) => unknown>>)[key];
    if (rule === undefined) {
      throw new BackfillError('CONFIG_INVALID', `${shown}: unknown key "${key}"`, {
        location: { file: shown },
        hint: `Known keys: ${CONFIG_KEYS.join(', ')}.`,
      });
    }
    try {
      const parsed = rule(value);
      if (parsed !== undefined) config[key] = parsed;
    } catch (error) {
      if (!(error instanceof SettingProblem)) throw error;
      fail(error.key ?? key, error.expected, error.got === undefined ? value : error.got);
    }
  }
  return config as unknown as FileConfig;
}

type Fail = (key: string, expected: string, got?: Json) => never;

/** A shared check on a value below the setting: its problem names the nested key. */
function nested<T>(key: string, value: Json, check: (value: Json) => T): T {
  try {
    return check(value);
  } catch (error) {
    if (error instanceof SettingProblem) throw new SettingProblem(error.expected, { key, got: value });
    throw error;
  }
}

function parseColumns(value: Json): Partial<ColumnMapping> {
  const fail: Fail = (key, expected, got) => {
    throw new SettingProblem(expected, { key, got: got ?? null });
  };
  if (!isJsonObject(value)) return fail('columns', `an object mapping ${COLUMN_FIELDS.join(', ')} to column names`, value);
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

function parseProperties(value: Json): PropertyNames {
  const fail: Fail = (key, expected, got) => {
    throw new SettingProblem(expected, { key, got: got ?? null });
  };
  const expected = 'an object like { "windows": { "30": { "value": "vip_max_order_value", "date": "vip_max_order_date" } }, "sizes": { "small": "small_order_date" } }';
  if (!isJsonObject(value)) return fail('properties', expected, value);
  const names: { windows?: Record<string, { value?: string; date?: string }>; sizes?: Record<string, string> } = {};
  for (const [key, entry] of Object.entries(value)) {
    if (key === 'sizes') names.sizes = Object.fromEntries(Object.entries(nested('properties.sizes', entry, stringRecord)).map(([s, n]) => [s.toLowerCase(), propertyName(`properties.sizes.${s}`, n, fail)]));
    else if (key === 'windows') {
      if (!isJsonObject(entry)) return fail('properties.windows', expected, entry);
      names.windows = {};
      for (const [days, pair] of Object.entries(entry)) {
        if (!/^\d+$/.test(days)) fail(`properties.windows.${days}`, 'keyed by a number of days, such as "30"');
        if (!isJsonObject(pair) || Object.keys(pair).some((k) => k !== 'value' && k !== 'date')) {
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
