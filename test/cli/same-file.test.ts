/**
 * A run never writes over a file it reads, nor two of its files to one place: the real binary on real
 * files, with the output named as the input in every way a shell can name one file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, link, readdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fixture, runCli, tempDir } from '../support/cli.js';
import { API_KEY } from '../support/push-harness.js';

const AS_OF = ['--as-of', '2025-06-30T00:00:00Z'];

async function exportIn(dir: string): Promise<{ path: string; text: string }> {
  const path = join(dir, 'x.csv');
  await copyFile(fixture('shopify-orders.csv'), path);
  return { path, text: await readFile(path, 'utf8') };
}

for (const [how, outputIn] of [
  ['the same name', () => 'x.csv'],
  ['./x.csv', () => './x.csv'],
  ['an absolute path', (dir: string) => join(dir, 'x.csv')],
] as const) {
  test(`compute: -o naming the input by ${how} exits 2 before reading and leaves the export as it was`, async () => {
    const dir = tempDir();
    const input = await exportIn(dir);
    const run = await runCli(['x.csv', ...AS_OF, '-o', outputIn(dir)], { cwd: dir });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /the output \(-o\) .*x\.csv is the same file as the order export x\.csv/);
    assert.equal(await readFile(input.path, 'utf8'), input.text);
    assert.deepEqual((await readdir(dir)).sort(), ['x.csv'], 'no rejects file, no temporary file');
  });
}

test('compute: -o naming a symlink to the input, or a hard link of it, exits 2 and changes nothing', async () => {
  const dir = tempDir();
  const input = await exportIn(dir);
  await symlink(input.path, join(dir, 'soft.csv'));
  await link(input.path, join(dir, 'hard.csv'));
  for (const out of ['soft.csv', 'hard.csv']) {
    const run = await runCli(['x.csv', ...AS_OF, '-o', out], { cwd: dir });
    assert.equal(run.code, 2, `${out}: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`${out} is the same file as the order export x\\.csv`));
    assert.equal(await readFile(input.path, 'utf8'), input.text);
  }
  // The input named through the link, the output by its real name: the same file all the same.
  const reverse = await runCli(['soft.csv', ...AS_OF, '-o', 'x.csv'], { cwd: dir });
  assert.equal(reverse.code, 2, reverse.stderr);
  assert.equal(await readFile(input.path, 'utf8'), input.text);
});

test('compute: --rejects naming the output, or an input, exits 2 before writing anything', async () => {
  const dir = tempDir();
  const input = await exportIn(dir);
  const same = await runCli(['x.csv', ...AS_OF, '-o', 'out.csv', '--rejects', 'out.csv'], { cwd: dir });
  assert.equal(same.code, 2, same.stderr);
  assert.match(same.stderr, /the rejects file out\.csv is the same file as the output \(-o\) out\.csv/);
  assert.equal(existsSync(join(dir, 'out.csv')), false);

  const onInput = await runCli(['x.csv', ...AS_OF, '-o', 'out.csv', '--rejects', './x.csv'], { cwd: dir });
  assert.equal(onInput.code, 2, onInput.stderr);
  assert.match(onInput.stderr, /the rejects file \.\/x\.csv is the same file as the order export x\.csv/);
  assert.equal(await readFile(input.path, 'utf8'), input.text);
  assert.deepEqual((await readdir(dir)).sort(), ['x.csv']);
});

test('compute: an output of its own beside the input still works (the check compares files, not directories)', async () => {
  const dir = tempDir();
  await exportIn(dir);
  const run = await runCli(['x.csv', ...AS_OF, '-o', 'profiles.csv', '-q'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.match(await readFile(join(dir, 'profiles.csv'), 'utf8'), /^Email,highest_order_value/);
});

test('push: --rejects, --run-log or --state naming the order export exits 2 and sends nothing', async () => {
  const dir = tempDir();
  const input = await exportIn(dir);
  // Nothing listens on this port: a request would fail differently (and the test would see exit 4).
  const env = { KLAVIYO_API_KEY: API_KEY, KLAVIYO_BASE_URL: 'http://127.0.0.1:9' };
  for (const [flags, role] of [
    [['--rejects', 'x.csv'], 'the rejects file'],
    [['--run-log', 'x.csv'], 'the run log'],
    [['--incremental', '--state', 'x.csv'], 'the state file'],
    [['--run-log', 'log.ndjson', '--rejects', 'log.ndjson'], 'the rejects file'],
  ] as const) {
    const run = await runCli(['push', 'x.csv', ...AS_OF, '--yes', ...flags], { cwd: dir, env });
    assert.equal(run.code, 2, `${flags.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`${role} .* is the same file as`), flags.join(' '));
    assert.equal(await readFile(input.path, 'utf8'), input.text);
  }
  assert.deepEqual((await readdir(dir)).sort(), ['x.csv'], 'no run log, no lock, no rejects');
});

test('diff: --rejects naming the order export or the --against file exits 2 and changes neither', async () => {
  const dir = tempDir();
  const input = await exportIn(dir);
  assert.equal((await runCli(['x.csv', ...AS_OF, '-o', 'base.csv', '-q'], { cwd: dir })).code, 0);
  const base = await readFile(join(dir, 'base.csv'), 'utf8');
  for (const [rejects, role] of [
    ['x.csv', 'the order export'],
    ['./base.csv', '--against'],
  ] as const) {
    const run = await runCli(['diff', 'x.csv', ...AS_OF, '--against', 'base.csv', '--rejects', rejects], { cwd: dir });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`the rejects file .* is the same file as ${role}`));
  }
  assert.equal(await readFile(input.path, 'utf8'), input.text);
  assert.equal(await readFile(join(dir, 'base.csv'), 'utf8'), base);
});
