/**
 * The real `backfill` binary on real files: cell-by-cell output, rejects, exit codes, atomicity.
 * Expected values are computed by hand from fixtures/shopify-orders.csv (see fixtures/README.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, csvRows, fixture, runCli, tempDir } from '../support/cli.js';
import { FLOW_PROFILES, HEADER, toCsv } from '../support/shopify-fixture-profiles.js';

const AS_OF = ['--as-of', '2025-06-30T00:00:00Z'];
test('compute: the Shopify fixture gives the profiles computed by hand, cell by cell', async () => {
  const dir = await tempDir();
  const run = await runCli([fixture('shopify-orders.csv'), ...AS_OF, '-o', join(dir, 'profiles.csv')]);
  assert.equal(run.code, 0, run.stderr);
  const written = await readFile(join(dir, 'profiles.csv'), 'utf8');
  assert.equal(written, toCsv(FLOW_PROFILES));
  assert.match(run.stderr, /14 orders \(16 rows\) read/);
  assert.match(run.stderr, /5 profiles written/);
  assert.match(run.stderr, /1 order without email skipped/);
  assert.match(run.stderr, /1 order after --as-of ignored/);
  assert.match(run.stderr, /0 rows rejected/);
  assert.equal(existsSync(join(dir, 'profiles.rejects.csv')), false);
});

test('compute --mode window --windows 30,60: the largest order in each trailing window, blank when none', async () => {
  const run = await runCli([fixture('shopify-orders.csv'), ...AS_OF, '--mode', 'window', '--windows', '60,30', '-o', '-', '-q']);
  assert.equal(run.code, 0, run.stderr);
  const rows = csvRows(run.stdout);
  assert.deepEqual(Object.keys(rows[0]!).slice(0, 5), ['Email', 'highest_order_value', 'highest_order_date', '60_day_highest_order_value', '60_day_highest_order_date']);
  const byEmail = new Map(rows.map((r) => [r['Email'], r]));
  const pick = (email: string) => {
    const r = byEmail.get(email)!;
    return [r['highest_order_value'], r['highest_order_date'], r['60_day_highest_order_value'], r['60_day_highest_order_date']];
  };
  // Window 30 is [2025-05-31 00:00, 2025-06-30 00:00]; window 60 starts 2025-05-01 00:00.
  assert.deepEqual(pick('ann@example.com'), ['1000', '2025-06-10 16:00:00', '1000', '2025-06-10 16:00:00']);
  assert.deepEqual(pick('bob@example.com'), ['', '', '200', '2025-05-15 12:00:00']);
  assert.deepEqual(pick('cara@example.com'), ['100', '2025-05-31 00:00:00', '129.49', '2025-05-01 00:00:00']);
  assert.deepEqual(pick('dan@example.com'), ['1359.99', '2025-06-05 08:00:00', '1359.99', '2025-06-05 08:00:00']);
  assert.equal(byEmail.get('bob@example.com')!['small_order_date'], '2025-04-20 12:00:00');
});

test('compute --exclude-cancelled leaves out the refunded order and says so', async () => {
  const run = await runCli([fixture('shopify-orders.csv'), ...AS_OF, '--exclude-cancelled', '-o', '-']);
  assert.equal(run.code, 0, run.stderr);
  const eve = csvRows(run.stdout).find((r) => r['Email'] === 'eve@example.com')!;
  assert.equal(eve['highest_order_value'], '50');
  assert.equal(eve['highest_order_date'], '2025-06-21 13:15:00');
  assert.equal(eve['large_order_date'], '');
  assert.match(run.stderr, /1 cancelled order excluded/);
});

test('compute: the result does not depend on file row order, BOM or CRLF, and reruns are byte-identical', async () => {
  const dir = await tempDir();
  const original = await readFile(fixture('shopify-orders.csv'), 'utf8');
  // Oldest-first with Windows line ends and a BOM: whole orders reversed, rows of one order kept together.
  const [header, ...records] = csvRecordsText(original);
  const groups: string[][] = [];
  for (const record of records) {
    const name = record.slice(0, record.indexOf(','));
    if (groups.at(-1)?.[0]?.startsWith(`${name},`)) groups.at(-1)!.push(record);
    else groups.push([record]);
  }
  const reordered = '\ufeff' + [header, ...groups.reverse().flat()].join('\r\n') + '\r\n';
  await writeFile(join(dir, 'oldest-first.csv'), reordered);

  const first = await runCli([fixture('shopify-orders.csv'), ...AS_OF, '-o', join(dir, 'a.csv')]);
  const second = await runCli([fixture('shopify-orders.csv'), ...AS_OF, '-o', join(dir, 'b.csv')]);
  const third = await runCli([join(dir, 'oldest-first.csv'), ...AS_OF, '-o', join(dir, 'c.csv')]);
  assert.deepEqual([first.code, second.code, third.code], [0, 0, 0]);
  const a = await readFile(join(dir, 'a.csv'));
  assert.ok(a.equals(await readFile(join(dir, 'b.csv'))));
  assert.ok(a.equals(await readFile(join(dir, 'c.csv'))));
});

test('compute reads stdin with -, and --json prints the run summary', async () => {
  const dir = await tempDir();
  const run = await runCli(['-', ...AS_OF, '-o', join(dir, 'p.csv'), '--json'], { stdin: await readFile(fixture('shopify-orders.csv')) });
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as Record<string, unknown>;
  assert.equal(summary['ordersRead'], 14);
  assert.equal(summary['rowsRead'], 16);
  assert.equal(summary['profiles'], 5);
  assert.equal(summary['ordersWithoutEmail'], 1);
  assert.equal(summary['rowsRejected'], 0);
  assert.deepEqual(summary['files'], ['stdin']);
  assert.deepEqual(summary['outputs'], [join(dir, 'p.csv')]);
  assert.equal(await readFile(join(dir, 'p.csv'), 'utf8'), toCsv(FLOW_PROFILES));
});

test('compute: bad rows go to the rejects file with line, column and reason; the rest is computed', async () => {
  const dir = await tempDir();
  const run = await runCli([fixture('shopify-bad-rows.csv'), ...AS_OF, '-o', join(dir, 'profiles.csv')]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(
    csvRows(await readFile(join(dir, 'profiles.csv'), 'utf8')).map((r) => [r['Email'], r['highest_order_value']]),
    [
      ['good@example.com', '100'],
      ['multi@example.com', '55'],
      ['swallowed@example.com', '30'],
    ],
  );
  const rejects = csvRows(await readFile(join(dir, 'profiles.rejects.csv'), 'utf8'));
  assert.deepEqual(
    rejects.map((r) => [r['line'], r['column'], r['code']]),
    [
      ['3', 'Total', 'BAD_VALUE'],
      ['4', 'Created at', 'BAD_DATE'],
      ['5', '', 'ORDER_REJECTED'],
      ['6', '', 'ORDER_REJECTED'],
      ['7', '', 'FIELD_COUNT'],
      ['10', '', 'CSV_QUOTE_NOT_CLOSED'],
    ],
  );
  assert.match(rejects[0]!['reason']!, /"12,50"/);
  assert.ok(rejects[0]!['raw']!.startsWith('#2002,comma@example.com,'));
  // An unclosed quote costs its own line only: the next row (#2007) is still read.
  assert.ok(rejects[5]!['raw']!.startsWith('#2006,quote@example.com,'));
  assert.doesNotMatch(rejects[5]!['raw']!, /#2007/);
  assert.match(run.stderr, /6 rows rejected \(see .*profiles\.rejects\.csv\)/);
});

test('compute --strict stops at the first bad row with file:line:column, writing nothing', async () => {
  const dir = await tempDir();
  const run = await runCli([fixture('shopify-bad-rows.csv'), ...AS_OF, '--strict', '-o', join(dir, 'profiles.csv')]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /shopify-bad-rows\.csv:3:12 \(column "Total"\): Total is not a number: "12,50"/);
  assert.deepEqual(await readdir(dir), []);
});

test('compute: missing Shopify columns stop the run at once, naming them and the columns found', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'orders.csv'), 'Name,Email,Created at\n#1,a@x.com,2025-01-01 00:00:00 +0000\n');
  const run = await runCli(['orders.csv', '--format', 'shopify', '-o', 'profiles.csv'], { cwd: dir });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /orders\.csv is missing the Shopify columns "Total", "Lineitem name"/);
  assert.match(run.stderr, /Columns found: "Name", "Email", "Created at"/);
  assert.deepEqual(await readdir(dir), ['orders.csv']);
});

test('compute: empty and missing files are input errors that name the file', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'empty.csv'), '');
  const empty = await runCli(['empty.csv'], { cwd: dir });
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /empty\.csv is empty/);
  const missing = await runCli(['nope.csv'], { cwd: dir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.csv: no such file/);
  assert.deepEqual(await readdir(dir), ['empty.csv']);
});

test('compute: a run that fails while writing its output leaves the existing output untouched and no temporary files', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'profiles.csv'), 'previous run\n');
  // 600 customers: a profiles CSV of ~50 KB, which a file-size limit of 16 blocks (8 or 16 KB) cuts
  // off while it is written. Written in place, the earlier output would be gone by then.
  const text = await readFile(fixture('shopify-orders.csv'), 'utf8');
  const line = text.split('\n').find((l) => l.startsWith('#1013,'))!;
  const orders = Array.from({ length: 600 }, (_, i) => line.replace('#1013', `#${5000 + i}`).replace('eve@example.com', `customer${i}@example.com`));
  await writeFile(join(dir, 'orders.csv'), `${text.split('\n')[0]}\n${orders.join('\n')}\n`);
  const run = await runCli(['orders.csv', ...AS_OF, '-o', 'profiles.csv'], { cwd: dir, fileSizeLimitBlocks: 16 });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /cannot write the output profiles\.csv: file too large/);
  assert.equal(await readFile(join(dir, 'profiles.csv'), 'utf8'), 'previous run\n');
  assert.deepEqual((await readdir(dir)).sort(), ['orders.csv', 'profiles.csv']);
});

test('compute: output over the size limit is split into numbered parts, each with the header', async () => {
  const dir = await tempDir();
  const run = await runCli([fixture('shopify-orders.csv'), ...AS_OF, '-o', 'profiles.csv', '--max-file-bytes', '400'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual((await readdir(dir)).sort(), ['profiles-1.csv', 'profiles-2.csv']);
  const parts = await Promise.all(['profiles-1.csv', 'profiles-2.csv'].map((p) => readFile(join(dir, p), 'utf8')));
  for (const part of parts) {
    assert.ok(part.startsWith(`${HEADER}\n`));
    assert.ok(Buffer.byteLength(part) <= 400);
  }
  assert.deepEqual(parts.flatMap((p) => p.trimEnd().split('\n').slice(1)), toCsv(FLOW_PROFILES).trimEnd().split('\n').slice(1));
});

test('usage errors exit 2 and name the flag; --help leads with examples', async () => {
  const mode = await runCli([fixture('shopify-orders.csv'), '--mode', 'max']);
  assert.equal(mode.code, 2);
  assert.match(mode.stderr, /--mode/);
  const windows = await runCli([fixture('shopify-orders.csv'), '--windows', '30,abc']);
  assert.equal(windows.code, 2);
  assert.match(windows.stderr, /--windows.*30,60,90/s);
  const asOf = await runCli([fixture('shopify-orders.csv'), '--as-of', 'yesterday']);
  assert.equal(asOf.code, 2);
  const help = await runCli(['compute', '--help']);
  assert.equal(help.code, 0);
  assert.ok(help.stdout.startsWith('Examples:\n  $ backfill orders_export.csv'), help.stdout.slice(0, 80));
  assert.ok(help.stdout.indexOf('Input (how to read the exports):') > help.stdout.indexOf('Usage: backfill compute'));
});

/** Splits CSV text into record texts (quoted newlines kept inside their record). */
function csvRecordsText(text: string): string[] {
  const records: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === '\n' && !quoted) {
      records.push(text.slice(start, i));
      start = i + 1;
    }
  }
  return records;
}

test('--help into a pipe that is already closed exits 0 without a crash', async () => {
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'compute', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      assert.doesNotMatch(stderr, /EPIPE/);
      resolve(exitCode);
    });
  });
  assert.equal(code, 0);
});
