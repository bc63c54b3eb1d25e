/**
 * The flags that say how to read order exports and what to compute from them. `compute` and `push`
 * (which computes first) share them, so both read the same files the same way.
 */
import { Command, Option } from 'commander';
import { DEFAULT_SIZES, DEFAULT_WINDOWS, parseAsOf, parseDateFormat, parseDelimiter, parseMode, parseSizeAliasFlag, parseSizes, parseTimeZone, parseWindows } from './flag-values.js';
import type { ExplicitSettings, SizeAliasFlag } from '../config/run-settings.js';
import type { ReducerMode } from '../domain/definitions.js';
import { DEFAULT_SIZE_ALIASES } from '../domain/sizes.js';
import type { TimeZone } from '../domain/time-zone.js';
import { FORMAT_NAMES } from '../io/formats/registry.js';
import type { Delimiter } from '../io/input-stream.js';

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

/** The headings options are grouped under in every command's help, in this order. */
export const HELP_GROUPS = {
  input: 'Input (how to read the exports):',
  definitions: 'Definitions (what to compute):',
  output: 'Output:',
  klaviyo: 'Klaviyo:',
  run: 'Run control:',
} as const;

/**
 * The shared options, grouped. `shown: false` (push, diff) keeps them out of that command's help,
 * which points to compute's instead of repeating the same dozen lines under every command.
 */
export function addOrderReadingOptions(command: Command, { shown = true }: { readonly shown?: boolean } = {}): Command {
  const options = orderReadingOptions();
  for (const { option, group } of options) command.addOption(shown ? option.helpGroup(HELP_GROUPS[group]) : option.hideHelp());
  if (!shown) {
    const names = options.map(({ option }) => option.long);
    command.addHelpText('after', `\nReading and definitions work as for compute (see backfill compute --help):\n  ${names.slice(0, 6).join(', ')},\n  ${names.slice(6).join(', ')}\n`);
  }
  return command;
}

/**
 * What is computed without how orders are read: --config (for the property names), --windows, --sizes
 * and --size-alias, and any of the other shared options named in `also` (`--mode`). `flow` takes these
 * alone, to describe the properties compute writes.
 */
export function addDefinitionOptions(command: Command, also: readonly string[] = []): Command {
  const wanted = new Set(['--config', '--windows', '--sizes', '--size-alias', ...also]);
  for (const { option, group } of orderReadingOptions()) if (wanted.has(option.long ?? '')) command.addOption(option.helpGroup(HELP_GROUPS[group]));
  return command;
}

function orderReadingOptions(): { option: Option; group: 'input' | 'definitions' }[] {
  const input = (option: Option) => ({ option, group: 'input' as const });
  const definition = (option: Option) => ({ option, group: 'definitions' as const });
  return [
    input(new Option('--config <file>', 'settings file (default: ./backfill.config.json if present)').env('BACKFILL_CONFIG')),
    input(new Option('--format <name>', 'export layout (default: found from each header)').choices(['auto', ...FORMAT_NAMES]).env('BACKFILL_FORMAT')),
    input(new Option('--timezone <zone>', 'IANA zone for times written without an offset, e.g. America/New_York').argParser(parseTimeZone).env('BACKFILL_TIMEZONE')),
    input(new Option('--date-format <format>', 'DD/MM/YYYY or MM/DD/YYYY, for dates such as 05/06/2024').argParser(parseDateFormat).env('BACKFILL_DATE_FORMAT')),
    input(new Option('--delimiter <char>', ', ; | or tab (default: found from each header row)').argParser(parseDelimiter).env('BACKFILL_DELIMITER')),
    definition(new Option('--as-of <datetime>', 'ignore orders placed after this ISO 8601 instant (default: now); makes runs reproducible').argParser(parseAsOf)),
    definition(new Option('--mode <mode>', 'flow: replay the flow; window: recompute trailing windows').choices(['flow', 'window']).default('flow').argParser(parseMode).env('BACKFILL_MODE')),
    definition(new Option('--windows <days>', 'trailing windows in days, comma-separated').argParser(parseWindows).default(DEFAULT_WINDOWS, DEFAULT_WINDOWS.join(',')).env('BACKFILL_WINDOWS')),
    definition(new Option('--sizes <list>', 'item sizes; each writes <size>_order_date').argParser(parseSizes).default(DEFAULT_SIZES, DEFAULT_SIZES.join(',')).env('BACKFILL_SIZES')),
    definition(
      new Option('--size-alias <pairs>', 'variant values that mean a size, added to the defaults; "none" drops the defaults')
        .argParser(parseSizeAliasFlag)
        .default(undefined, Object.entries(DEFAULT_SIZE_ALIASES).map(([a, s]) => `${a.toUpperCase()}=${s}`).join(',')),
    ),
    definition(new Option('--exclude-cancelled', 'leave out cancelled, voided and refunded orders (the live flow counts them)')),
  ];
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
