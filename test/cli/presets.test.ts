/**
 * Each preset reads its fixture into the profiles a person computes by hand (comments show the sums),
 * checked cell by cell. All runs use --as-of 2025-06-30 and the default flow mode with a 30-day window.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { csvRows, FIXTURES, profileOf, runCliSync } from '../support/cli.js';

function runPreset(fixture: string, config: string, extra: readonly string[] = []) {
  const run = runCliSync([join(FIXTURES, fixture), '--config', join(FIXTURES, config), '--as-of', '2025-06-30', '-o', '-', '--quiet', ...extra]);
  assert.equal(run.code, 0, run.stderr);
  return csvRows(run.stdout);
}

test('woocommerce (WebToffee line_item_N): DD-MM-YYYY store time in New York, size keys and name suffixes', () => {
  const rows = runPreset('woocommerce-orders.csv', 'woocommerce.config.json');
  assert.deepEqual(rows.map((r) => r['Email']), ['ann@example.com', 'bob@example.com', 'cara@example.com']);
  // Ann: 2001 on 3 June 14:00 EDT (18:00 UTC) for 120, size:S; 2003 on 25 June 18:00 EDT for 45, pa_size:m.
  // 45 < 120 with both in 30 days, so the flow keeps 120.
  assert.deepEqual(profileOf(rows, 'ann@example.com'), {
    Email: 'ann@example.com',
    highest_order_value: '120',
    highest_order_date: '2025-06-03 18:00:00',
    small_order_date: '2025-06-03 18:00:00',
    medium_order_date: '2025-06-25 22:00:00',
    large_order_date: '',
    xlarge_order_date: '',
  });
  // Bob: blank customer_email, billing_email Bob@Example.com; "Hoodie - Large" on 20 June 09:30 EDT.
  assert.deepEqual(profileOf(rows, 'bob@example.com'), {
    Email: 'bob@example.com',
    highest_order_value: '80.5',
    highest_order_date: '2025-06-20 13:30:00',
    small_order_date: '',
    medium_order_date: '',
    large_order_date: '2025-06-20 13:30:00',
    xlarge_order_date: '',
  });
  // Cara's only order is cancelled: the live flow still counted it.
  assert.equal(profileOf(rows, 'cara@example.com')['highest_order_value'], '500');
  assert.equal(profileOf(rows, 'cara@example.com')['xlarge_order_date'], '2025-06-28 14:00:00');
});

test('woocommerce with --exclude-cancelled leaves the cancelled order out', () => {
  const rows = runPreset('woocommerce-orders.csv', 'woocommerce.config.json', ['--exclude-cancelled']);
  assert.deepEqual(rows.map((r) => r['Email']), ['ann@example.com', 'bob@example.com']);
});

test('bigcommerce: dd/mm/yyyy dates at midnight London time, sizes in Product Variation Details', () => {
  const rows = runPreset('bigcommerce-orders.csv', 'bigcommerce.config.json');
  assert.equal(rows.length, 2);
  // Dan: 5 June 00:00 BST = 4 June 23:00 UTC for 67.50 (Size: S (4)); 18 June for 150 (Size: M), larger.
  assert.deepEqual(profileOf(rows, 'dan@example.com'), {
    Email: 'dan@example.com',
    highest_order_value: '150',
    highest_order_date: '2025-06-17 23:00:00',
    small_order_date: '2025-06-04 23:00:00',
    medium_order_date: '2025-06-17 23:00:00',
    large_order_date: '',
    xlarge_order_date: '',
  });
  // Eve: Billing Email only; "Size: Large - Height 5' 9"" is no size, "Size: XL (7)" is.
  assert.deepEqual(profileOf(rows, 'eve@example.com'), {
    Email: 'eve@example.com',
    highest_order_value: '30',
    highest_order_date: '2025-06-20 23:00:00',
    small_order_date: '',
    medium_order_date: '',
    large_order_date: '',
    xlarge_order_date: '2025-06-20 23:00:00',
  });
});

test('json-items (Klaviyo Placed Order export): JSON Items, a repeated event counted once, a conflicting one rejected', () => {
  const run = runCliSync([
    join(FIXTURES, 'klaviyo-placed-order.csv'),
    '--config', join(FIXTURES, 'klaviyo-placed-order.config.json'),
    '--as-of', '2025-06-30', '-o', '-', '--json', '--rejects', 'rejects.csv',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const rows = csvRows(run.stdout);
  // Fay: 4001 on 1 June for 60 (Size small); 4002 on 10 June 12:00+02:00 for 90.5 (VariantName "Red / L").
  assert.deepEqual(profileOf(rows, 'fay@example.com'), {
    Email: 'fay@example.com',
    highest_order_value: '90.5',
    highest_order_date: '2025-06-10 10:00:00',
    small_order_date: '2025-06-01 10:00:00',
    medium_order_date: '',
    large_order_date: '2025-06-10 10:00:00',
    xlarge_order_date: '',
  });
  // Gus: "Hat - XL" for 20; the second 4003 says 25, so it is rejected and 20 stands.
  assert.deepEqual(profileOf(rows, 'gus@example.com'), {
    Email: 'gus@example.com',
    highest_order_value: '20',
    highest_order_date: '2025-06-15 08:00:00',
    small_order_date: '',
    medium_order_date: '',
    large_order_date: '',
    xlarge_order_date: '2025-06-15 08:00:00',
  });
  const summary = JSON.parse(run.stderr) as { ordersRead: number; ordersDuplicate: number; ordersConflicting: number; rowsRejected: number };
  assert.deepEqual(
    [summary.ordersRead, summary.ordersDuplicate, summary.ordersConflicting, summary.rowsRejected],
    [3, 1, 1, 1],
  );
});

test('generic mapping: ; delimiter, BOM, CRLF, decimal comma, Excel quote prefix, renamed properties, a phone-only profile', () => {
  const run = runCliSync([join(FIXTURES, 'generic-orders.csv'), '--config', join(FIXTURES, 'generic.config.json'), '--as-of', '2025-06-30', '-o', '-', '-q']);
  assert.equal(run.code, 0, run.stderr);
  const header = run.stdout.split('\n')[0];
  assert.equal(header, 'Email,Phone Number,vip_max_order_value,vip_max_order_date,last_small_order,medium_order_date,large_order_date,xlarge_order_date');
  const rows = csvRows(run.stdout);
  // Hal: 31.05.2025 22:36 CEST = 20:36 UTC for 1.234,56 (M); 02.06.2025 09:00 CEST for 99,90 (S, L): 1234.56 stays.
  assert.deepEqual(profileOf(rows, 'hal@example.com'), {
    Email: 'hal@example.com',
    'Phone Number': '',
    vip_max_order_value: '1234.56',
    vip_max_order_date: '2025-05-31 20:36:00',
    last_small_order: '2025-06-02 07:00:00',
    medium_order_date: '2025-05-31 20:36:00',
    large_order_date: '2025-06-02 07:00:00',
    xlarge_order_date: '',
  });
  // No email, phone '+49 151 2345678: keyed by the phone in E.164 digits.
  assert.deepEqual(profileOf(rows, '+491512345678'), {
    Email: '',
    'Phone Number': '+491512345678',
    vip_max_order_value: '45',
    vip_max_order_date: '2025-06-10 10:00:00',
    last_small_order: '',
    medium_order_date: '',
    large_order_date: '',
    xlarge_order_date: '2025-06-10 10:00:00',
  });
});

test('shopify: the reference fixture reads as before, found from its header without --format', () => {
  const run = runCliSync([join(FIXTURES, 'shopify-orders.csv'), '--as-of', '2025-06-30', '-o', '-', '-q']);
  assert.equal(run.code, 0, run.stderr);
  const rows = csvRows(run.stdout);
  // Ann: 1000 on 1 March, 999 on 20 May (alone in its window: stored), 1000 on 10 June 12:00 EDT (> 999).
  assert.deepEqual(profileOf(rows, 'ann@example.com'), {
    Email: 'ann@example.com',
    highest_order_value: '1000',
    highest_order_date: '2025-06-10 16:00:00',
    small_order_date: '2025-05-20 13:00:00',
    medium_order_date: '2025-06-10 16:00:00',
    large_order_date: '2025-03-01 15:00:00',
    xlarge_order_date: '',
  });
});
