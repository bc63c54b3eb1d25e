/**
 * backfill.config.json validation: every error names the key and what it accepts.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/config-file.js';
import { resolveRunSettings } from '../../src/config/run-settings.js';
import { BackfillError } from '../../src/errors.js';
import { FIXTURES, runCliSync, tempDir } from '../support/cli.js';

function configError(json: Parameters<typeof parseConfig>[0]): string {
  try {
    parseConfig(json, 'backfill.config.json');
  } catch (error) {
    assert.ok(error instanceof BackfillError);
    assert.equal(error.code, 'CONFIG_INVALID');
    return error.message + (error.hint === undefined ? '' : ` | ${error.hint}`);
  }
  assert.fail('expected a config error');
}

test('bad values name the key and the allowed values', () => {
  assert.match(configError({ dateFormat: 'dd-mm' }), /"dateFormat" must be one of "DD\/MM\/YYYY", "MM\/DD\/YYYY"; got "dd-mm"/);
  assert.match(configError({ format: 'magento' }), /"format" must be one of "auto", "shopify", "woocommerce", "bigcommerce", "json-items", "generic"/);
  assert.match(configError({ timezone: 'EST5' }), /"timezone" must be an IANA time zone name/);
  assert.match(configError({ columns: { mail: 'E-Mail' } }), /"columns.mail" must be one of the fields "email", "phone"/);
  assert.match(configError({ windows: [0] }), /"windows" must be a list of whole numbers of days from 1 to 3650/);
  assert.match(configError({ sizePattern: '(' }), /"sizePattern" must be a regular expression/);
  assert.match(configError({ properties: { windows: { '30': { value: '$value' } } } }), /"properties.windows.30.value" must be a property name/);
  assert.match(configError({ colums: {} }), /unknown key "colums" \| Known keys: format, columns,/);
});

test('property names are built from the config, and names for windows not computed are refused', () => {
  const config = parseConfig({ windows: [30, 90], properties: { windows: { '90': { value: 'vip_max_order_value' } }, sizes: { small: 'last_small' } } }, 'c.json');
  const { definitions } = resolveRunSettings({}, config);
  assert.deepEqual(
    definitions.windows.map((w) => [w.valueProperty, w.dateProperty]),
    [['highest_order_value', 'highest_order_date'], ['vip_max_order_value', '90_day_highest_order_date']],
  );
  assert.equal(definitions.sizes[0]!.dateProperty, 'last_small');
  assert.throws(() => resolveRunSettings({ windows: [30] }, config), /names window "90", which is not computed/);
});

test('the CLI reports a broken config with exit 2 before reading any order', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'backfill.config.json'), '{ "mode": "live" }');
  const run = runCliSync([join(FIXTURES, 'shopify-orders.csv'), '-o', 'profiles.csv'], { cwd: dir });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /backfill.config.json: "mode" must be one of "flow", "window"; got "live"/);
  assert.equal(runCliSync([join(FIXTURES, 'shopify-orders.csv'), '--config', 'missing.json'], { cwd: dir }).code, 2);
});
