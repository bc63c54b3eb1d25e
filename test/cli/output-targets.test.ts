/**
 * `-o` naming something other than a regular file: a symlink's target is replaced atomically beside
 * it (the link stays), a FIFO or an open descriptor is written through (never replaced by a file).
 * No test writes to a real device: a regression there would replace the machine's own /dev/null.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { outputTarget } from '../../src/io/output-target.js';
import { SHOPIFY_ORDERS } from '../support/orders.js';
import { CLI, runCli, tempDir } from '../support/cli.js';

const AS_OF = ['--as-of', '2025-06-30'];

async function expectedCsv(): Promise<string> {
  const run = await runCli([SHOPIFY_ORDERS, ...AS_OF, '-o', '-', '-q']);
  assert.equal(run.code, 0, run.stderr);
  return run.stdout;
}

test('-o a symlink: the file it points to is replaced (its mode kept) and the link stays; a dangling link gets its file', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'real.csv'), 'old\n');
  chmodSync(join(dir, 'data', 'real.csv'), 0o640);
  symlinkSync(join('data', 'real.csv'), join(dir, 'profiles.csv'));
  symlinkSync(join('data', 'new.csv'), join(dir, 'dangling.csv'));
  const expected = await expectedCsv();
  for (const [link, target] of [['profiles.csv', 'real.csv'], ['dangling.csv', 'new.csv']] as const) {
    const run = await runCli([SHOPIFY_ORDERS, ...AS_OF, '-o', link], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(lstatSync(join(dir, link)).isSymbolicLink(), `${link} is still a symlink`);
    assert.equal(readlinkSync(join(dir, link)), join('data', target));
    assert.equal(readFileSync(join(dir, 'data', target), 'utf8'), expected);
  }
  assert.equal(statSync(join(dir, 'data', 'real.csv')).mode & 0o777, 0o640, 'the mode of the file replaced is kept');
  assert.equal(statSync(join(dir, 'data', 'new.csv')).mode & 0o777, 0o600, 'a new file holding emails is 0600');
  // Nothing else was made beside the link or the file: no temporary file, no lock left.
  assert.deepEqual(readdirSync(dir).sort(), ['dangling.csv', 'data', 'profiles.csv']);
  assert.deepEqual(readdirSync(join(dir, 'data')).filter((name) => !name.includes('.rejects.')).sort(), ['new.csv', 'real.csv']);
});

test('-o a FIFO: its reader gets the profiles, the FIFO stays a FIFO, and no lock or rejects file is made beside it', async () => {
  const dir = tempDir();
  const fifo = join(dir, 'profiles.fifo');
  const made = spawnSync('mkfifo', [fifo]);
  if (made.status !== 0) return assert.fail(`mkfifo: ${made.stderr.toString()}`);
  const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
  let received = '';
  reader.stdout.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  const readerDone = new Promise<void>((resolve) => reader.on('close', () => resolve()));
  try {
    const run = await runCli([SHOPIFY_ORDERS, ...AS_OF, '-o', fifo], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(lstatSync(fifo).isFIFO(), 'the FIFO was replaced');
    await readerDone;
    assert.equal(received, await expectedCsv());
    assert.ok(!existsSync(`${fifo}.lock`));
    // The rejects go where they go for stdout, never `profiles.fifo.rejects.csv`.
    assert.ok(!readdirSync(dir).some((name) => name.startsWith('profiles.fifo.')), readdirSync(dir).join(', '));
  } finally {
    reader.kill();
  }
});

test('-o /proc/self/fd/N: a pipe gets the profiles; a file the shell opened for appending keeps what it held', async () => {
  const expected = await expectedCsv();
  const dir = tempDir();
  // As `backfill ... -o /proc/self/fd/3 3>&1 >/dev/null | cat`: fd 3 is the shell's pipe to cat.
  const piped = spawnSync('bash', ['-o', 'pipefail', '-c', `"$0" "$1" "$2" --as-of 2025-06-30 -o /proc/self/fd/3 -q 3>&1 >/dev/null | cat`, process.execPath, CLI, SHOPIFY_ORDERS], { cwd: dir, encoding: 'utf8' });
  assert.equal(piped.status, 0, piped.stderr);
  assert.equal(piped.stderr, '');
  assert.equal(piped.stdout, expected);

  // As `backfill ... -o /proc/self/fd/1 >> all.csv`.
  const all = join(dir, 'all.csv');
  writeFileSync(all, 'held before\n');
  const appending = openSync(all, 'a');
  const run = spawnSync(process.execPath, [CLI, SHOPIFY_ORDERS, ...AS_OF, '-o', '/proc/self/fd/1', '-q'], { cwd: dir, stdio: ['ignore', appending, 'pipe'] });
  closeSync(appending);
  assert.equal(run.status, 0, run.stderr.toString());
  assert.equal(readFileSync(all, 'utf8'), `held before\n${expected}`);
});

test('what an output path names: devices, FIFOs and descriptors are written through; a symlink leads to its file', () => {
  assert.equal(outputTarget('/dev/null').kind, 'stream');
  assert.equal(outputTarget('/dev/stdout').kind, 'stream');
  assert.equal(outputTarget('/proc/self/fd/2').kind, 'stream');
  const dir = tempDir();
  writeFileSync(join(dir, 'file.csv'), '');
  symlinkSync('file.csv', join(dir, 'link.csv'));
  assert.deepEqual(outputTarget(join(dir, 'link.csv')), { kind: 'file', path: join(dir, 'file.csv') });
  assert.deepEqual(outputTarget(join(dir, 'none.csv')), { kind: 'file', path: join(dir, 'none.csv') });
});
