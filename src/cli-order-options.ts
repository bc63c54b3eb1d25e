/**
 * The flags that say how to read order exports and what to compute from them. `compute` and `push`
 * (which computes first) share them, so both read the same files the same way.
 */
import { Command, Option } from 'commander';
import { DEFAULT_SIZES, DEFAULT_WINDOWS, parseAsOf, parseDateFormat, parseDelimiter, parseMode, parseSizeAliasFlag, parseSizes, parseTimeZone, parseWindows } from './cli-options.js';
import type { ExplicitSettings, SizeAliasFlag } from './config/run-settings.js';
import type { ReducerMode } from './core/definitions.js';
import { DEFAULT_SIZE_ALIASES } from './core/sizes.js';
import type { TimeZone } from './core/time-zone.js';
import { FORMAT_NAMES } from './io/formats/registry.js';
import type { Delimiter } from './io/input-stream.js';

export interface OrderReadingFlags {
  asOf?: number;
  config?: string;
  format?: string;
  timezone?: TimeZone;
  dateFormat?: string;
  delimiter?: Delimiter;
  mode: ReducerMode;
  windows: number[];
  sizes: string[];
  sizeAlias?: SizeAliasFlag;
  excludeCancelled?: boolean;
}

export function addOrderReadingOptions(command: Command): Command {
  command
    .option('--as-of <datetime>', 'ignore orders placed after this ISO 8601 instant (default: now); makes runs reproducible', parseAsOf)
    .addOption(new Option('--config <file>', 'settings file (default: ./backfill.config.json if present)').env('BACKFILL_CONFIG'))
    .addOption(new Option('--format <name>', 'export layout (default: found from each header)').choices(['auto', ...FORMAT_NAMES]).env('BACKFILL_FORMAT'))
    .addOption(new Option('--timezone <zone>', 'IANA zone for times written without an offset, e.g. America/New_York').argParser(parseTimeZone).env('BACKFILL_TIMEZONE'))
    .addOption(new Option('--date-format <format>', 'DD/MM/YYYY or MM/DD/YYYY, for dates such as 05/06/2024').argParser(parseDateFormat).env('BACKFILL_DATE_FORMAT'))
    .addOption(new Option('--delimiter <char>', ', ; | or tab (default: found from each header row)').argParser(parseDelimiter).env('BACKFILL_DELIMITER'))
    .addOption(new Option('--mode <mode>', 'flow: replay the flow; window: recompute trailing windows').choices(['flow', 'window']).default('flow').argParser(parseMode).env('BACKFILL_MODE'));
  return addDefinitionOptions(command).option('--exclude-cancelled', 'leave out cancelled, voided and refunded orders (the live flow counts them)');
}

/**
 * What is computed, without how orders are read: the windows, sizes and size aliases. `flow` and
 * `segments` take these alone (with --config, for the property names) to describe the same properties.
 */
export function addDefinitionOptions(command: Command, withConfig = false): Command {
  if (withConfig) command.addOption(new Option('--config <file>', 'settings file (default: ./backfill.config.json if present)').env('BACKFILL_CONFIG'));
  return command
    .addOption(new Option('--windows <days>', 'trailing windows in days, comma-separated').argParser(parseWindows).default(DEFAULT_WINDOWS, DEFAULT_WINDOWS.join(',')).env('BACKFILL_WINDOWS'))
    .addOption(new Option('--sizes <list>', 'item sizes; each writes <size>_order_date').argParser(parseSizes).default(DEFAULT_SIZES, DEFAULT_SIZES.join(',')).env('BACKFILL_SIZES'))
    .addOption(
      new Option('--size-alias <pairs>', 'variant values that mean a size, added to the defaults; "none" drops the defaults')
        .argParser(parseSizeAliasFlag)
        .default(undefined, Object.entries(DEFAULT_SIZE_ALIASES).map(([a, s]) => `${a.toUpperCase()}=${s}`).join(',')),
    );
}

/** The settings a flag or environment variable gave; commander's defaults yield to the config file. */
export function explicitSettings(flags: Partial<OrderReadingFlags>, command: Command): ExplicitSettings {
  const given = (key: keyof OrderReadingFlags): boolean => {
    const source = command.getOptionValueSource(key);
    return source === 'cli' || source === 'env';
  };
  return {
    ...(flags.format !== undefined ? { format: flags.format } : {}),
    ...(flags.timezone !== undefined ? { timeZone: flags.timezone } : {}),
    ...(flags.dateFormat !== undefined ? { dateFormat: flags.dateFormat } : {}),
    ...(flags.delimiter !== undefined ? { delimiter: flags.delimiter } : {}),
    ...(given('mode') ? { mode: flags.mode } : {}),
    ...(given('windows') ? { windows: flags.windows } : {}),
    ...(given('sizes') ? { sizes: flags.sizes } : {}),
    ...(flags.sizeAlias !== undefined ? { sizeAlias: flags.sizeAlias } : {}),
    ...(flags.excludeCancelled === true ? { excludeCancelled: true } : {}),
  };
}
