/**
 * One run's settings from their sources, in precedence order: flags, then environment variables
 * (commander reports both as explicit), then backfill.config.json, then defaults.
 */
import { buildDefinitions, propertyNameProblem, type Definitions, type ReducerMode } from '../core/definitions.js';
import { DEFAULT_EVENT_ITEM_PATHS } from '../core/events-to-orders.js';
import { DATE_FORMATS } from '../core/order-timestamps.js';
import { DEFAULT_SIZE_ALIASES, SizeMatcher } from '../core/sizes.js';
import { TimeZone } from '../core/time-zone.js';
import { BackfillError } from '../errors.js';
import { formatNamed } from '../io/formats/registry.js';
import type { Delimiter } from '../io/input-stream.js';
import type { InputSettings } from '../io/read-orders.js';
import type { StoredSettingsJson } from '../core/push-run-state.js';
import type { FileConfig } from './config-file.js';
import { boolean, isJsonObject, SETTING_RULES, SettingProblem, stringRecord, type Json } from './setting-rules.js';

export const DEFAULT_WINDOWS = [30];
export const DEFAULT_SIZES = ['small', 'medium', 'large', 'xlarge'];
export const DEFAULT_SIZE_OPTION = 'size';

/** `--size-alias` as given: pairs to add, and whether `none` dropped the defaults first. */
export interface SizeAliasFlag {
  readonly dropDefaults: boolean;
  readonly aliases: Readonly<Record<string, string>>;
}

/** Values given by flag or environment variable; undefined when neither set them. */
export interface ExplicitSettings {
  readonly format?: string;
  readonly timeZone?: TimeZone;
  readonly dateFormat?: string;
  readonly delimiter?: Delimiter;
  readonly mode?: ReducerMode;
  readonly windows?: number[];
  readonly sizes?: string[];
  readonly sizeAlias?: SizeAliasFlag;
  readonly excludeCancelled?: boolean;
}

/** Reading Klaviyo's events (`--from klaviyo`). */
export interface EventSettings {
  readonly itemPaths: readonly string[];
  readonly overlapMs: number;
}

/** Integrations sync orders with delays of hours; three days of overlap catches what arrives late. */
export const DEFAULT_EVENT_OVERLAP_HOURS = 72;

export interface RunSettings {
  readonly definitions: Definitions;
  readonly input: InputSettings;
  readonly events: EventSettings;
}

export function resolveRunSettings(explicit: ExplicitSettings, file: FileConfig | undefined): RunSettings {
  const mode = explicit.mode ?? file?.mode ?? 'flow';
  const windows = explicit.windows ?? file?.windows ?? DEFAULT_WINDOWS;
  const sizes = explicit.sizes ?? file?.sizes ?? DEFAULT_SIZES;
  const names = file?.properties ?? {};
  const definitions = buildDefinitions(mode, windows, sizes, names);
  const problem = propertyNameProblem(definitions, names);
  if (problem !== undefined) {
    throw new BackfillError('CONFIG_INVALID', `${file?.path ?? 'config'}: ${problem}`, {
      ...(file !== undefined ? { location: { file: file.path } } : {}),
      hint: 'Name only the windows and sizes computed (--windows / "windows", --sizes / "sizes"), each name once, none of them Email or Phone Number in any case; a profiles CSV types a column by its name\'s ending, so a value\'s name must not end in _date, nor a date\'s in _value.',
    });
  }
  checkSizeAliases(explicit.sizeAlias, file, definitions.sizes.map((s) => s.size));

  const formatName = explicit.format ?? file?.format ?? 'auto';
  const dateFormat = explicit.dateFormat ?? file?.dateFormat;
  const input: InputSettings = {
    format: formatName === 'auto' ? undefined : formatNamed(formatName)!,
    delimiter: explicit.delimiter ?? file?.delimiter,
    decimalSeparator: file?.decimalSeparator,
    timeZone: explicit.timeZone ?? file?.timezone,
    dayMonthOrder: dateFormat === undefined ? undefined : DATE_FORMATS[dateFormat],
    columns: file?.columns ?? {},
    excludeCancelled: explicit.excludeCancelled ?? file?.excludeCancelled ?? false,
    sizes: new SizeMatcher(definitions.sizes.map((s) => s.size), sizeAliases(explicit.sizeAlias, file)),
    sizeOption: file?.sizeOption ?? DEFAULT_SIZE_OPTION,
    sizePattern: file?.sizePattern,
  };
  const events: EventSettings = {
    itemPaths: file?.eventItems ?? DEFAULT_EVENT_ITEM_PATHS,
    overlapMs: (file?.eventOverlapHours ?? DEFAULT_EVENT_OVERLAP_HOURS) * 3_600_000,
  };
  return { definitions, input, events };
}

/**
 * An alias given (by flag or in the file) must name a size computed: `S=smal` would otherwise be
 * accepted and every S item silently lose its date. The defaults are exempt: they name the default
 * sizes, and an alias to a size not computed simply does nothing.
 */
function checkSizeAliases(flag: SizeAliasFlag | undefined, file: FileConfig | undefined, sizes: readonly string[]): void {
  const known = new Set(sizes.map((size) => size.toLowerCase()));
  const listed = sizes.join(', ');
  for (const [alias, size] of Object.entries(flag?.aliases ?? {})) {
    if (known.has(size.toLowerCase())) continue;
    throw new BackfillError('USAGE', `--size-alias ${alias}=${size}: "${size}" is not one of the sizes (${listed})`, {
      hint: 'An alias names a size given by --sizes (or "sizes" in the config): fix its spelling, or add the size there.',
    });
  }
  for (const [alias, size] of Object.entries(file?.sizeAliases ?? {})) {
    if (known.has(size.toLowerCase())) continue;
    throw new BackfillError('CONFIG_INVALID', `${file!.path}: "sizeAliases.${alias}" names "${size}", which is not one of the sizes (${listed})`, {
      location: { file: file!.path },
      hint: 'An alias names a size given by "sizes" (or --sizes): fix its spelling, or add the size there.',
    });
  }
}

/** Defaults, then the file's, then the flag's; `--size-alias none` or `"defaultSizeAliases": false` drop the defaults. */
function sizeAliases(flag: SizeAliasFlag | undefined, file: FileConfig | undefined): Record<string, string> {
  if (flag?.dropDefaults === true) return { ...flag.aliases };
  const base = file?.defaultSizeAliases === false ? {} : { ...DEFAULT_SIZE_ALIASES };
  return { ...base, ...file?.sizeAliases, ...flag?.aliases };
}

/** `ExplicitSettings` in a form that survives JSON: the push run log keeps it to compute the same table on resume. */
export type StoredSettings = Omit<ExplicitSettings, 'timeZone'> & { readonly timeZone?: string };

export function storeSettings(settings: ExplicitSettings): StoredSettings {
  const { timeZone, ...rest } = settings;
  return timeZone === undefined ? rest : { ...rest, timeZone: timeZone.name };
}

/** What storeSettings wrote, read back from a run log through the same rules as flags and the config file. */
export function restoreSettings(stored: StoredSettingsJson, runLog: string): ExplicitSettings {
  const restored: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored)) {
    const rule = STORED_RULES[key];
    if (rule === undefined) throw storedProblem(runLog, key, 'not a setting this version knows');
    try {
      restored[key] = rule(value as Json);
    } catch (error) {
      if (error instanceof SettingProblem) throw storedProblem(runLog, key, `must be ${error.expected}`);
      throw error;
    }
  }
  return restored as ExplicitSettings;
}

const STORED_RULES: Readonly<Record<string, (value: Json) => unknown>> = {
  format: SETTING_RULES.format.fromJson,
  timeZone: SETTING_RULES.timezone.fromJson,
  dateFormat: SETTING_RULES.dateFormat.fromJson,
  delimiter: SETTING_RULES.delimiter.fromJson,
  mode: SETTING_RULES.mode.fromJson,
  windows: SETTING_RULES.windows.fromJson,
  sizes: SETTING_RULES.sizes.fromJson,
  excludeCancelled: SETTING_RULES.excludeCancelled.fromJson,
  sizeAlias: (value): SizeAliasFlag => {
    if (!isJsonObject(value)) throw new SettingProblem('{ "dropDefaults": true or false, "aliases": { "S": "small" } }');
    return { dropDefaults: boolean(value['dropDefaults'] ?? null), aliases: stringRecord(value['aliases'] ?? null) };
  },
};

function storedProblem(runLog: string, key: string, problem: string): BackfillError {
  return new BackfillError('RUN_LOG_MISMATCH', `${runLog}: the stored setting "${key}" is ${problem}`, {
    location: { file: runLog },
    hint: 'The run log was written by another version or edited. Start a new push instead of resuming this one.',
  });
}
