/**
 * An email that is not valid UTF-8, holds a NUL, or is not an address is a bad row with its reason:
 * it never reaches the profiles CSV, and push's local check (the same check) never calls it sendable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportWith, SHOPIFY_ORDERS } from '../support/orders.js';
import { API_KEY } from '../support/push-harness.js';
import { csvRows, fixture, runCli, tempDir } from '../support/cli.js';

/** The fixture with three emails spoiled, as bytes: 0xFF is never UTF-8. */
async function spoiledExport(dir: string): Promise<string> {
  let bytes = await readFile(SHOPIFY_ORDERS);
  const replace = (from: string, to: Buffer) => {
    const at = bytes.indexOf(from);
    assert.ok(at >= 0, from);
    bytes = Buffer.concat([bytes.subarray(0, at), to, bytes.subarray(at + from.length)]);
  };
  replace('#1013,eve@example.com', Buffer.concat([Buffer.from('#1013,eve'), Buffer.from([0xff]), Buffer.from('@example.com')]));
  replace('#1004,cara@example.com', Buffer.from('#1004,ca\u0000ra@example.com'));
  replace('#1002,bob@example.com', Buffer.from('#1002,bob at example.com'));
  const path = join(dir, 'orders.csv');
  await writeFile(path, bytes);
  return path;
}

test('compute: invalid UTF-8, a NUL, or no address in an email makes a bad row; the CSV never holds it', async () => {
  const dir = tempDir();
  const orders = await spoiledExport(dir);
  const run = await runCli([orders, '--as-of', '2025-06-30', '-o', 'out.csv'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const out = await readFile(join(dir, 'out.csv'), 'utf8');
  assert.ok(!out.includes('\uFFFD') && !out.includes('\u0000') && !out.includes('bob at'), out);
  const rejects = csvRows(await readFile(join(dir, 'out.rejects.csv'), 'utf8')).filter((r) => r['code'] === 'BAD_EMAIL');
  assert.deepEqual(rejects.map((r) => [r['column'], r['reason']]).sort(), [
    ['Email', '"bob at example.com" is not an email address'],
    ['Email', 'the email holds a control character or NUL ("ca\\u0000ra@example.com")'],
    ['Email', 'the email is not valid UTF-8 ("eve\uFFFD@example.com"): save the export as UTF-8'],
  ]);
});

test('push --dry-run: the same emails are not sendable, from the export or from a profiles CSV holding them', async () => {
  const dir = tempDir();
  const orders = await spoiledExport(dir);
  const env = { KLAVIYO_API_KEY: API_KEY, KLAVIYO_BASE_URL: 'http://127.0.0.1:9' };
  const fromOrders = await runCli(['push', orders, '--as-of', '2025-06-30', '--dry-run', '--run-log', 'a.ndjson', '--json'], { cwd: dir, env });
  assert.equal(fromOrders.code, 0, fromOrders.stderr);
  const plan = JSON.parse(fromOrders.stdout) as { profiles: number; heldBack: number };
  // What compute keeps, push can send: nothing is held back, and the three orders are input rejects.
  const computed = await runCli([orders, '--as-of', '2025-06-30', '-o', '-', '-q'], { cwd: dir });
  assert.equal(plan.profiles, csvRows(computed.stdout).length);
  assert.equal(plan.heldBack, 0);
  assert.ok(existsSync(join(dir, 'a.input-rejects.csv')), 'the order rows went to the input rejects');

  const profiles = join(dir, 'p.csv');
  await writeFile(profiles, Buffer.concat([Buffer.from('Email,highest_order_value\nann@example.com,5\neve'), Buffer.from([0xff]), Buffer.from('@example.com,6\nca\u0000ra@example.com,7\n')]));
  const fromCsv = await runCli(['push', '--profiles', 'p.csv', '--dry-run', '--run-log', 'b.ndjson'], { cwd: dir, env });
  assert.equal(fromCsv.code, 0, fromCsv.stderr);
  assert.match(fromCsv.stderr, /1 import jobs .* 2 profiles would be rejected locally/);
  assert.match(fromCsv.stderr, /the email is not valid UTF-8 \("eve\uFFFD@example\.com"\): save the export as UTF-8/);
  assert.match(fromCsv.stderr, /the email holds a control character or NUL \("ca\\u0000ra@example\.com"\)/);
});

test('compute: the same check in a one-row-per-order layout (WooCommerce): a bad email is a bad row in its column', async () => {
  const dir = tempDir();
  const text = await readFile(fixture('woocommerce-orders.csv'), 'utf8');
  // Invalid UTF-8 here: a NUL this near the start of a file makes it binary data, refused as a whole.
  const lines = text.trimEnd().split('\n');
  const last = lines.at(-2)!; // cara's order (the last one has no email)
  const email = last.split(',')[18]!;
  const [before, after] = [text.slice(0, text.indexOf(last)), text.slice(text.indexOf(last) + last.length)];
  const spoiled = Buffer.from(last.replaceAll(email, 'ann\u0001@example.com')).map((byte) => (byte === 1 ? 0xff : byte));
  await writeFile(join(dir, 'orders.csv'), Buffer.concat([Buffer.from(before), spoiled, Buffer.from(after)]));
  const run = await runCli(['orders.csv', '--as-of', '2025-06-30', '--timezone', 'America/New_York', '--date-format', 'DD/MM/YYYY', '-o', 'out.csv'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const rejects = csvRows(await readFile(join(dir, 'out.rejects.csv'), 'utf8')).filter((r) => r['code'] === 'BAD_EMAIL');
  assert.deepEqual(rejects.map((r) => [r['line'], r['column'], r['reason']]), [[String(lines.length - 1), 'customer_email', 'the email is not valid UTF-8 ("ann\uFFFD@example.com"): save the export as UTF-8']]);
  assert.ok(!(await readFile(join(dir, 'out.csv'), 'utf8')).includes('\uFFFD'));
});

test('compute: an email holding an invisible character (ZWSP, RLM, LRM, word joiner, soft hyphen) is a bad row, never a second profile that prints the same', async () => {
  const dir = tempDir();
  const invisible = ['\u200b', '\u200f', '\u200e', '\u2060', '\u00ad'];
  const orders = await exportWith(
    dir,
    'orders.csv',
    invisible.map((c, i) => ({ name: `#30${i}`, email: `ann${c}@example.com`, total: '10.00', createdAt: '2025-06-01 10:00:00 -0400' })),
  );
  const run = await runCli([orders, '--as-of', '2025-06-30', '-o', 'out.csv'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const profiles = csvRows(await readFile(join(dir, 'out.csv'), 'utf8'));
  assert.equal(profiles.filter((row) => row['Email']!.replace(/\p{Cf}/gu, '') === 'ann@example.com').length, 1, JSON.stringify(profiles.map((row) => row['Email'])));
  const rejects = csvRows(await readFile(join(dir, 'out.rejects.csv'), 'utf8')).filter((r) => r['code'] === 'BAD_EMAIL');
  assert.deepEqual(
    rejects.map((r) => r['reason']!.replace(/ \(".*$/, '')),
    ['U+200B', 'U+200F', 'U+200E', 'U+2060', 'U+00AD'].map((code) => `the email holds an invisible character, ${code}, at position 4`),
  );
});
