/**
 * Definitions that would make wrong output without a word are refused at the start (exit 2), by
 * every command that reads them: a size alias to a size not computed (its items would lose their
 * date), a property name that is the Email or Phone Number column in another case, and a name whose
 * ending makes a profiles CSV type it as the other kind (push would refuse every row compute wrote).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHOPIFY_ORDERS } from '../support/orders.js';
import { API_KEY } from '../support/push-harness.js';
import { runCliSync, tempDir } from '../support/cli.js';

const PUSH_ENV = { KLAVIYO_API_KEY: API_KEY, KLAVIYO_BASE_URL: 'http://127.0.0.1:9' };

test('--size-alias to a size that is not computed is a usage error naming the sizes; so is "sizeAliases" in the config', () => {
  const dir = tempDir();
  const flag = runCliSync([SHOPIFY_ORDERS, '--as-of', '2025-06-30', '--size-alias', 'S=smal', '-o', 'out.csv'], { cwd: dir });
  assert.equal(flag.code, 2, flag.stderr);
  assert.match(flag.stderr, /--size-alias s=smal: "smal" is not one of the sizes \(small, medium, large, xlarge\)/);
  assert.ok(!existsSync(join(dir, 'out.csv')));

  writeFileSync(join(dir, 'backfill.config.json'), JSON.stringify({ sizes: ['small', 'large'], sizeAliases: { S: 'smal' } }));
  const config = runCliSync([SHOPIFY_ORDERS, '--as-of', '2025-06-30', '-o', 'out.csv'], { cwd: dir });
  assert.equal(config.code, 2, config.stderr);
  assert.match(config.stderr, /"sizeAliases\.s" names "smal", which is not one of the sizes \(small, large\)/);
  // An alias to a size a flag left out of the run is as wrong.
  writeFileSync(join(dir, 'backfill.config.json'), JSON.stringify({ sizeAliases: { XS: 'small' } }));
  const narrowed = runCliSync([SHOPIFY_ORDERS, '--as-of', '2025-06-30', '--sizes', 'medium,large', '-o', 'out.csv'], { cwd: dir });
  assert.equal(narrowed.code, 2, narrowed.stderr);
  assert.match(narrowed.stderr, /"sizeAliases\.xs" names "small", which is not one of the sizes \(medium, large\)/);
  // The default aliases may name sizes not computed: they simply do nothing.
  const defaults = runCliSync([SHOPIFY_ORDERS, '--as-of', '2025-06-30', '--sizes', 'medium', '-o', 'out.csv', '--config', join(dir, 'none.json')], { cwd: dir });
  assert.equal(defaults.code, 2, 'the missing --config file stops the run, not the default aliases');
  assert.doesNotMatch(defaults.stderr, /not one of the sizes/);
});

test('property names that clash with Email in any case, or break the _value/_date typing, stop every command at the start', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ windows: { '30': { value: 'email' } } }, /property name "email" clashes with the Email column \(names are compared in any case\)/],
    [{ windows: { '30': { date: 'EMAIL' } } }, /property name "EMAIL" clashes with the Email column/],
    [{ sizes: { small: 'phone number' } }, /property name "phone number" clashes with the Phone Number column/],
    [{ windows: { '30': { value: 'x_date' } } }, /the value property "x_date" \(window 30\) ends in _date, which a profiles CSV reads as a date/],
    [{ sizes: { large: 'Last_Large_VALUE' } }, /the date property "Last_Large_VALUE" ends in _value, which a profiles CSV reads as a number/],
  ];
  const commands: [string, string[], Record<string, string>][] = [
    ['compute', [SHOPIFY_ORDERS, '--as-of', '2025-06-30', '-o', 'out.csv'], {}],
    ['push', ['push', SHOPIFY_ORDERS, '--as-of', '2025-06-30', '--dry-run', '--run-log', 'run.ndjson'], PUSH_ENV],
    ['diff', ['diff', SHOPIFY_ORDERS, '--as-of', '2025-06-30', '--against', 'state'], {}],
    ['flow', ['flow', '--public-key', 'ABC123', '--metric-id', 'XyZ123'], {}],
    ['segments', ['segments', '--threshold', '100'], {}],
  ];
  // Every case with compute; every command with one case (they share the one check).
  const runs = [...cases.map((c) => [c, commands[0]!] as const), ...commands.slice(1).map((command) => [cases[3]!, command] as const)];
  for (const [[properties, message], [name, args, env]] of runs) {
    const dir = tempDir();
    writeFileSync(join(dir, 'backfill.config.json'), JSON.stringify({ properties }));
    const run = runCliSync(args, { cwd: dir, env });
    assert.equal(run.code, 2, `${name} ${JSON.stringify(properties)}: ${run.stderr}`);
    assert.match(run.stderr, message, name);
    assert.ok(!existsSync(join(dir, 'out.csv')) && !existsSync(join(dir, 'run.ndjson')), name);
  }
});
