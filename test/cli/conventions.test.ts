/**
 * What people expect of a command-line tool, tried on the real binary as a new user would: help and
 * version, typos, grouped help, messages that match what is accepted, terminals that report no width,
 * colour switches, files that are not CSV, outputs in missing folders, runs that produce nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CLI, fixture, REPO_ROOT, runCliSync, tempDir } from '../support/cli.js';
import { SHOPIFY_HEADER } from '../support/shopify-generator.js';

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const SHOPIFY = fixture('shopify-orders.csv');
const AS_OF = ['--as-of', '2025-06-30'];

test('backfill help and backfill help push print help and exit 0; --version prints the version', () => {
  const help = runCliSync(['help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /Usage: backfill \[options\] \[command\]/);
  const pushHelp = runCliSync(['help', 'push']);
  assert.equal(pushHelp.code, 0, pushHelp.stderr);
  assert.match(pushHelp.stdout, /Usage: backfill push/);
  for (const flag of ['--version', '-V']) {
    const version = runCliSync([flag]);
    assert.equal(version.code, 0);
    assert.equal(version.stdout.trim(), VERSION);
  }
});

test('a mistyped command is named, with the command it is close to; a file of that name is still read', () => {
  const typo = runCliSync(['pussh', 'orders.csv']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /unknown command "pussh" .*did you mean push\?/);
  const dir = tempDir();
  writeFileSync(join(dir, 'pussh'), readFileSync(SHOPIFY));
  const file = runCliSync(['pussh', ...AS_OF, '-o', 'p.csv'], { cwd: dir });
  assert.equal(file.code, 0, file.stderr);
  assert.ok(existsSync(join(dir, 'p.csv')));
});

test('help shows examples first, then options in groups; push and diff point to compute for the shared ones', () => {
  const compute = runCliSync(['compute', '--help']).stdout;
  const headings = ['Examples:', 'Usage: backfill compute', 'Input (how to read the exports):', 'Definitions (what to compute):', 'Output:', 'Run control:'];
  const at = headings.map((heading) => compute.indexOf(heading));
  assert.ok(at.every((index) => index >= 0), `missing a heading in:\n${compute}`);
  assert.deepEqual([...at].sort((a, b) => a - b), at, 'headings out of order');
  assert.ok(compute.indexOf('  --windows <days>') > compute.indexOf('Definitions (what to compute):'));
  const push = runCliSync(['push', '--help']).stdout;
  assert.ok(push.startsWith('Examples:'));
  assert.match(push, /Klaviyo:\n\s+--list <id>/);
  assert.doesNotMatch(push, /^\s+--windows <days>/m);
  assert.match(push, /Reading and definitions work as for compute \(see backfill compute --help\):\n.*--config.*\n.*--windows/);
});

test('flag messages say what is accepted: windows 1 to 3650 and each once, --as-of in the forms it takes', () => {
  const zero = runCliSync([SHOPIFY, '--windows', '0']);
  assert.equal(zero.code, 2);
  assert.match(zero.stderr, /--windows.*from 1 to 3650/);
  const twice = runCliSync([SHOPIFY, '--windows', '30,30']);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /30 is given twice/);
  const bad = runCliSync([SHOPIFY, '--as-of', 'yesterday']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /expected an ISO 8601 date or time such as 2026-11-26, 2026-11-26T06:00:00Z or 2026-11-26 06:00:00 -0500; got "yesterday"/);
  assert.doesNotMatch(bad.stderr, /not a timestamp like/);
  const shopifyForm = runCliSync([SHOPIFY, '--as-of', '2025-06-29 20:00:00 -0400', '-o', '-', '--quiet']);
  assert.equal(shopifyForm.code, 0, shopifyForm.stderr);
  assert.equal(runCliSync([SHOPIFY, ...AS_OF, '-o', '-', '--quiet']).stdout, shopifyForm.stdout, '2025-06-29 20:00:00 -0400 is 2025-06-30 00:00 UTC');
});

/** Runs the binary on a pseudo-terminal (util-linux `script`), as some CI wrappers do; `stty` sets its width. */
function onPseudoTerminal(dir: string, columns: number, args: string, env: Record<string, string> = {}): { code: number | null; tty: string } {
  const log = join(dir, `tty-${columns}-${Object.keys(env).join('-')}.log`);
  const command = `stty cols ${columns} rows 24; ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} ${args}`;
  const run = spawnSync('script', ['-qfec', command, log], { cwd: dir, env: { ...personAtTerminal(), ...env }, timeout: 60_000, encoding: 'utf8' });
  return { code: run.status, tty: existsSync(log) ? readFileSync(log, 'latin1') : '' };
}

/**
 * The environment of a person at a terminal: no colour switches and no CI variable (colour libraries
 * turn colour off under CI, where this suite also runs), and a terminal type that has colour.
 */
function personAtTerminal(): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([key]) => !['CI', 'NO_COLOR', 'FORCE_COLOR', 'TERM'].includes(key) && !key.startsWith('BACKFILL_'));
  return { ...Object.fromEntries(inherited), TERM: 'xterm-256color' };
}

function manyOrders(dir: string, count: number): string {
  const rows = [SHOPIFY_HEADER];
  const blank = ','.repeat(SHOPIFY_HEADER.split(',').length - 18);
  for (let i = 0; i < count; i++) {
    rows.push(`#${i},c${i % 300}@example.com,paid,,,,,USD,,,,${(i % 97) + 10}.00,,,,2025-05-${String((i % 28) + 1).padStart(2, '0')} 10:00:00 -0400,1,Tee - Black / M${blank}`);
  }
  const path = join(dir, 'o.csv');
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}

test('on a terminal that reports 0 columns the run finishes and writes its output; progress never holds it up', () => {
  const dir = tempDir();
  manyOrders(dir, 2000);
  const run = onPseudoTerminal(dir, 0, 'o.csv -o p.csv --as-of 2025-06-01');
  assert.equal(run.code, 0, run.tty.slice(0, 2000));
  assert.equal(readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n').length, 301);
  assert.ok(run.tty.length < 10_000, `${run.tty.length} bytes on the terminal`);
});

test('progress is coloured on a terminal, and not with NO_COLOR, FORCE_COLOR=0 or --no-color', () => {
  const dir = tempDir();
  manyOrders(dir, 50);
  const cyan = '\u001b[36m';
  const coloured = onPseudoTerminal(dir, 100, 'o.csv -o p.csv --as-of 2025-06-01');
  assert.equal(coloured.code, 0);
  assert.ok(coloured.tty.includes(cyan), 'a spinner in colour by default');
  for (const [args, env] of [
    ['o.csv -o p.csv --as-of 2025-06-01', { NO_COLOR: '1' }],
    ['o.csv -o p.csv --as-of 2025-06-01', { FORCE_COLOR: '0' }],
    ['o.csv -o p.csv --as-of 2025-06-01 --no-color', {}],
  ] as const) {
    const plain = onPseudoTerminal(dir, 100, args, env);
    assert.equal(plain.code, 0);
    assert.ok(plain.tty.includes('Reading'), 'the spinner still shows');
    assert.ok(!plain.tty.includes(cyan), `no colour with ${args} ${JSON.stringify(env)}`);
  }
});

test('files that are not CSV are named for what they are, with what to export instead', () => {
  const dir = tempDir();
  const random = Buffer.alloc(3000);
  for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) % 256;
  const cases: [string, Buffer, RegExp][] = [
    ['orders.xlsx', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('[Content_Types].xml')]), /is a zip archive \(an Excel \.xlsx/],
    ['orders.bin', random, /is binary data/],
    ['orders-utf16.csv', Buffer.from('\uFEFFName,Email,Total\n#1,a@b.c,5\n', 'utf16le'), /is UTF-16 text/],
    ['orders.json', Buffer.from('[{"email": "ann@example.com", "total": 5}]'), /is JSON, not an order export in CSV/],
    ['orders.json.gz', gzipSync(Buffer.from('{"orders": []}')), /is gzip-compressed JSON/],
    // Each compression's magic bytes, then what a compressed stream looks like.
    ['orders.csv.zst', Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), random]), /is zstd-compressed data, not an order export in CSV\n.*Decompress it first \(zstd -d/],
    ['orders.csv.bz2', Buffer.concat([Buffer.from('BZh9'), random]), /is bzip2-compressed data, not an order export in CSV\n.*Decompress it first \(bunzip2/],
    ['orders.csv.xz', Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), random]), /is xz-compressed data, not an order export in CSV\n.*Decompress it first \(unxz/],
  ];
  for (const [name, bytes, expected] of cases) {
    writeFileSync(join(dir, name), bytes);
    const run = runCliSync([name, '-o', 'p.csv'], { cwd: dir });
    assert.equal(run.code, 2, name);
    assert.match(run.stderr, expected, name);
    assert.doesNotMatch(run.stderr, /Columns found/, name);
    assert.ok(!existsSync(join(dir, 'p.csv')), name);
  }
});

test('an output in a missing folder, or that is a folder, is refused before reading, naming the folder', () => {
  const dir = tempDir();
  const missing = runCliSync([SHOPIFY, '-o', 'nodir/sub/p.csv'], { cwd: dir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /-o nodir\/sub\/p\.csv: the directory nodir\/sub does not exist/);
  assert.match(missing.stderr, /mkdir -p nodir\/sub/);
  assert.doesNotMatch(missing.stderr, /\.tmp|ENOENT/);
  mkdirSync(join(dir, 'out'));
  const folder = runCliSync([SHOPIFY, '-o', 'out'], { cwd: dir });
  assert.equal(folder.code, 2);
  assert.match(folder.stderr, /-o out is a directory/);
  assert.doesNotMatch(folder.stderr, /EISDIR|\.tmp/);
  assert.ok(statSync(join(dir, 'out')).isDirectory());
});

test('a run that writes no profile says why on stderr, with the newest order date found', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'header-only.csv'), `${SHOPIFY_HEADER}\n`);
  const empty = runCliSync(['header-only.csv', '-o', 'p.csv'], { cwd: dir });
  assert.equal(empty.code, 0);
  assert.match(empty.stderr, /warning: no orders were read/);
  writeFileSync(join(dir, 'all-bad.csv'), `${SHOPIFY_HEADER}\n#1,ann@example.com,paid\n`);
  const bad = runCliSync(['all-bad.csv', '-o', 'p.csv'], { cwd: dir });
  assert.equal(bad.code, 0);
  assert.match(bad.stderr, /warning: no order could be read: 1 rows rejected \(see p\.rejects\.csv\)/);
  const early = runCliSync([SHOPIFY, '--as-of', '2024-01-01', '-o', 'p.csv'], { cwd: dir });
  assert.equal(early.code, 0);
  assert.match(early.stderr, /warning: every order was placed after --as-of.*newest order found was placed 2025-07-05 15:00:00 UTC/);
  const late = runCliSync([SHOPIFY, '--mode', 'window', '--sizes', 'none-such', '--as-of', '2027-01-01', '-o', 'p.csv'], { cwd: dir });
  assert.equal(late.code, 0);
  assert.match(late.stderr, /warning: no order falls in any window before --as-of.*2025-07-05 15:00:00 UTC/);
  const some = runCliSync([SHOPIFY, ...AS_OF, '-o', 'p.csv'], { cwd: dir });
  assert.doesNotMatch(some.stderr, /warning/);
});

test('a run whose orders all lack an email says so, not that they were placed after --as-of', () => {
  const dir = tempDir();
  const rows = readFileSync(SHOPIFY, 'utf8').trimEnd().split('\n');
  // The Email column (the second) emptied on every row.
  writeFileSync(join(dir, 'no-emails.csv'), `${[rows[0], ...rows.slice(1).map((row) => row.replace(/^([^,]*),[^,]*,/, '$1,,'))].join('\n')}\n`);
  const run = runCliSync(['no-emails.csv', ...AS_OF, '-o', 'p.csv'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /warning: no order had an email \(or a phone\), so no profile was written: 1[0-9] without an email or phone; is the email column the right one\?/);
  assert.doesNotMatch(run.stderr, /after --as-of/);
  // Only the refunded order keeps its email: left out with --exclude-cancelled, it leaves nothing either.
  writeFileSync(join(dir, 'refunded-only.csv'), `${[rows[0], ...rows.slice(1).map((row) => (row.startsWith('#1012,') ? row : row.replace(/^([^,]*),[^,]*,/, '$1,,')))].join('\n')}\n`);
  const cancelled = runCliSync(['refunded-only.csv', ...AS_OF, '--exclude-cancelled', '-o', 'p.csv'], { cwd: dir });
  assert.match(cancelled.stderr, /warning: every order was skipped, so no profile was written: 1[0-9] without an email or phone and 1 cancelled \(--exclude-cancelled\)/);
});
