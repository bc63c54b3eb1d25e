/**
 * A merchant installs the tool into the shop folder its cron line runs in, from the packed tarball
 * (`npm pack`), as the README says: both bin names then run there, with nothing to build. The install
 * comes from npm's cache (offline-preferring); the test starts no network of its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, REPO_ROOT, tempDir } from '../support/cli.js';
import { SHOPIFY_FLOW_CSV } from '../support/shopify-fixture-profiles.js';

function exec(command: string, args: readonly string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('npm pack, then npm install --save-dev of the tarball in a shop folder: npx backfill and npx klaviyo-backfill run there', async () => {
  const packed = tempDir('backfill-pack-');
  // The build is the one under test; packing must not rebuild it (prepare) while other tests run it.
  const pack = await exec('npm', ['pack', '--ignore-scripts', '--pack-destination', packed], REPO_ROOT);
  assert.equal(pack.code, 0, pack.stderr);
  const tarball = join(packed, readdirSync(packed).find((name) => name.endsWith('.tgz'))!);

  const shop = tempDir('backfill-shop-');
  writeFileSync(join(shop, 'package.json'), '{ "name": "shop", "private": true }\n');
  const install = await exec('npm', ['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund', tarball], shop);
  assert.equal(install.code, 0, install.stderr);

  const args = [fixture('shopify-orders.csv'), '--as-of', '2025-06-30', '-o', '-', '-q'];
  // npx of either name (--no: never download a package of that name: the bare name backfill belongs to
  // another one), and the bin as the crontab line runs it (npx backfill runs ./node_modules/.bin/backfill).
  for (const [command, commandArgs] of [
    ['npx', ['--no', '--', 'backfill', ...args]],
    ['npx', ['--no', '--', 'klaviyo-backfill', ...args]],
    [join(shop, 'node_modules', '.bin', 'klaviyo-backfill'), args],
  ] as const) {
    const run = await exec(command, commandArgs, shop);
    assert.equal(run.code, 0, `${command} ${commandArgs.slice(0, 3).join(' ')}: ${run.stderr}`);
    assert.equal(run.stdout, SHOPIFY_FLOW_CSV, `${command} ${commandArgs.slice(0, 3).join(' ')}`);
  }
});
